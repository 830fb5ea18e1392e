# HMR CRM — two commands: `make run` serves the demo clinic, `make test` lints and tests.
# Everything below is plain shell so that a newcomer can read what each step does.

PYTHON      ?= python3
VENV        ?= .venv
ODOO_SRC    ?= /opt/odoo
ODOO_BRANCH ?= 19.0
ODOO_GIT    ?= https://github.com/odoo/odoo.git
DB          ?= hmr
TEST_DB     ?= hmr_test_$(shell date +%s)
HTTP_PORT   ?= 8069

BIN   := $(VENV)/bin
ADDONS_PATH = $(CURDIR),$(CURDIR)/tests,$(shell cat $(VENV)/.odoo_src 2>/dev/null)/addons
MODULES     := hmr_crm_addon,hmr_treatments_addon
TEST_MODULES := $(MODULES),hmr_e2e_tests
export PGHOST ?= 127.0.0.1

.PHONY: run test lint unit system setup odoo postgres programs clean-db help

help:
	@echo "make run   - set up everything, create the demo clinic '$(DB)' once, serve http://127.0.0.1:$(HTTP_PORT)"
	@echo "make test  - lint + the unit suite on a throw-away database + the system tests on a real server"
	@echo "make system - the system tests alone (tests/system): a real server, real clients"
	@echo "make bench - our code against vanilla Odoo on 10,000 prospects (bench/README.md)"
	@echo "make odoo-tests - Odoo's own test suites of the modules we extend, with our addons installed"

setup: $(VENV)/.requirements odoo postgres

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements: requirements.txt $(VENV)/bin/python
	$(BIN)/pip install --quiet --upgrade pip wheel
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

## Odoo 19.0 from ODOO_SRC, or from Odoo's official 19.0 source when ODOO_SRC is missing.
odoo: $(VENV)/.requirements
	@bash .ci/install_odoo.sh "$(BIN)" "$(ODOO_SRC)" "$(ODOO_GIT)" "$(ODOO_BRANCH)" "$(VENV)"

postgres:
	@bash .ci/ensure_postgres.sh

## The programs a real install needs (wkhtmltopdf for every PDF, chromium for tours and system tests)
programs: $(VENV)/.requirements
	@bash .ci/ensure_programs.sh "$(BIN)"

run: setup programs
	@bash .ci/run_demo.sh "$(BIN)" "$(DB)" "$(ADDONS_PATH)" "$(MODULES)" "$(HTTP_PORT)"

lint: $(VENV)/.requirements
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pylint --rcfile=.pylintrc hmr_crm_addon hmr_treatments_addon tests/hmr_e2e_tests

unit: setup programs
	@bash .ci/run_tests.sh "$(BIN)" "$(TEST_DB)" "$(ADDONS_PATH)" "$(TEST_MODULES)"

## The system tests (tests/system): a real server started as `make run` starts it, on a
## throw-away demo clinic and a free port, driven through XML-RPC, HTTP and Chromium.
system: setup programs
	@bash .ci/run_system_tests.sh "$(BIN)" "$(ADDONS_PATH)" "$(MODULES)"

## prerequisites run in order: the system tests come after the unit tests
test: lint unit system

## Not part of `make test`: wall-clock figures against vanilla Odoo, on a throw-away database.
.PHONY: bench
bench: setup
	$(BIN)/python bench/run_bench.py --addons-path "$(ADDONS_PATH)"

## Not part of `make test` (CI time): Odoo's own tests of the modules we extend, on a throw-away
## database with our addons. ODOO_SUITES=crm,sale_crm narrows them; ODOO_SUITES_MODE=vanilla
## runs the same suites without our addons, for comparison.
ODOO_SUITES ?= crm,sale_crm,website_crm,survey_crm,crm_iap_enrich,crm_iap_mine,crm_sms,sale,portal,survey
.PHONY: odoo-tests
odoo-tests: setup programs
	@bash .ci/run_odoo_suites.sh "$(BIN)" "$(ADDONS_PATH)" "$(MODULES)" "$(ODOO_SUITES)" "$(ODOO_SUITES_MODE)"

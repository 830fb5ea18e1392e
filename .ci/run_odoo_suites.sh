#!/usr/bin/env bash
# Odoo's own test suites of the modules we extend, on a throw-away database with our addons
# installed: they must pass as they do without them (readme: "Differences from Odoo's behaviour").
#   .ci/run_odoo_suites.sh BIN ADDONS_PATH MODULES [SUITES] [vanilla]
# SUITES: the Odoo modules whose tests run (installed with their dependencies).
# "vanilla" as 5th argument installs the suites without our addons: the reference run.
#
# Odoo runs a module's at_install tests while the registry holds only that module and its
# dependencies, i.e. before our addons are loaded: they would test vanilla Odoo. Here every test
# of the suites runs once the whole registry is loaded, with Odoo's own runner (its loader,
# its test tags and its HTTP server), only the at_install/post_install split is dropped.
set -uo pipefail
BIN=$1 ADDONS_PATH=$2 MODULES=$3
SUITES=${4:-crm,sale_crm,website_crm,survey_crm,crm_iap_enrich,crm_iap_mine,crm_sms,sale,portal,survey}
DB=${ODOO_SUITES_DB:-hmr_odoo_suites_$(date +%s)}
LOG=$(mktemp -d)/odoo_suites.log
[ "${5:-}" = "vanilla" ] && MODULES=$SUITES || MODULES=$MODULES,$SUITES
TAGS=$(echo "$SUITES" | sed 's/[^,]*/\/&/g')
PORT=$("$BIN/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")

cleanup() { "$BIN/python" - "$DB" <<'PY' >/dev/null 2>&1 || true
import sys, psycopg2
conn = psycopg2.connect(dbname="postgres", host="127.0.0.1"); conn.autocommit = True
conn.cursor().execute(f'DROP DATABASE IF EXISTS "{sys.argv[1]}" WITH (FORCE)')
PY
}
[ -z "${ODOO_SUITES_KEEP_DB:-}" ] && trap cleanup EXIT

start=$(date +%s)
echo ">> Installing $MODULES on $DB"
"$BIN/python" -m odoo server --addons-path="$ADDONS_PATH" -d "$DB" --db_host=127.0.0.1 \
    -i "$MODULES" --stop-after-init --log-level=warn --no-http || exit 1
installed=$(date +%s)

echo ">> Running the tests of $TAGS"
"$BIN/python" - server --addons-path="$ADDONS_PATH" -d "$DB" --db_host=127.0.0.1 \
    --http-port="$PORT" --test-tags="$TAGS" --stop-after-init --log-level=test <<'PY' 2>&1 | tee "$LOG"
import sys

from odoo.cli.command import main
from odoo.tests import loader

make_suite = loader.make_suite


def make_suite_on_full_registry(module_names, position="at_install"):
    # nothing while the modules load; every test (at_install too) once all are loaded
    if position == "at_install":
        return loader.OdooSuite([])
    return loader.OdooSuite(list(make_suite(module_names, "at_install")) + list(make_suite(module_names, "post_install")))


loader.make_suite = make_suite_on_full_registry
sys.argv = ["odoo", *sys.argv[1:]]
main()
PY
status=${PIPESTATUS[0]}
end=$(date +%s)

echo ">> Per suite: tests run, failures, errors (a class whose setup fails: one error, its tests not run)"
"$BIN/python" - "$LOG" <<'PY'
import collections, re, sys

counts = collections.defaultdict(lambda: [0, 0, 0])
for line in open(sys.argv[1], errors="replace"):
    if m := re.search(r" odoo\.tests\.stats: (\w+): (\d+) tests ", line):
        counts[m[1]][0] = int(m[2])
    elif m := re.search(r"(FAIL|ERROR): (?:Subtest )?\w+.*\(?odoo\.addons\.(\w+)\.tests|odoo\.addons\.(\w+)\.tests\S*: (FAIL|ERROR): ", line):
        kind, module = (m[1], m[2]) if m[1] else (m[4], m[3])
        counts[module][1 if kind == "FAIL" else 2] += 1
for module, (run, failed, errors) in sorted(counts.items()):
    print(f"   {module:20} {run:4} run {failed:3} failed {errors:3} errors")
PY
grep -E "post-tests in|failed, [0-9]+ error\(s\) of [0-9]+ tests" "$LOG" | sed 's/^.* odoo[.a-z_]*: /   /'
echo ">> Install $((installed - start)) s, tests $((end - installed)) s"
exit "$status"

"""The real server of the system tests, started exactly as `make run` starts it.

One server for the whole session: ``.ci/run_demo.sh ... build`` builds the demo clinic on a
throw-away database (the same script and steps as `make run`), ``.ci/run_demo.sh ... serve``
serves it on a free port (cron threads on, as always). The server is killed and its database
and filestore dropped at the end, whatever happened.

Settings (environment variables, all optional; `make system` sets the first three):
  HMR_SYSTEM_BIN, HMR_SYSTEM_ADDONS_PATH, HMR_SYSTEM_MODULES  as in the Makefile
  HMR_SYSTEM_DB         the throw-away database (default hmr_system_<timestamp>)
  HMR_SYSTEM_PORT       the HTTP port (default: a free one)
  HMR_SYSTEM_SMTP_PORT  the SMTP sink's port (default: a free one)
  HMR_SYSTEM_STATE      a folder where the server's pid is written (for `.ci/run_system_tests.sh`)
  HMR_SYSTEM_TEMPLATE   for development only: copy this already built demo database (and its
                        filestore) instead of building one
  HMR_SYSTEM_REUSE      for development only (with HMR_SYSTEM_DB and HMR_SYSTEM_PORT): test the
                        server already serving them; it is neither started, stopped nor dropped
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import psycopg2
import pytest
import requests
from hmr_client import Chromium, Rpc, Scheduler, SmtpSink, visitor_session, wait_until
from hmr_steps import create_command, new_prospect, send_quote

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "out"
STAFF_LOGINS = ("admin", "gerente", "ejecutivo", "ejecutiva2", "medico", "medica2")


def _default_addons_path(bin_dir):
    odoo_src = (Path(bin_dir).parent / ".odoo_src").read_text().strip()
    return f"{REPO},{REPO / 'tests'},{odoo_src}/addons"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _filestore(db):
    # Odoo's default data_dir (`make run` passes none)
    return Path.home() / ".local/share/Odoo/filestore" / db


def _postgres(sql, *params):
    conn = psycopg2.connect(dbname="postgres", host="127.0.0.1")
    try:
        conn.autocommit = True
        conn.cursor().execute(sql, params)
    finally:
        conn.close()


def _drop_database(db):
    _postgres(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    shutil.rmtree(_filestore(db), ignore_errors=True)


class Server:
    def __init__(self):
        self.bin = os.environ.get("HMR_SYSTEM_BIN") or str(REPO / ".venv/bin")
        self.addons_path = os.environ.get("HMR_SYSTEM_ADDONS_PATH") or _default_addons_path(
            self.bin
        )
        self.modules = os.environ.get("HMR_SYSTEM_MODULES") or "hmr_crm_addon,hmr_treatments_addon"
        self.db = os.environ.get("HMR_SYSTEM_DB") or f"hmr_system_{int(time.time())}"
        self.port = int(os.environ.get("HMR_SYSTEM_PORT") or _free_port())
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = OUT / "server.log"
        self.process = None

    def _script(self, step):
        return [
            "bash",
            ".ci/run_demo.sh",
            self.bin,
            self.db,
            self.addons_path,
            self.modules,
            str(self.port),
            step,
        ]

    def build(self):
        template = os.environ.get("HMR_SYSTEM_TEMPLATE")
        if template:
            _postgres(f'CREATE DATABASE "{self.db}" TEMPLATE "{template}"')
            shutil.copytree(_filestore(template), _filestore(self.db))
            return
        with open(OUT / "build.log", "w") as log:
            result = subprocess.run(
                self._script("build"), cwd=REPO, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if result.returncode:
            raise AssertionError(f"the demo clinic could not be built: see {OUT / 'build.log'}")

    def start(self):
        log = open(self.log, "w")
        self.process = subprocess.Popen(
            self._script("serve"),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole
        )
        state = os.environ.get("HMR_SYSTEM_STATE")
        if state:
            Path(state, "server.pid").write_text(str(self.process.pid))
        wait_until(self._is_up, timeout=180, what=f"the server on {self.url} (see {self.log})")

    def _is_up(self):
        if self.process.poll() is not None:
            raise AssertionError(f"the server stopped: see {self.log}")
        try:
            return requests.get(f"{self.url}/web/health", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@pytest.fixture(scope="session")
def server():
    OUT.mkdir(exist_ok=True)
    server = Server()
    if os.environ.get("HMR_SYSTEM_REUSE"):
        yield server
        return
    try:
        server.build()
        server.start()
        yield server
    finally:
        server.stop()
        _drop_database(server.db)


@pytest.fixture(scope="session")
def users(server):
    """An XML-RPC session per demo login (password = login), opened on first use."""

    class Users(dict):
        def __missing__(self, login):
            self[login] = Rpc(server.url, server.db, login)
            return self[login]

    return Users()


@pytest.fixture(scope="session")
def admin(users):
    return users["admin"]


@pytest.fixture(scope="session")
def smtp(admin):
    """The clinic's outgoing mail server is this sink: every email Odoo sends lands here."""
    sink = SmtpSink(int(os.environ.get("HMR_SYSTEM_SMTP_PORT") or 0))
    admin.create(
        "ir.mail_server",
        {
            "name": "System tests' SMTP sink",
            "smtp_host": "127.0.0.1",
            "smtp_port": sink.port,
            "smtp_encryption": "none",
            "sequence": 1,
        },
    )
    yield sink
    sink.close()


@pytest.fixture(scope="session")
def scheduler(admin, server):
    return Scheduler(admin, server.db)


@pytest.fixture
def phone(request):
    """A fresh phone-sized Chromium; its screenshots go to tests/system/out/screenshots."""
    browser = Chromium(OUT / "screenshots")
    yield browser
    browser.close()


@pytest.fixture
def web():
    """A visitor's HTTP client (cookies kept, like a browser)."""
    with visitor_session() as session:
        yield session


@pytest.fixture(scope="session")
def direct_treatment(users):
    """A treatment whose process starts at the quote (the manager builds it through the
    configuration models): each test gets its own fresh quote in a few seconds."""
    manager = users["gerente"]
    process_id = manager.create(
        "hmr.process",
        {
            "name": "Direct quote",
            "step_ids": [
                create_command(name="Quote", kind="quote", sequence=1),
                create_command(name="Answer", kind="answer", sequence=2),
                create_command(name="Follow-up", kind="follow_up", sequence=3),
            ],
        },
    )
    product = manager.search_read("product.product", [("sale_ok", "=", True)], ["id"], limit=1)
    return manager.create(
        "hmr.treatment",
        {
            "name": "Direct quote treatment",
            "process_id": process_id,
            "product_ids": [[6, 0, [product[0]["id"]]]],
        },
    )


@pytest.fixture
def sent_quotes(users, admin, direct_treatment):
    """Make a quote sent by an executive to a new prospect (of ``lang``), as dicts with the
    quote's id, name, portal url, case and the prospect's email and first name."""

    def make(executive_login="ejecutivo", lang="es_MX", first_name="Daniela"):
        executive = users[executive_login]
        case, email, _page = new_prospect(
            executive, admin, direct_treatment, first_name, "Prueba Sistema", lang=lang
        )
        action = executive.call("hmr.treatment.case", "action_create_quote", [case["id"]])
        order_id = action["res_id"]
        send_quote(executive, order_id)
        order = admin.read_one("sale.order", order_id, ["name", "state", "hmr_case_id"])
        assert order["state"] == "sent"
        return {
            "id": order_id,
            "name": order["name"],
            "hmr_case_id": order["hmr_case_id"],
            "email": email,
            "first_name": first_name,
            "url": admin.call("sale.order", "get_portal_url", [order_id]),
        }

    return make

"""The real clients the system tests drive the server with: XML-RPC as each user, HTTP for
the public pages, the SMTP sink that receives the emails Odoo sends, Odoo's own scheduler
and headless Chromium (over the Chrome DevTools Protocol). Nothing here imports Odoo."""

import base64
import email
import email.policy
import json
import re
import shutil
import socketserver
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import psycopg2
import requests
import websocket


def utc_now_str(delta=timedelta()):
    """A datetime as Odoo's ORM writes it (UTC, no time zone, seconds)."""
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%d %H:%M:%S")


def wait_until(predicate, timeout=60.0, interval=0.5, what="the condition"):
    """Poll ``predicate`` until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# ------------------------------------------------------------------------------------------------
# XML-RPC
# ------------------------------------------------------------------------------------------------


class Rpc:
    """One user's XML-RPC session (Odoo's external API), as an integration would use it."""

    def __init__(self, url, db, login, password=None):
        self.url, self.db, self.login = url, db, login
        self.password = password or login
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, self.password, {})
        if not self.uid:
            raise AssertionError(f"{login} cannot log in")
        self._object = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(self, model, method, *args, **kwargs):
        return self._object.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs
        )

    def button(self, model, method, ids, **kwargs):
        """Click a form's button as the web client does (JSON-RPC in the user's web session):
        unlike XML-RPC, a button may return nothing."""
        if not hasattr(self, "_web"):
            self._web = requests.Session()
            response = self._web.post(
                f"{self.url}/web/session/authenticate",
                json={
                    "jsonrpc": "2.0",
                    "params": {"db": self.db, "login": self.login, "password": self.password},
                },
                timeout=60,
            )
            assert response.json().get("result", {}).get("uid") == self.uid, response.text
        response = self._web.post(
            f"{self.url}/web/dataset/call_button/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "params": {"model": model, "method": method, "args": [ids], "kwargs": kwargs},
            },
            timeout=300,
        )
        payload = response.json()
        if "error" in payload:
            raise AssertionError(f"{model}.{method}: {payload['error']}")
        return payload["result"]

    def search_read(self, model, domain, fields, **kwargs):
        return self.call(model, "search_read", domain, fields, **kwargs)

    def read(self, model, ids, fields):
        return self.call(model, "read", ids if isinstance(ids, list) else [ids], fields)

    def read_one(self, model, record_id, fields):
        return self.read(model, record_id, fields)[0]

    def write(self, model, ids, values):
        return self.call(model, "write", ids if isinstance(ids, list) else [ids], values)

    def create(self, model, values):
        return self.call(model, "create", values)

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.search_read(
            "ir.model.data", [("module", "=", module), ("name", "=", name)], ["res_id"]
        )
        if not rows:
            raise AssertionError(f"no record {xmlid}")
        return rows[0]["res_id"]

    @property
    def partner_id(self):
        return self.read_one("res.users", self.uid, ["partner_id"])["partner_id"][0]


# ------------------------------------------------------------------------------------------------
# Odoo's scheduler
# ------------------------------------------------------------------------------------------------


class Scheduler:
    """Runs scheduled actions the way Odoo's scheduler does: the cron threads of the real
    server run the job. A job is made due by writing its ``nextcall`` as the administrator,
    and the cron threads are woken up with the notification they LISTEN to
    (``cron_trigger``, the one ``ir.cron._notifydb`` sends); otherwise they would look again
    within a minute only."""

    def __init__(self, admin, db):
        self.admin, self.db = admin, db

    def wake_up(self):
        conn = psycopg2.connect(dbname="postgres", host="127.0.0.1")
        try:
            conn.autocommit = True
            conn.cursor().execute("SELECT pg_notify('cron_trigger', %s)", [self.db])
        finally:
            conn.close()

    def run(self, xmlid, timeout=180):
        cron_id = self.admin.ref(xmlid)
        cron = self.admin.read_one("ir.cron", cron_id, ["lastcall", "active"])
        if not cron["active"]:
            raise AssertionError(f"{xmlid} is archived: the scheduler never runs it")
        before = cron["lastcall"]
        if before and before >= utc_now_str(-timedelta(seconds=1)):
            # a run is told apart from the previous one by its ``lastcall``, to the second
            time.sleep(1.1)
        wait_until(
            lambda: self._make_due(cron_id), timeout=60, what=f"{xmlid} to be free to schedule"
        )
        self.wake_up()
        return wait_until(
            lambda: self._has_run(cron_id, before),
            timeout=timeout,
            interval=0.5,
            what=f"the scheduler to run {xmlid}",
        )

    def _make_due(self, cron_id):
        try:
            # a second earlier: the scheduler compares with the database's clock
            self.admin.write("ir.cron", cron_id, {"nextcall": utc_now_str(-timedelta(seconds=1))})
        except xmlrpc.client.Fault as fault:
            if "currently being executed" in fault.faultString:
                return False  # the job runs now: try again once it is done
            raise
        return True

    def _has_run(self, cron_id, before):
        cron = self.admin.read_one("ir.cron", cron_id, ["lastcall", "nextcall"])
        return cron["lastcall"] and cron["lastcall"] != before and cron["nextcall"] > utc_now_str()

    def deliver_mail(self):
        """Odoo's mail queue sends what is queued (Mail: Email Queue Manager)."""
        self.run("mail.ir_cron_mail_scheduler_action")


# ------------------------------------------------------------------------------------------------
# SMTP sink
# ------------------------------------------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for Odoo's smtplib client: no TLS, no authentication."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 hmr-system-sink ESMTP")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-hmr-system-sink\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb == "MAIL":
                sender, recipients = command[10:].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command[8:].split()[0].strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.sink.store(sender, recipients, self._read_data())
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP...
                self.reply("250 OK")

    def _read_data(self):
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class SmtpSink:
    """An SMTP server on loopback that keeps every message Odoo sends, parsed."""

    def __init__(self, port=0):
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), _SmtpHandler)
        self.server.daemon_threads = True
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.messages = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def store(self, sender, recipients, data):
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.messages.append(Mail(sender, recipients, message))

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def to(self, address, since=0):
        """The messages sent to ``address`` (from index ``since`` on)."""
        with self._lock:
            return [m for m in self.messages[since:] if address.lower() in m.to_addresses]

    def wait_for(self, address, predicate=lambda mail: True, since=0, timeout=60, what=None):
        return wait_until(
            lambda: [m for m in self.to(address, since) if predicate(m)],
            timeout=timeout,
            what=what or f"an email to {address}",
        )


class Mail:
    """One message as the recipient's mail client gets it."""

    def __init__(self, sender, recipients, message):
        self.sender, self.recipients, self.message = sender, recipients, message

    @property
    def to_addresses(self):
        return " ".join([*self.recipients, str(self.message["To"] or "")]).lower()

    @property
    def subject(self):
        return str(self.message["Subject"] or "")

    @property
    def html(self):
        part = self.message.get_body(("html",))
        return part.get_content() if part else ""

    @property
    def text(self):
        """The visible text of the HTML body (tags stripped), or the plain text."""
        html = self.html
        if not html:
            part = self.message.get_body(("plain",))
            return part.get_content() if part else ""
        html = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", html)
        return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()

    @property
    def links(self):
        return [unescape(link) for link in re.findall(r'href="([^"]+)"', self.html)]

    @property
    def attachments(self):
        """(file name, bytes) of each attachment."""
        return [
            (part.get_filename(), part.get_payload(decode=True))
            for part in self.message.iter_attachments()
        ]

    def __repr__(self):
        return f"<Mail to {self.recipients} {self.subject!r}>"


# ------------------------------------------------------------------------------------------------
# HTTP (public pages, portal)
# ------------------------------------------------------------------------------------------------


def visitor_session(lang="es-MX"):
    """A visitor's HTTP client: cookies kept and the language of their browser (the clinic's
    prospects read Spanish), like a browser."""
    session = requests.Session()
    session.headers["Accept-Language"] = f"{lang},{lang.split('-')[0]};q=0.9"
    return session


def csrf_token(html):
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'csrf_token["\']?\s*:\s*["\']([0-9a-f]+o?[0-9]*)["\']', html
    )
    if not found:
        raise AssertionError("the page holds no CSRF token")
    return found.group(1)


def visible_text(html):
    html = re.sub(r"(?is)<(style|script|template)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def json_rpc(session, url, params):
    """A JSON-RPC call as Odoo's web pages make it (type='jsonrpc' routes)."""
    response = session.post(
        url,
        data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
        headers={"Content-Type": "application/json"},
        timeout=120,
    )
    return response


# ------------------------------------------------------------------------------------------------
# Headless Chromium over the Chrome DevTools Protocol
# ------------------------------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Mobile Safari/537.36"
)


def on_element(selector, body):
    """A JavaScript expression running ``body`` with ``el`` the first element of ``selector``
    that shows (a page may hold the same button twice: for phones and for desktops)."""
    return (
        f"(() => {{ const all = [...document.querySelectorAll({json.dumps(selector)})];"
        f" const el = all.find((e) => e.getClientRects().length > 0) || all[0]; {body} }})()"
    )


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise AssertionError("no Chromium: `make test` installs Debian's chromium")


class Chromium:
    """A person's phone browser: a fresh profile, a phone-sized screen, real clicks and
    typing (Input events), screenshots."""

    def __init__(self, screenshot_dir, lang="es-MX"):
        self.screenshot_dir = Path(screenshot_dir)
        self.profile = tempfile.mkdtemp(prefix="hmr_system_chromium_")
        self.process = subprocess.Popen(
            [
                find_chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                f"--lang={lang}",
                f"--window-size={PHONE['width']},{PHONE['height']}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = Path(self.profile, "DevToolsActivePort")
        wait_until(
            lambda: port_file.exists() and port_file.read_text().strip(),
            timeout=30,
            what="Chromium to start",
        )
        port = port_file.read_text().split()[0]
        targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self._id = 0
        self.events = []
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride", **PHONE)
        self.send("Emulation.setTouchEmulationEnabled", enabled=True)
        self.send(
            "Emulation.setUserAgentOverride",
            userAgent=PHONE_USER_AGENT,
            acceptLanguage=lang,
        )

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method, **params):
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def goto(self, url):
        self.send("Page.navigate", url=url)
        self.wait_ready()

    def wait_ready(self, timeout=60):
        wait_until(
            lambda: self.evaluate("document.readyState") == "complete",
            timeout=timeout,
            what="the page to load",
        )

    def wait_for(self, expression, timeout=60, what=None):
        return wait_until(
            lambda: self._try_evaluate(expression), timeout=timeout, what=what or expression
        )

    def _try_evaluate(self, expression):
        try:
            return self.evaluate(expression)
        except (AssertionError, websocket.WebSocketException):
            return None  # the page is navigating

    def wait_visible(self, selector, timeout=60):
        return self.wait_for(
            on_element(selector, "return !!el && el.getClientRects().length > 0 && !el.disabled;"),
            timeout=timeout,
            what=f"{selector} to show",
        )

    def click(self, selector):
        """Tap the element as a person would: at its centre, once it shows on the screen
        and nothing covers it (scrolled to only when it is off screen)."""
        self.wait_visible(selector)
        self.evaluate(
            on_element(
                selector,
                "const r = el.getBoundingClientRect();"
                " if (r.top < 0 || r.bottom > window.innerHeight)"
                " el.scrollIntoView({block: 'center', behavior: 'instant'});",
            )
        )
        x, y = self.wait_for(
            on_element(
                selector,
                "const r = el.getBoundingClientRect();"
                " const x = r.left + r.width / 2, y = r.top + r.height / 2;"
                " const hit = document.elementFromPoint(x, y);"
                " return hit && (hit === el || el.contains(hit)) ? [x, y] : null;",
            ),
            timeout=30,
            what=f"{selector} to be tappable",
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def type_into(self, selector, text, clear=True):
        self.wait_visible(selector)
        self.evaluate(on_element(selector, "el.focus(); el.select && el.select();"))
        if clear:
            self.send("Input.dispatchKeyEvent", type="keyDown", key="Delete", code="Delete")
            self.send("Input.dispatchKeyEvent", type="keyUp", key="Delete", code="Delete")
        self.send("Input.insertText", text=text)

    def set_files(self, selector, paths):
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise AssertionError(f"no {selector}")
        self.send("DOM.setFileInputFiles", nodeId=node, files=[str(p) for p in paths])

    def screenshot(self, name, full_page=True):
        """Save a PNG of the page (the whole page by default) and return its path."""
        if full_page:
            # a screen as tall as the page: fixed headers stay at the top of the picture
            height = self.send("Page.getLayoutMetrics")["cssContentSize"]["height"]
            self.send("Emulation.setDeviceMetricsOverride", **dict(PHONE, height=min(height, 6000)))
            time.sleep(0.5)
        try:
            data = self.send("Page.captureScreenshot", format="png")["data"]
        finally:
            if full_page:
                self.send("Emulation.setDeviceMetricsOverride", **PHONE)
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        path = self.screenshot_dir / f"{name}.png"
        path.write_bytes(base64.b64decode(data))
        return path

    @property
    def url(self):
        return self.evaluate("location.href")

    @property
    def text(self):
        return self.evaluate("document.body.innerText")

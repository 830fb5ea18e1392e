"""Issue 12 on the real server: the public form's hardening (an email of any length, a lock-out
of a whole clinic's Wi-Fi by typos, a flood) and the prospect's consents under Mexico's
LFPDPPP (J10): a versioned privacy notice and separate, recorded consents for the voluntary
uses of their data (marketing, photos in before/after material)."""

import re
import time

import pytest
from hmr_client import csrf_token, visible_text, visitor_session
from hmr_steps import find_case, submit_web_form

FORM = "/hmr/solicitud"
NOTICE = "/hmr/aviso-de-privacidad"


@pytest.fixture(scope="module")
def treatment_id(admin):
    return admin.search_read("hmr.treatment", [], ["id"], limit=1, order="id")[0]["id"]


@pytest.fixture
def fresh_rate_limit(admin):
    """The form's counters forgotten before and after the test: the tests of other files
    send forms from the same address (127.0.0.1)."""

    def forget():
        ids = admin.search_read("hmr.web.form.submission", [], ["id"])
        if ids:
            admin.call("hmr.web.form.submission", "unlink", [row["id"] for row in ids])

    forget()
    yield
    forget()


def unique_email(name):
    return f"{name}.{time.time_ns()}@example.mx"


def post_form(server, web, treatment_id, **values):
    page = web.get(f"{server.url}{FORM}", timeout=60)
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page.text),
        "first_name": "Lucía",
        "last_name": "Prueba",
        "email_from": unique_email("lucia"),
        "phone": "+52 55 1234 5678",
        "treatment_id": str(treatment_id),
        "description": "",
        "privacy_consent": "1",
        **values,
    }
    data = {key: value for key, value in data.items() if value is not None}
    return web.post(
        f"{server.url}{FORM}/enviar",
        data=data,
        files={"photos": ("", b"", "application/octet-stream")},
        timeout=120,
    )


def leads_with(admin, email_part):
    return admin.search_read(
        "crm.lead", [("email_from", "ilike", email_part)], ["id"], context={"active_test": False}
    )


# ------------------------------------------------------------------------------------------------
# The public form
# ------------------------------------------------------------------------------------------------


def test_typos_do_not_lock_out_the_address(server, admin, treatment_id, fresh_rate_limit):
    """B1: six mistyped requests from one address (a clinic's Wi-Fi, a carrier's NAT) then a
    valid one: the valid one is accepted, a prospect is created."""
    with visitor_session() as web:
        for attempt in range(6):
            # a phone number short of digits: refused next to its field
            response = post_form(server, web, treatment_id, phone=f"55 12 {attempt}")
            assert response.status_code == 400, visible_text(response.text)[-500:]
            assert "is-invalid" in response.text
        email = unique_email("despues.de.errores")
        response = post_form(server, web, treatment_id, email_from=email)
        assert response.status_code == 200, visible_text(response.text)[-800:]
        assert response.url.endswith("/hmr/solicitud/gracias"), response.url
    assert len(leads_with(admin, email)) == 1


def test_long_email_refused(server, admin, smtp, treatment_id, fresh_rate_limit):
    """B1: a 5,000-character email is refused next to its field: no prospect, no email."""
    local = f"larga{time.time_ns()}" + "x" * 5000
    with visitor_session() as web:
        response = post_form(server, web, treatment_id, email_from=f"{local}@example.mx")
    assert response.status_code == 400
    field = re.search(r'<input[^>]*id="hmr_email"[^>]*>', response.text).group(0)
    assert "is-invalid" in field
    assert "254" in visible_text(response.text)
    assert not leads_with(admin, local[:40])
    assert not admin.search_read("mail.mail", [("email_to", "ilike", local[:40])], ["id"])
    assert not [mail for mail in smtp.messages if local[:40] in " ".join(mail.recipients)]


def test_flood_refused(server, admin, treatment_id, fresh_rate_limit):
    """B1: a flood of requests from one address (valid or not) is refused with 429 before
    the prospects pile up."""
    statuses = []
    with visitor_session() as web:
        for attempt in range(40):
            response = post_form(server, web, treatment_id, phone=f"55 {attempt}")
            statuses.append(response.status_code)
            if response.status_code == 429:
                break
    assert statuses[-1] == 429, statuses
    assert "many requests" in visible_text(response.text) or "muchas" in response.text
    assert statuses.count(400) >= 6, "a few typos are never a flood"


# ------------------------------------------------------------------------------------------------
# J10: versioned notice and separate consents
# ------------------------------------------------------------------------------------------------


def current_notice(admin):
    rows = admin.search_read("hmr.privacy.notice", [("state", "=", "current")], ["version"])
    assert len(rows) == 1, rows
    return rows[0]


def consent_log(admin, partner_id):
    return admin.search_read(
        "hmr.consent.log",
        [("partner_id", "=", partner_id)],
        ["purpose", "action", "channel", "notice_version", "user_id", "date"],
        order="id",
    )


def test_form_gives_notice_consent_only(server, admin, treatment_id, fresh_rate_limit):
    """J10, B1: a visitor accepts the notice only (the optional boxes unticked by default):
    the notice consent is recorded with its version, channel and date; marketing and the
    photos' publication are not given."""
    with visitor_session() as web:
        page = web.get(f"{server.url}{FORM}", timeout=60)
        for name in ("marketing_consent", "photo_publication_consent"):
            box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page.text).group(0)
            assert "checked" not in box and "required" not in box, box
        email = unique_email("solo.aviso")
        submit_web_form(server, web, "Solo", "Aviso", email, treatment_id)
    partner_id = find_case(admin, email)["partner_id"][0]
    notice = current_notice(admin)
    log = consent_log(admin, partner_id)
    assert [(row["purpose"], row["action"], row["channel"]) for row in log] == [
        ("privacy_notice", "given", "web_form")
    ]
    assert log[0]["notice_version"] == notice["version"] and log[0]["date"]
    partner = admin.read_one(
        "res.partner",
        partner_id,
        ["hmr_marketing_consent", "hmr_photo_publication_consent", "hmr_privacy_notice_version"],
    )
    assert not partner["hmr_marketing_consent"] and not partner["hmr_photo_publication_consent"]
    assert partner["hmr_privacy_notice_version"] == notice["version"]


def test_prospect_changes_consents_on_their_page(server, admin, treatment_id, fresh_rate_limit):
    """J10, B2: from their page (the email's link) the prospect grants marketing, then
    withdraws it, and grants the photos' publication: each event is in the history with
    the channel portal; a withdrawn marketing consent excludes them from marketing (the
    email is blacklisted, Odoo's mass mailing skips it)."""
    email = unique_email("pagina")
    with visitor_session() as web:
        response = post_form(
            server, web, treatment_id, email_from=email, marketing_consent="1", first_name="Paz"
        )
        assert response.url.endswith("/gracias"), visible_text(response.text)[-800:]
    case = find_case(admin, email)
    partner_id = case["partner_id"][0]
    url = server.url + admin.call("hmr.treatment.case", "get_portal_url", [case["id"]])
    token = re.search(r"access_token=([\w-]+)", url).group(1)
    with visitor_session() as web:
        page = web.get(url, timeout=60)
        assert page.status_code == 200
        assert 'id="hmr_consents"' in page.text

        def change(purpose, given):
            response = web.post(
                f"{server.url}/my/hmr/cases/{case['id']}/consent",
                data={
                    "csrf_token": csrf_token(page.text),
                    "access_token": token,
                    "purpose": purpose,
                    "given": "1" if given else "0",
                },
                timeout=60,
            )
            assert response.status_code == 200, visible_text(response.text)[-800:]
            return response

        change("marketing", False)
        change("photo_publication", True)
        # without the link nothing changes
        with visitor_session() as stranger:
            refused = stranger.post(
                f"{server.url}/my/hmr/cases/{case['id']}/consent",
                data={"csrf_token": csrf_token(page.text), "purpose": "marketing", "given": "1"},
                timeout=60,
                allow_redirects=False,
            )
            assert refused.status_code in (400, 403, 303), refused.status_code
    log = consent_log(admin, partner_id)
    assert [(row["purpose"], row["action"], row["channel"]) for row in log] == [
        ("privacy_notice", "given", "web_form"),
        ("marketing", "given", "web_form"),
        ("marketing", "withdrawn", "portal"),
        ("photo_publication", "given", "portal"),
    ]
    partner = admin.read_one(
        "res.partner", partner_id, ["hmr_marketing_consent", "hmr_photo_publication_consent"]
    )
    assert not partner["hmr_marketing_consent"] and partner["hmr_photo_publication_consent"]
    assert admin.search_read("mail.blacklist", [("email", "=", email)], ["id"])
    # the log is history: nobody rewrites it, not even the manager
    with pytest.raises(Exception):  # noqa: B017
        admin.write("hmr.consent.log", log[0]["id"], {"action": "withdrawn"})


def test_staff_record_consents(server, users, admin, treatment_id, fresh_rate_limit):
    """J10: the executive records, on the prospect, a consent given on the phone and its
    withdrawal: each event names them, with the channel staff."""
    executive = users["ejecutivo"]
    email = unique_email("telefono")
    with visitor_session() as web:
        submit_web_form(server, web, "Tel", "Efono", email, treatment_id)
    case = find_case(admin, email)
    lead_id = case["lead_id"][0]
    admin.write("crm.lead", lead_id, {"user_id": executive.uid})
    executive.button("crm.lead", "action_hmr_marketing_consent_given", [lead_id])
    executive.button("crm.lead", "action_hmr_marketing_consent_withdrawn", [lead_id])
    lead = executive.read_one("crm.lead", lead_id, ["hmr_consent_log_ids", "hmr_marketing_consent"])
    assert not lead["hmr_marketing_consent"]
    log = executive.read("hmr.consent.log", lead["hmr_consent_log_ids"], ["action", "user_id"])
    # the history reads newest first
    staff = sorted((row for row in log if row["user_id"]), key=lambda row: row["id"])
    assert [row["action"] for row in staff] == ["given", "withdrawn"]
    assert all(row["user_id"][0] == executive.uid for row in staff)


def test_new_notice_version(server, users, admin, treatment_id, fresh_rate_limit):
    """J10: the manager publishes a new version of the notice (no code): the page shows it
    in Spanish and English, the old one stays readable with ?version=, new consents record
    the new version and the old ones keep theirs."""
    manager = users["gerente"]
    old = current_notice(admin)
    email_before = unique_email("antes")
    with visitor_session() as web:
        submit_web_form(server, web, "Antes", "Version", email_before, treatment_id)
    version = f"2026-{time.time_ns() % 100000}"
    (new_id,) = manager.call(
        "hmr.privacy.notice", "copy", [old["id"]], default={"version": version}
    )
    # the text first (English, the source), then its translation
    manager.call(
        "hmr.privacy.notice",
        "write",
        [new_id],
        {"body": "<p>We use your data with renewed care.</p>"},
        context={"lang": "en_US"},
    )
    # its Spanish translation, as the field's translation dialog records it
    manager.call(
        "hmr.privacy.notice",
        "update_field_translations",
        [new_id],
        "body",
        {
            "es_MX": {
                "We use your data with renewed care.": "Usamos sus datos con cuidado renovado."
            }
        },
    )
    manager.button("hmr.privacy.notice", "action_publish", [new_id])
    assert current_notice(admin)["version"] == version
    assert admin.read_one("hmr.privacy.notice", old["id"], ["state"])["state"] == "superseded"
    email_after = unique_email("despues")
    with visitor_session() as web:
        submit_web_form(server, web, "Despues", "Version", email_after, treatment_id)
    for email, expected in ((email_before, old["version"]), (email_after, version)):
        partner_id = find_case(admin, email)["partner_id"][0]
        assert consent_log(admin, partner_id)[0]["notice_version"] == expected
    with visitor_session("es-MX") as web:
        page = web.get(f"{server.url}{NOTICE}", timeout=60)
        assert "cuidado renovado" in visible_text(page.text) and version in page.text
        older = web.get(f"{server.url}{NOTICE}?version={old['version']}", timeout=60)
        assert older.status_code == 200 and "cuidado renovado" not in older.text
        assert old["version"] in older.text
    with visitor_session("en-US") as web:
        page = web.get(f"{server.url}/en{NOTICE}", timeout=60)
        assert "renewed care" in visible_text(page.text), visible_text(page.text)[:1500]

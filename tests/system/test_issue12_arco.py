"""Issue 12, the prospect's data-protection rights (J10, Mexico's LFPDPPP) as the clinic's
people meet them on the real server: the prospect starts a request from their page and
downloads the archive of their data, the staff work the ARCO register with its legal clock,
and a cancellation silences and then anonymises the prospect."""

import base64
import io
import json
import re
import xmlrpc.client
import zipfile
from datetime import date, datetime, timedelta

import pytest
import requests
from hmr_client import csrf_token, utc_now_str, visitor_session
from hmr_steps import new_prospect, upload_photo

# Odoo's XML-RPC fault code of an AccessError
ACCESS_ERROR = 4
ARCHIVE_LINK = re.compile(r'href="([^"]*/my/hmr/cases/\d+/arco/\d+/archive[^"]*)"')


@pytest.fixture(scope="module")
def hair(admin):
    return admin.ref("hmr_treatments_addon.hmr_treatment_fue")


def prospect_with_photos(server, users, admin, hair, first_name, slots=(0, 1)):
    """A prospect of the executive on the hair process who sent the photos of ``slots``
    (each slot has its own picture) from their page; return the case, their email, their
    page and the HTTP session."""
    case, email, page = new_prospect(users["ejecutivo"], admin, hair, first_name, "Arco Prueba")
    web = visitor_session()
    for slot in slots:
        upload_photo(server, web, page, slot)
    return case, email, page, web


def start_request(server, web, page, request_type, message):
    """The prospect fills the data-protection form of their page."""
    html = web.get(page, timeout=60).text
    case_id = re.search(r"/my/hmr/cases/(\d+)", page).group(1)
    token = re.search(r"access_token=([\w-]+)", page).group(1)
    return web.post(
        f"{server.url}/my/hmr/cases/{case_id}/arco",
        data={
            "csrf_token": csrf_token(html),
            "access_token": token,
            "request_type": request_type,
            "arco_message": message,
        },
        timeout=60,
    )


def requests_of(rpc, lead_id):
    return rpc.search_read(
        "hmr.arco.request",
        [("lead_id", "=", lead_id)],
        ["name", "request_type", "channel", "state", "deadline_date", "archive_id"],
    )


def answer(rpc, request_id, text):
    rpc.write("hmr.arco.request", request_id, {"answer": text})
    rpc.button("hmr.arco.request", "action_answer", [request_id])


def photo_bytes(admin, case_id):
    photos = admin.search_read("hmr.case.photo", [("case_id", "=", case_id)], ["image"])
    return [base64.b64decode(photo["image"]) for photo in photos]


def expected_deadline(admin, received, days=20):
    """The 20th working day after ``received`` (Monday to Friday, the company calendar's
    public holidays taken off), counted here independently of the server."""
    company = admin.search_read("res.company", [], ["resource_calendar_id"], limit=1)[0]
    leaves = admin.search_read(
        "resource.calendar.leaves",
        [
            ("calendar_id", "in", [company["resource_calendar_id"][0], False]),
            ("resource_id", "=", False),
        ],
        ["date_from", "date_to"],
    )
    holidays = set()
    for leave in leaves:
        day = datetime.fromisoformat(leave["date_from"]).date()
        while day <= datetime.fromisoformat(leave["date_to"]).date():
            holidays.add(day)
            day += timedelta(days=1)
    day = received
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days -= 1
    return day


def test_access_request_from_page_delivers_own_data_only(server, users, admin, hair):
    """J10 (issue 12): A and D, two prospects under one company (a family), sent photos.
    A asks for access on their page; their executive finds it from the prospect, with its
    deadline in working days; another executive cannot read it; the manager answers; A
    downloads the zip (never cached) from their page: A's contact, treatment and original
    photos, and not one byte of D's data or photos. D's link cannot fetch it."""
    case_a, email_a, page_a, web_a = prospect_with_photos(server, users, admin, hair, "Alicia")
    # D's photos are other pictures: not a byte of them may be in A's archive
    case_d, email_d, page_d, _web_d = prospect_with_photos(
        server, users, admin, hair, "Diana", slots=(2, 3)
    )
    family = admin.create("res.partner", {"name": "Familia Arco", "is_company": True})
    admin.write(
        "res.partner", [case_a["partner_id"][0], case_d["partner_id"][0]], {"parent_id": family}
    )

    response = start_request(server, web_a, page_a, "access", "Quiero una copia de mis datos.")
    assert response.status_code == 200
    assert "o_hmr_arco_sent" in response.text

    executive, manager = users["ejecutivo"], users["gerente"]
    lead_a = case_a["lead_id"][0]
    action = executive.call("crm.lead", "action_view_hmr_arco_requests", [lead_a])
    assert action["res_model"] == "hmr.arco.request"
    # a new request from there is the prospect's
    defaults = executive.call(
        "hmr.arco.request", "default_get", ["lead_id"], context=action["context"]
    )
    assert defaults["lead_id"] == lead_a
    [arco] = requests_of(executive, lead_a)
    assert (arco["request_type"], arco["channel"], arco["state"]) == (
        "access",
        "portal",
        "received",
    )
    received = date.fromisoformat(utc_now_str()[:10])
    deadline = date.fromisoformat(arco["deadline_date"])
    # received today (local time may still be yesterday in Mexico City)
    assert deadline in (
        expected_deadline(admin, received),
        expected_deadline(admin, received - timedelta(days=1)),
    )
    with pytest.raises(xmlrpc.client.Fault) as error:
        users["ejecutiva2"].read("hmr.arco.request", [arco["id"]], ["description"])
    assert error.value.faultCode == ACCESS_ERROR

    register = manager.search_read("hmr.arco.request", [("state", "=", "received")], ["id"])
    assert arco["id"] in {row["id"] for row in register}
    answer(manager, arco["id"], "Adjuntamos sus datos.")
    [arco] = requests_of(manager, lead_a)
    assert arco["state"] == "answered" and arco["archive_id"]
    # the manager's download from the web client is never cached either
    staff_web = requests.Session()
    staff_web.post(
        f"{server.url}/web/session/authenticate",
        json={"params": {"db": server.db, "login": "gerente", "password": "gerente"}},
        timeout=60,
    ).raise_for_status()
    url = manager.call("hmr.arco.request", "action_download_archive", [arco["id"]])["url"]
    staff_download = staff_web.get(f"{server.url}{url}", timeout=60)
    assert staff_download.status_code == 200
    assert "no-store" in staff_download.headers["Cache-Control"]

    page = web_a.get(page_a, timeout=60)
    assert "Adjuntamos sus datos." in page.text
    link = ARCHIVE_LINK.search(page.text).group(1).replace("&amp;", "&")
    download = web_a.get(f"{server.url}{link}", timeout=60)
    assert download.status_code == 200
    assert "no-store" in download.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = archive.namelist()
    contact = json.loads(archive.read("contact.json"))
    assert contact["email"] == email_a
    # in the prospect's language (Spanish), whoever answered, with words rather than codes
    consents = json.loads(archive.read("consents.json"))
    assert "Portal del prospecto" in {log["channel"] for log in consents["history"]}
    photos = [archive.read(name) for name in names if "/photos/" in name]
    assert sorted(photos) == sorted(photo_bytes(admin, case_a["id"])) and len(photos) == 2
    everything = b"".join(archive.read(name) for name in names)
    assert email_d.encode() not in everything
    assert f"treatments/{case_d['id']}/" not in "".join(names)
    for photo in photo_bytes(admin, case_d["id"]):
        assert photo not in everything

    # D's link opens D's page, never A's archive
    token_d = re.search(r"access_token=([\w-]+)", page_d).group(1)
    stolen = re.sub(r"access_token=[\w-]+", f"access_token={token_d}", link)
    assert visitor_session().get(f"{server.url}{stolen}", timeout=60).status_code == 403
    case_path_d = f"/my/hmr/cases/{case_d['id']}/"
    other = re.sub(r"/my/hmr/cases/\d+/", case_path_d, stolen)
    assert visitor_session().get(f"{server.url}{other}", timeout=60).status_code == 404


def test_manager_warned_when_deadline_nears(users, admin, hair, scheduler):
    """J10 (issue 12): the executive opens a request from the prospect; 16 working days
    later (dates moved) the daily scheduled action gives each manager one ARCO deadline
    activity, once; answering closes it."""
    executive, manager = users["ejecutivo"], users["gerente"]
    case, _email, _page = new_prospect(executive, admin, hair, "Renata", "Arco Reloj")
    request_id = executive.create(
        "hmr.arco.request",
        {
            "lead_id": case["lead_id"][0],
            "case_id": case["id"],
            "request_type": "rectification",
            "description": "Mi apellido está mal escrito.",
        },
    )
    cron = "hmr_treatments_addon.ir_cron_hmr_arco_deadlines"
    activity_type = admin.ref("hmr_treatments_addon.mail_activity_type_hmr_arco_deadline")
    domain = [
        ("res_model", "=", "hmr.arco.request"),
        ("res_id", "=", request_id),
        ("activity_type_id", "=", activity_type),
    ]
    scheduler.run(cron)
    assert not admin.search_read("mail.activity", domain, ["id"]), "not yet: the clock is far"
    admin.write("hmr.arco.request", request_id, {"request_date": utc_now_str(-timedelta(days=24))})
    scheduler.run(cron)
    scheduler.run(cron)
    activities = admin.search_read("mail.activity", domain, ["user_id", "date_deadline"])
    users_warned = [activity["user_id"][0] for activity in activities]
    assert manager.uid in users_warned
    assert len(users_warned) == len(set(users_warned)), "once per manager"
    assert manager.search_read("mail.activity", [*domain, ("user_id", "=", manager.uid)], ["id"])
    executive.write("crm.lead", case["lead_id"][0], {"last_name": "Arco Corregido"})
    answer(manager, request_id, "Corregimos su apellido.")
    assert not admin.search_read("mail.activity", domain, ["id"])


def test_cancellation_silences_then_anonymises(server, users, admin, hair, smtp, scheduler):
    """J10 (issue 12): the prospect asks to cancel their data on their page; the manager
    answers: the prospect gets that answer, then no email at all (photo reminders, a
    message of the executive on their case); their page shows nothing of their data and
    their photos are refused; after the retention (dates moved) the scheduled action
    anonymises them."""
    case, email, page, web = prospect_with_photos(server, users, admin, hair, "Carla", slots=(0,))
    response = start_request(server, web, page, "cancellation", "Borren mis datos.")
    assert response.status_code == 200
    manager, executive = users["gerente"], users["ejecutivo"]
    lead_id = case["lead_id"][0]
    [arco] = requests_of(manager, lead_id)
    # the prospect follows their case: the executive's messages reach them until then
    partner_id = case["partner_id"][0]
    admin.call("hmr.treatment.case", "message_subscribe", [case["id"]], partner_ids=[partner_id])
    since = len(smtp.messages)
    answer(manager, arco["id"], "Sus datos quedan cancelados.")
    scheduler.deliver_mail()
    smtp.wait_for(email, lambda m: "Sus datos quedan cancelados." in m.text, since=since)

    since = len(smtp.messages)
    admin.write("hmr.treatment.case", case["id"], {"next_photo_reminder_at": utc_now_str()})
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
    executive_case = executive.search_read(
        "hmr.treatment.case", [("id", "=", case["id"]), ("active", "in", (True, False))], ["state"]
    )
    assert executive_case[0]["state"] == "lost"
    admin.call(
        "hmr.treatment.case",
        "message_post",
        [case["id"]],
        body="¿Sigue interesada?",
        message_type="comment",
        subtype_xmlid="mail.mt_comment",
    )
    scheduler.deliver_mail()
    assert not smtp.to(email, since=since), "no email leaves for a cancelled prospect"

    html = web.get(page, timeout=60).text
    assert "o_hmr_arco_blocked" in html
    assert "o_hmr_photos" not in html and "o_hmr_own_photo" not in html
    # a blocked prospect's consents cannot be given again (that would take the address off
    # the blacklist): the section is gone and its route refuses
    assert "o_hmr_consents" not in html
    consent = web.post(
        f"{server.url}/my/hmr/cases/{case['id']}/consent",
        data={
            "csrf_token": csrf_token(html),
            "purpose": "marketing",
            "given": "1",
            "access_token": re.search(r"access_token=([\w-]+)", page).group(1),
        },
        allow_redirects=False,
        timeout=60,
    )
    assert consent.status_code == 403
    assert admin.search_read("mail.blacklist", [("email", "=", email)], ["id"])
    slot = admin.search_read("hmr.case.photo", [("case_id", "=", case["id"])], ["slot_id"])[0]
    token = re.search(r"access_token=([\w-]+)", page).group(1)
    image = f"{server.url}/my/hmr/cases/{case['id']}/photo/{slot['slot_id'][0]}/image"
    image += f"?access_token={token}"
    assert web.get(image, timeout=60).status_code == 403

    # the manager sets the clinic's retention in its settings
    settings = manager.create("res.config.settings", {"hmr_arco_retention_days": 15})
    manager.call("res.config.settings", "execute", [settings])
    admin.write("hmr.arco.request", arco["id"], {"blocked_date": utc_now_str(-timedelta(days=14))})
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_arco_anonymize")
    assert admin.search_read("hmr.case.photo", [("case_id", "=", case["id"])], ["id"]), "kept"
    blocked = utc_now_str(-timedelta(days=16))
    admin.write("hmr.arco.request", arco["id"], {"blocked_date": blocked})
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_arco_anonymize")
    lead = admin.search_read(
        "crm.lead",
        [("id", "=", lead_id), ("active", "in", (True, False))],
        ["email_from", "phone", "first_name", "partner_id"],
    )[0]
    assert not (lead["email_from"] or lead["phone"] or lead["first_name"])
    partner = admin.read_one("res.partner", lead["partner_id"][0], ["name", "email"])
    assert not partner["email"] and "Carla" not in partner["name"]
    assert not admin.search_read(
        "hmr.treatment.case", [("lead_id", "=", lead_id), ("active", "in", (True, False))], ["id"]
    )
    assert not admin.search_read("hmr.case.photo", [("case_id", "=", case["id"])], ["id"])
    assert requests_of(admin, lead_id)[0]["state"] == "answered", "the register keeps the request"

"""Issue 12 (medical privacy) on the real server: every access of the clinic's staff to a
prospect's photo is logged and read by the manager only (J10, B3), and the public methods
of the project's models answer an access error to whoever cannot read the record (a portal
prospect on another prospect's records, an executive on another executive's)."""

import xmlrpc.client

import pytest
import requests
from hmr_client import json_rpc, utc_now_str, visitor_session
from hmr_steps import PHOTO_FILES, find_case, new_prospect, upload_photo

LOG = "hmr.photo.access.log"
# Odoo's XML-RPC fault code of an AccessError
ACCESS_ERROR = 4
ACCESS_ERROR_NAME = "odoo.exceptions.AccessError"
PORTAL_PASSWORD = "prospecto-portal-2026"

# The public methods the project defines on records (``def [a-z]`` in hmr_crm_addon and
# hmr_treatments_addon, @api.model ones aside): each must refuse whoever cannot read the
# record. The unit test test_hmr_portal_access_errors finds them by introspection.
PROJECT_METHODS = {
    "crm.lead": [
        "action_view_treatment_cases",
        "action_hmr_schedule_call",
        "action_hmr_view_calls",
        "action_hmr_send_message",
        "action_hmr_send_email",
        "action_hmr_send_sms",
        "action_hmr_view_duplicates",
        "action_hmr_marketing_consent_given",
        "action_hmr_marketing_consent_withdrawn",
        "action_hmr_photo_consent_given",
        "action_hmr_photo_consent_withdrawn",
        "action_view_hmr_arco_requests",
        "write",
    ],
    "hmr.treatment.case": [
        "action_mark_lost",
        "action_reopen",
        "action_create_quote",
        "action_open_assessment",
        "action_view_quotes",
        "action_send_photo_reminder",
        "action_hmr_record_privacy_consent",
        "action_view_hmr_arco_requests",
    ],
    "hmr.case.photo": ["write", "unlink"],
    "hmr.assessment": ["action_done"],
    "hmr.call": [
        "action_mark_done",
        "action_cancel",
        "action_reset_to_planned",
        "action_open_prospect",
        "write",
    ],
    "sale.order": ["action_hmr_invoice", "write"],
    "hmr.crm.message": ["action_open_document", "action_new_message", "action_cancel_schedule"],
    "hmr.message.composer": ["action_send"],
    "hmr.arco.request": [
        "action_start",
        "action_answer",
        "action_refuse",
        "action_generate_archive",
        "action_download_archive",
    ],
}
# what a method needs besides its records
METHOD_ARGS = {"write": [{}]}


def web_session(server, login, password=None):
    """A browser's session of ``login`` (the web client's own log-in call)."""
    session = requests.Session()
    response = session.post(
        f"{server.url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": server.db, "login": login, "password": password or login},
        },
        timeout=60,
    )
    assert response.json().get("result", {}).get("uid"), response.text
    return session


def call_kw(server, session, model, method, ids, *args, **kwargs):
    """A method called as the web client calls it (JSON-RPC in the user's session): the
    JSON-RPC answer, its ``result`` or its ``error``."""
    response = json_rpc(
        session,
        f"{server.url}/web/dataset/call_kw/{model}/{method}",
        {"model": model, "method": method, "args": [ids, *args], "kwargs": kwargs},
    )
    assert response.status_code == 200, response.text[-500:]
    return response.json()


def assert_access_error(call):
    with pytest.raises(xmlrpc.client.Fault) as error:
        call()
    assert error.value.faultCode == ACCESS_ERROR, error.value.faultString


def log_entries(manager, case_id, since):
    return manager.search_read(
        LOG,
        [("case_id", "=", case_id), ("access_date", ">=", since)],
        ["user_id", "access_date", "photo_id", "channel", "request_path"],
        order="id",
    )


@pytest.fixture(scope="module")
def photo_case(server, users, admin):
    """A prospect of the executive who sent their five photos from their page: the case is
    now with its doctor for the assessment."""
    fue = admin.ref("hmr_treatments_addon.hmr_treatment_fue")
    case, email, case_url = new_prospect(users["ejecutivo"], admin, fue, "Bitácora", "Foto Privada")
    with visitor_session() as phone:
        for index in range(len(PHOTO_FILES)):
            upload_photo(server, phone, case_url, index, consent=index == 0)
    case = find_case(admin, email)
    assert case["step_kind"] == "assessment" and case["doctor_id"], case
    doctor = admin.read_one("res.users", case["doctor_id"][0], ["login"])["login"]
    photos = admin.search_read("hmr.case.photo", [("case_id", "=", case["id"])], ["slot_id"])
    assert len(photos) == len(PHOTO_FILES)
    return {"case": case, "url": case_url, "photos": photos, "doctor": doctor}


# ------------------------------------------------------------------------------------------------
# The photo access log
# ------------------------------------------------------------------------------------------------


def test_staff_photo_views_are_logged_for_the_manager(server, users, admin, photo_case):
    """J10, B3: the doctor sees a photo in the web client (/web/image, twice within a
    minute: one entry), downloads it (/web/content), reads its image over JSON-RPC and
    opens it on the prospect's page while logged in; the executive reads an image over
    XML-RPC. The manager then reads, for the case, who saw which photo, when and how. What
    is not the image is not logged: the form's read of the image's size, the photo's
    metadata, the prospect's own view of their photo."""
    manager, executive = users["gerente"], users["ejecutivo"]
    doctor_login, case = photo_case["doctor"], photo_case["case"]
    doctor = users[doctor_login]
    first, second = photo_case["photos"][0], photo_case["photos"][1]
    since = utc_now_str()
    session = web_session(server, doctor_login)

    # the form: the image's size only (bin_size), and metadata: no image, no entry
    form = call_kw(
        server,
        session,
        "hmr.case.photo",
        "web_read",
        [first["id"]],
        specification={"image": {}, "slot_id": {}, "mimetype": {}},
        context={"bin_size": True},
    )
    assert "error" not in form, form
    assert len(form["result"][0]["image"]) < 20, "the size, not the image"
    doctor.read("hmr.case.photo", [first["id"], second["id"]], ["slot_id", "width", "height"])
    # the prospect looks at their own photo on their page (the link's token)
    with visitor_session() as prospect:
        own = prospect.get(
            f"{server.url}/my/hmr/cases/{case['id']}/photo/{first['slot_id'][0]}/image"
            f"?access_token={photo_case['url'].split('access_token=')[1]}",
            timeout=60,
        )
        assert own.status_code == 200 and own.content[:2] == b"\xff\xd8"
    assert log_entries(manager, case["id"], since) == [], "no image reached by the staff yet"

    # the web client shows the photo (kanban card, then its form): the image's bytes
    for _view in range(2):
        shown = session.get(
            f"{server.url}/web/image/hmr.case.photo/{first['id']}/image?unique=1", timeout=60
        )
        assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
        # no browser keeps a copy: every view comes back to the server and to the log
        assert "no-store" in shown.headers["Cache-Control"], shown.headers
        assert "immutable" not in shown.headers["Cache-Control"]
    downloaded = session.get(
        f"{server.url}/web/content/hmr.case.photo/{first['id']}/image?download=true", timeout=60
    )
    assert downloaded.status_code == 200 and downloaded.content[:2] == b"\xff\xd8"
    read = call_kw(server, session, "hmr.case.photo", "read", [second["id"]], ["image"])
    assert read["result"][0]["image"][:4] == "/9j/", "the image itself (a JPEG in base64)"
    on_page = session.get(
        f"{server.url}/my/hmr/cases/{case['id']}/photo/{second['slot_id'][0]}/image", timeout=60
    )
    assert on_page.status_code == 200 and on_page.content[:2] == b"\xff\xd8"
    rpc_read = executive.read("hmr.case.photo", first["id"], ["image"])
    assert rpc_read[0]["image"]
    until = utc_now_str()

    entries = log_entries(manager, case["id"], since)
    seen = sorted(
        (entry["user_id"][1], entry["photo_id"][0], entry["channel"]) for entry in entries
    )
    doctor_name = admin.read_one("res.users", doctor.uid, ["name"])["name"]
    executive_name = admin.read_one("res.users", executive.uid, ["name"])["name"]
    assert seen == sorted(
        [
            (doctor_name, first["id"], "view"),
            (doctor_name, first["id"], "download"),
            (doctor_name, second["id"], "rpc"),
            (doctor_name, second["id"], "portal"),
            (executive_name, first["id"], "rpc"),
        ]
    ), entries
    for entry in entries:
        assert since <= entry["access_date"] <= until, entry
        assert "access_token" not in (entry["request_path"] or "")


def test_photo_log_is_the_managers_and_append_only(server, users, admin, photo_case):
    """J10: the log is read by the manager only (its menu, the case's button); the
    executive and the doctor cannot read it, and no one (not even the manager or the
    administrator) creates, changes or deletes an entry."""
    manager = users["gerente"]
    doctor = users[photo_case["doctor"]]
    case_id = photo_case["case"]["id"]
    photo_id = photo_case["photos"][2]["id"]
    doctor.read("hmr.case.photo", photo_id, ["image"])
    entries = manager.search_read(LOG, [("photo_id", "=", photo_id)], ["user_id", "channel"])
    assert [(e["user_id"][0], e["channel"]) for e in entries] == [(doctor.uid, "rpc")], entries
    entry_id = entries[0]["id"]

    for login in ("ejecutivo", "ejecutiva2", photo_case["doctor"]):
        assert_access_error(lambda rpc=users[login]: rpc.search_read(LOG, [], ["user_id"]))
    for login in ("gerente", "admin"):
        rpc = users[login]
        assert_access_error(lambda rpc=rpc: rpc.write(LOG, entry_id, {"user_id": rpc.uid}))
        assert_access_error(lambda rpc=rpc: rpc.call(LOG, "unlink", [entry_id]))
        assert_access_error(
            lambda rpc=rpc: rpc.create(
                LOG, {"user_id": rpc.uid, "photo_id": photo_id, "channel": "rpc"}
            )
        )
    entry = manager.read_one(LOG, entry_id, ["user_id", "case_id"])
    assert entry["user_id"][0] == doctor.uid and entry["case_id"][0] == case_id

    # the manager's menu and the case's button; neither for the executive
    menu_id = admin.ref("hmr_treatments_addon.hmr_menu_reporting_photo_access_log")
    for login, sees in (("gerente", True), ("ejecutivo", False)):
        rpc = users[login]
        menus = web_session(server, login).get(f"{server.url}/web/webclient/load_menus").json()
        assert (str(menu_id) in menus) is sees, login
        views = rpc.call("hmr.treatment.case", "get_views", [[False, "form"]])
        arch = views["views"]["form"]["arch"]
        assert ("search_default_case_id" in arch) is sees, login


# ------------------------------------------------------------------------------------------------
# Public methods on records the caller cannot read
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def others_records(users, admin, photo_case, sent_quotes):
    """The records of the executive's prospect (photo_case) and the staff's records around
    them, none of which a portal prospect may read: {model: id}."""
    executive = users["ejecutivo"]
    case = photo_case["case"]
    lead_id = case["lead_id"][0]
    quote = sent_quotes("ejecutivo", first_name="Ajena")
    call_id = executive.create(
        "hmr.call", {"lead_id": lead_id, "user_id": executive.uid, "call_at": utc_now_str()}
    )
    composer_id = executive.call(
        "hmr.message.composer",
        "create",
        {},
        context={"active_model": "crm.lead", "active_ids": [lead_id]},
    )
    message = admin.search_read("hmr.crm.message", [("lead_id", "=", lead_id)], ["id"], limit=1)
    message = message or admin.search_read("hmr.crm.message", [], ["id"], limit=1)
    assessment = admin.search_read("hmr.assessment", [("case_id", "=", case["id"])], ["id"])
    arco_request_id = admin.create(
        "hmr.arco.request",
        {"lead_id": lead_id, "request_type": "access", "description": "Mis datos"},
    )
    return {
        "crm.lead": lead_id,
        "hmr.treatment.case": case["id"],
        "hmr.case.photo": photo_case["photos"][0]["id"],
        "hmr.assessment": assessment[0]["id"],
        "hmr.call": call_id,
        "sale.order": quote["id"],
        "hmr.crm.message": message[0]["id"],
        "hmr.message.composer": composer_id,
        "hmr.arco.request": arco_request_id,
    }


@pytest.fixture(scope="module")
def portal_prospect(server, users, admin):
    """Another prospect with an account on the clinic's portal, logged in (a browser)."""
    fue = admin.ref("hmr_treatments_addon.hmr_treatment_fue")
    case, email, _url = new_prospect(users["ejecutiva2"], admin, fue, "Dora", "Portal Ajeno")
    partner_id = admin.read_one("hmr.treatment.case", case["id"], ["partner_id"])["partner_id"][0]
    admin.create(
        "res.users",
        {
            "login": email,
            "password": PORTAL_PASSWORD,
            "partner_id": partner_id,
            "group_ids": [[6, 0, [admin.ref("base.group_portal")]]],
        },
    )
    return web_session(server, email, PORTAL_PASSWORD)


def test_portal_prospect_gets_access_errors_from_every_method(
    server, portal_prospect, others_records
):
    """B2, B3 (issue 12): a prospect logged in to the portal calls, over JSON-RPC, every
    public method of the project's models on another prospect's records and on the staff's
    records: each answers an access error (no window action, no ids, nothing done)."""
    answers = {}
    for model, methods in PROJECT_METHODS.items():
        for method in methods:
            payload = call_kw(
                server,
                portal_prospect,
                model,
                method,
                [others_records[model]],
                *METHOD_ARGS.get(method, []),
            )
            answers[f"{model}.{method}"] = (
                payload["error"]["data"]["name"]
                if "error" in payload
                else f"answered {str(payload['result'])[:80]}"
            )
    refused = {call: answer for call, answer in answers.items() if answer != ACCESS_ERROR_NAME}
    assert refused == {}, refused


def test_executive_gets_access_errors_on_another_executives_records(
    users, admin, photo_case, sent_quotes
):
    """P4, B3 (issue 12): the other executive, whose rules hide the executive's prospect,
    calls the project's methods on its prospect, case, call and quote over XML-RPC: each
    answers an access error."""
    executive, other = users["ejecutivo"], users["ejecutiva2"]
    case = photo_case["case"]
    lead_id = case["lead_id"][0]
    quote = sent_quotes("ejecutivo", first_name="Celosa")
    call_id = executive.create(
        "hmr.call", {"lead_id": lead_id, "user_id": executive.uid, "call_at": utc_now_str()}
    )
    records = {
        "crm.lead": lead_id,
        "hmr.treatment.case": case["id"],
        "hmr.case.photo": photo_case["photos"][0]["id"],
        "hmr.call": call_id,
        "sale.order": quote["id"],
    }
    assert_access_error(lambda: other.read("crm.lead", lead_id, ["name"]))
    answers = {}
    for model, record_id in records.items():
        for method in PROJECT_METHODS[model]:
            try:
                answers[f"{model}.{method}"] = other.call(
                    model, method, [record_id], *METHOD_ARGS.get(method, [])
                )
            except xmlrpc.client.Fault as fault:
                answers[f"{model}.{method}"] = fault.faultCode
    refused = {call: answer for call, answer in answers.items() if answer != ACCESS_ERROR}
    assert refused == {}, refused

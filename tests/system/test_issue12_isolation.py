"""Issue 12 on the real server: a prospect's case, quotes and photos are theirs alone, whatever
the staff do to the contacts (a family or two colleagues under one company, merged contacts, a
prospect's contact replaced), and no page with medical data or a token is ever cached.
The attacker is another prospect with a portal account (HTTP and JSON-RPC) or anyone holding an
old link; the prospect keeps reaching their own case, photos and quote, and signs it."""

import re
import time

import pytest
from hmr_client import json_rpc, visitor_session
from hmr_steps import create_command, new_prospect, send_quote, upload_photo

# a 1x1 PNG: the prospect's signature
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def grant_portal(admin, partner_id):
    """The staff give the contact a portal account (Odoo's "Grant portal access" wizard);
    the prospect sets a password. Return their logged-in HTTP session."""
    wizard_id = admin.create("portal.wizard", {"partner_ids": [[6, 0, [partner_id]]]})
    line = admin.search_read(
        "portal.wizard.user",
        [("wizard_id", "=", wizard_id), ("partner_id", "=", partner_id)],
        ["id"],
    )[0]
    admin.button("portal.wizard.user", "action_grant_access", [line["id"]])
    user = admin.search_read("res.users", [("partner_id", "=", partner_id)], ["id", "login"])[0]
    password = f"Pw-{time.time_ns()}"
    admin.write("res.users", user["id"], {"password": password})
    return login(admin.url, admin.db, user["login"], password)


def login(url, db, user_login, password):
    session = visitor_session()
    response = json_rpc(
        session,
        f"{url}/web/session/authenticate",
        {"db": db, "login": user_login, "password": password},
    )
    assert response.json().get("result", {}).get("uid"), response.text
    return session


def rpc_read(server, session, model, record_id):
    """A JSON-RPC read as the web client makes it: the result, or ``None`` when refused (a
    case's state: its name comes from the prospect, which no portal account reads)."""
    field = "state" if model == "hmr.treatment.case" else "name"
    payload = json_rpc(
        session,
        f"{server.url}/web/dataset/call_kw/{model}/read",
        {"model": model, "method": "read", "args": [[record_id], [field]], "kwargs": {}},
    ).json()
    if "error" in payload:
        assert "AccessError" in payload["error"]["data"]["name"], payload["error"]
        return None
    return payload["result"]


def get(server, session, path):
    return session.get(f"{server.url}{path}", allow_redirects=False, timeout=60)


def prospect_with_quote(users, admin, direct_treatment, first_name):
    """A prospect of the executive with the quote of their case sent."""
    executive = users["ejecutivo"]
    case, email, page = new_prospect(executive, admin, direct_treatment, first_name, "Aislado")
    action = executive.call("hmr.treatment.case", "action_create_quote", [case["id"]])
    send_quote(executive, action["res_id"])
    return {
        "case": case["id"],
        "lead": case["lead_id"][0],
        "partner": case["partner_id"][0],
        "page": page,
        "email": email,
        "quote": action["res_id"],
        "quote_url": admin.call("sale.order", "get_portal_url", [action["res_id"]]),
    }


@pytest.fixture(scope="module")
def alma(server, users, admin, smtp, direct_treatment):
    """Alma: the hair treatment with her first photo sent from her page, and the quote of a
    second treatment; a portal account."""
    executive = users["ejecutivo"]
    fue = admin.ref("hmr_treatments_addon.hmr_treatment_fue")
    prospect = prospect_with_quote(users, admin, direct_treatment, "Alma")
    executive.write(
        "crm.lead",
        prospect["lead"],
        {"treatment_case_ids": [create_command(treatment_id=fue)]},
    )
    photo_case = admin.search_read(
        "hmr.treatment.case",
        [("lead_id", "=", prospect["lead"]), ("treatment_id", "=", fue)],
        ["id"],
    )[0]["id"]
    photo_page = server.url + admin.call("hmr.treatment.case", "get_portal_url", [photo_case])
    upload_photo(server, visitor_session(), photo_page, 0)
    photo = admin.search_read("hmr.case.photo", [("case_id", "=", photo_case)], ["slot_id"])
    prospect.update(
        photo_case=photo_case,
        photo_page=photo_page,
        photo_path=f"/my/hmr/cases/{photo_case}/photo/{photo[0]['slot_id'][0]}/image",
    )
    prospect["web"] = grant_portal(admin, prospect["partner"])
    return prospect


@pytest.fixture(scope="module")
def diego(users, admin, smtp, direct_treatment):
    """Diego: another prospect of the same executive, with his own quote and a portal
    account: the attacker."""
    prospect = prospect_with_quote(users, admin, direct_treatment, "Diego")
    prospect["web"] = grant_portal(admin, prospect["partner"])
    return prospect


def assert_refused(server, web, victim):
    """Nothing of ``victim``'s reaches this visitor: neither the pages, the photo, nor a
    JSON-RPC read of the case or the quote, nor the portal's lists."""
    for path in (f"/my/hmr/cases/{victim['case']}", f"/my/orders/{victim['quote']}"):
        response = get(server, web, path)
        assert response.status_code in (302, 303), (path, response.status_code)
        assert victim["email"] not in response.text
    if "photo_path" in victim:
        assert get(server, web, f"/my/hmr/cases/{victim['photo_case']}").status_code == 303
        response = get(server, web, victim["photo_path"])
        assert response.status_code == 403, response.status_code
        assert not response.headers.get("Content-Type", "").startswith("image/")
    assert rpc_read(server, web, "hmr.treatment.case", victim["case"]) is None
    assert rpc_read(server, web, "sale.order", victim["quote"]) is None
    cases = get(server, web, "/my/hmr/cases")
    assert f"/my/hmr/cases/{victim['case']}" not in cases.text
    quotes = get(server, web, "/my/quotes")
    assert f"/my/orders/{victim['quote']}" not in quotes.text


def assert_reaches(server, web, prospect):
    """The prospect logged in reaches their case, photos and quote (HTTP and JSON-RPC)."""
    for path in (f"/my/hmr/cases/{prospect['case']}", f"/my/orders/{prospect['quote']}"):
        response = get(server, web, path)
        assert response.status_code == 200, (path, response.status_code)
    if "photo_path" in prospect:
        response = get(server, web, prospect["photo_path"])
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("image/")
    assert rpc_read(server, web, "hmr.treatment.case", prospect["case"])
    assert rpc_read(server, web, "sale.order", prospect["quote"])


def test_family_under_one_company(server, users, admin, alma, diego):
    """B2, B3: the executive sets one company as the parent of two prospects' contacts (a
    family, two colleagues): neither reaches the other's case, photos or quote, over HTTP
    or JSON-RPC; each still reaches their own."""
    executive = users["ejecutivo"]
    company = executive.create("res.partner", {"name": "Familia Aislado", "is_company": True})
    executive.write("res.partner", [alma["partner"], diego["partner"]], {"parent_id": company})
    assert_refused(server, diego["web"], alma)
    assert_refused(server, alma["web"], diego)
    assert_reaches(server, alma["web"], alma)
    assert_reaches(server, diego["web"], diego)


def test_merged_contacts(server, users, admin, smtp, direct_treatment, alma, diego):
    """B2, B3: contacts holding the cases of another prospect are never merged into an
    account: Odoo's merge of a prospect's contact into another prospect's contact is refused
    (even by the administrator), and nothing moves; a mere duplicate of the prospect's contact
    still merges into it, and the prospect keeps their case."""
    mateo = prospect_with_quote(users, admin, direct_treatment, "Mateo")
    for sources, destination in (
        ([mateo["partner"]], diego["partner"]),
        ([diego["partner"]], mateo["partner"]),
    ):
        wizard_id = admin.create(
            "base.partner.merge.automatic.wizard",
            {"partner_ids": [[6, 0, [*sources, destination]]], "dst_partner_id": destination},
        )
        with pytest.raises(AssertionError, match=r"(?i)treatment|tratamiento"):
            admin.button("base.partner.merge.automatic.wizard", "action_merge", [wizard_id])
    assert (
        admin.read_one("hmr.treatment.case", mateo["case"], ["partner_id"])["partner_id"][0]
        == (mateo["partner"])
    )
    assert rpc_read(server, diego["web"], "hmr.treatment.case", mateo["case"]) is None
    assert rpc_read(server, diego["web"], "sale.order", mateo["quote"]) is None

    duplicate = users["ejecutivo"].create(
        "res.partner", {"name": "Alma Aislado (duplicada)", "email": alma["email"]}
    )
    wizard_id = admin.create(
        "base.partner.merge.automatic.wizard",
        {"partner_ids": [[6, 0, [duplicate, alma["partner"]]]], "dst_partner_id": alma["partner"]},
    )
    admin.button("base.partner.merge.automatic.wizard", "action_merge", [wizard_id])
    assert not admin.search_read("res.partner", [("id", "=", duplicate)], ["id"])
    assert_reaches(server, alma["web"], alma)
    assert_refused(server, diego["web"], alma)


def test_contact_replaced(server, users, admin, smtp, direct_treatment):
    """B2, B3: the executive replaces a prospect's contact by another one: the former
    contact's account and the old links (page, quote) stop working at once; the new contact
    reaches the case and the quote, and the links sent afterwards work."""
    executive = users["ejecutivo"]
    rosa = prospect_with_quote(users, admin, direct_treatment, "Rosa")
    former = grant_portal(admin, rosa["partner"])
    assert_reaches(server, former, rosa)
    email = f"rosa.{time.time_ns()}@example.mx"
    new_contact = executive.create("res.partner", {"name": "Rosa Aislado Correcta", "email": email})
    executive.write("crm.lead", rosa["lead"], {"partner_id": new_contact})
    assert_refused(server, former, rosa)
    anonymous = visitor_session()
    for old_link in (rosa["page"], rosa["quote_url"]):
        response = anonymous.get(
            old_link if old_link.startswith("http") else f"{server.url}{old_link}",
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code in (302, 303), (old_link, response.status_code)
        assert rosa["email"] not in response.text
    assert_reaches(server, grant_portal(admin, new_contact), rosa)
    for path in (
        admin.call("hmr.treatment.case", "get_portal_url", [rosa["case"]]),
        admin.call("sale.order", "get_portal_url", [rosa["quote"]]),
    ):
        assert get(server, visitor_session(), path).status_code == 200, path


def test_no_store_on_private_pages(server, admin, alma):
    """B2, B3: every page with medical data or a token is kept by no cache, logged in or
    with the link: the case page, its photo, the lists, the quote page and its PDF, the
    questionnaire."""
    web, anonymous = alma["web"], visitor_session()
    token = re.search(r"access_token=([\w-]+)", alma["quote_url"]).group(1)
    pdf = f"/my/orders/{alma['quote']}?report_type=pdf&download=true&access_token={token}"
    pages = [
        (web, f"/my/hmr/cases/{alma['photo_case']}"),
        (web, alma["photo_path"]),
        (web, "/my/hmr/cases"),
        (web, f"/my/orders/{alma['quote']}"),
        (anonymous, alma["photo_page"].removeprefix(server.url)),
        (anonymous, alma["quote_url"]),
        (anonymous, pdf),
    ]
    for session, path in pages:
        response = get(server, session, path)
        assert response.status_code == 200, (path, response.status_code)
        cache = response.headers.get("Cache-Control", "")
        assert "no-store" in cache and "private" in cache, (path, cache)
    # the questionnaire of the treatment, reached from the prospect's page
    page = get(server, web, f"/my/hmr/cases/{alma['photo_case']}")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    start = web.post(
        f"{server.url}/my/hmr/cases/{alma['photo_case']}/questionnaire",
        data={"csrf_token": csrf},
        allow_redirects=False,
        timeout=60,
    )
    assert start.status_code == 303 and "/survey/" in start.headers["Location"]
    survey = web.get(server.url + start.headers["Location"].removeprefix(server.url), timeout=60)
    assert survey.status_code == 200
    assert "/survey/" in survey.url
    assert "no-store" in survey.headers.get("Cache-Control", ""), survey.url


def test_prospect_still_signs(server, admin, alma, diego):
    """S3.1, B2: after all of it, the prospect logged in signs their own quote; the other
    prospect cannot sign it."""
    refused = json_rpc(
        diego["web"],
        f"{server.url}/my/orders/{alma['quote']}/accept",
        {"name": "Diego", "signature": SIGNATURE},
    ).json()
    assert "error" in refused or refused.get("result", {}).get("error"), refused
    assert admin.read_one("sale.order", alma["quote"], ["state"])["state"] == "sent"
    accepted = json_rpc(
        alma["web"],
        f"{server.url}/my/orders/{alma['quote']}/accept",
        {"name": "Alma Aislado", "signature": SIGNATURE},
    ).json()
    assert not accepted.get("error") and not accepted["result"].get("error"), accepted
    assert admin.read_one("sale.order", alma["quote"], ["state"])["state"] == "sale"

"""Issue 12 as the attacker found it on the real server (started as `make run` starts it):
the quote's last valid day judged on the clinic's clock, for the prospect with the email link
and for the prospect logged in; a price below the price list is a discount under the same
limits whoever edits; the quote the prospect accepted keeps its terms."""

import base64
import io
import re
import time
import xmlrpc.client
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hmr_client import csrf_token, json_rpc, utc_now_str, visible_text, visitor_session
from hmr_steps import create_command, doctor_quote, priced_line

CLINIC_TZ = "America/Mexico_City"
# zones whose date is behind UTC's for part of the day (the attacker's window: from 18:00 in
# Mexico City, UTC already says tomorrow), then one ahead of it for the rest of the day
ZONES = (CLINIC_TZ, "Pacific/Pago_Pago", "Etc/GMT+12", "Pacific/Kiritimati")


def _fault(call):
    with pytest.raises(xmlrpc.client.Fault) as error:
        call()
    return error.value.faultString


def _signature_png():
    from PIL import Image  # noqa: PLC0415 - Pillow comes with Odoo's requirements

    buffer = io.BytesIO()
    Image.new("RGB", (160, 50), (20, 20, 120)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _zone_on_another_day():
    """A zone whose date now differs from UTC's (behind it when any zone is), not within
    20 minutes of its midnight: the test then runs in the window, whatever the hour."""
    now = datetime.now(UTC)
    for name in ZONES:
        local = now.astimezone(ZoneInfo(name))
        next_midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0)
        if local.date() != now.date() and next_midnight - local > timedelta(minutes=20):
            return name, local.date()
    raise AssertionError("no zone is on another day than UTC now")


@pytest.fixture
def clinic_day(admin):
    """The clinic (its company's address) on a zone whose date now is not UTC's date:
    yields the clinic's date, then puts the demo clinic back on Mexico City time."""
    company = admin.search_read("res.company", [], ["partner_id"], limit=1)[0]
    zone, local_date = _zone_on_another_day()
    admin.write("res.partner", company["partner_id"][0], {"tz": zone})
    try:
        yield local_date
    finally:
        admin.write("res.partner", company["partner_id"][0], {"tz": CLINIC_TZ})


def _token(quote):
    return re.search(r"access_token=([\w-]+)", quote["url"]).group(1)


def _accept(server, session, quote, token=None):
    """What the "Accept & Sign" dialog posts (Odoo's JSON route): its result."""
    params = {"name": f"{quote['first_name']} Prueba", "signature": _signature_png()}
    if token:
        params["access_token"] = token
    response = json_rpc(session, f"{server.url}/my/orders/{quote['id']}/accept", params)
    assert response.status_code == 200, response.text[:500]
    return response.json()["result"]


def _post_answer(server, session, quote, answer, token=None):
    """Reject or ask to talk with the forms of the quote's page."""
    page_url = f"{server.url}/my/orders/{quote['id']}" + (f"?access_token={token}" if token else "")
    page = session.get(page_url, timeout=60)
    assert page.status_code == 200, page.url
    data = {"csrf_token": csrf_token(page.text)}
    if token:
        data["access_token"] = token
    if answer == "talk":
        url, data["talk_message"] = f"{server.url}/my/orders/{quote['id']}/talk", "¿Y a meses?"
    else:
        url, data["decline_message"] = f"{server.url}/my/orders/{quote['id']}/decline", "Caro"
    response = session.post(url, data=data, timeout=60)
    assert response.status_code == 200
    return response


def _logged_in_prospect(server, admin, quote):
    """The prospect of ``quote`` with a portal account, logged in on the website."""
    order = admin.read_one("sale.order", quote["id"], ["partner_id"])
    password = f"Prospecto-{time.time_ns()}"
    admin.create(
        "res.users",
        {
            "name": quote["first_name"],
            "login": quote["email"],
            "password": password,
            "partner_id": order["partner_id"][0],
            "group_ids": [[6, 0, [admin.ref("base.group_portal")]]],
        },
    )
    session = visitor_session()
    login_page = session.get(f"{server.url}/web/login", timeout=60)
    response = session.post(
        f"{server.url}/web/login",
        data={
            "csrf_token": csrf_token(login_page.text),
            "login": quote["email"],
            "password": password,
        },
        timeout=60,
    )
    assert response.status_code == 200 and "/web/login" not in response.url, response.url
    return session


def _quote_on_last_day(admin, sent_quotes, first_name, validity_date):
    quote = sent_quotes("ejecutivo", first_name=first_name)
    admin.write("sale.order", quote["id"], {"validity_date": validity_date.isoformat()})
    return quote


def _answer(admin, quote):
    return admin.read_one(
        "sale.order", quote["id"], ["hmr_answer", "hmr_accepted_on", "state", "is_expired"]
    )


# ------------------------------------------------------------------------------------------------
# Clinic time
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("visitor", ["email_link", "logged_in"])
def test_last_valid_day_answers_until_midnight_clinic_time(
    server, admin, sent_quotes, clinic_day, visitor
):
    """S3.1, B2 (issue 12): late on the quote's last valid day in the clinic (UTC already on
    another day), the prospect, with the email's link or logged in, reads a valid quote and
    may ask to talk, accept and sign, or reject; the acceptance date is the clinic's date."""
    accepted = _quote_on_last_day(admin, sent_quotes, "Amalia", clinic_day)
    rejected = _quote_on_last_day(admin, sent_quotes, "Berta", clinic_day)
    assert not _answer(admin, accepted)["is_expired"]
    for quote in (accepted, rejected):
        if visitor == "logged_in":
            session, token = _logged_in_prospect(server, admin, quote), None
        else:
            session, token = visitor_session(), _token(quote)
        url = f"{server.url}/my/orders/{quote['id']}" + (f"?access_token={token}" if token else "")
        page = session.get(url, timeout=60)
        assert 'data-bs-target="#modalaccept"' in page.text, visible_text(page.text)[:1500]
        assert "hmr_talk_sidebar_button" in page.text
        _post_answer(server, session, quote, "talk", token)
        assert _answer(admin, quote)["hmr_answer"] == "talk"
        if quote is accepted:
            result = _accept(server, session, quote, token)
            assert "error" not in result, result
            order = _answer(admin, quote)
            assert order["hmr_answer"] == "accepted" and order["state"] == "sale", order
            assert order["hmr_accepted_on"] == clinic_day.isoformat(), order
        else:
            _post_answer(server, session, quote, "rejected", token)
            assert _answer(admin, quote)["hmr_answer"] == "rejected"


@pytest.mark.parametrize("visitor", ["email_link", "logged_in"])
def test_day_after_last_valid_day_is_refused(server, admin, sent_quotes, clinic_day, visitor):
    """S3.1, B2 (issue 12): on the clinic's day after the last valid day (UTC may still be
    on the last day), the quote has expired for every visitor: no accept, no talk."""
    quote = _quote_on_last_day(admin, sent_quotes, "Carmen", clinic_day - timedelta(days=1))
    if visitor == "logged_in":
        session, token = _logged_in_prospect(server, admin, quote), None
    else:
        session, token = visitor_session(), _token(quote)
    url = f"{server.url}/my/orders/{quote['id']}" + (f"?access_token={token}" if token else "")
    page = session.get(url, timeout=60)
    assert 'data-bs-target="#modalaccept"' not in page.text
    assert "hmr_talk_sidebar_button" not in page.text
    result = _accept(server, session, quote, token)
    assert "error" in result, result
    _post_answer(server, session, quote, "talk", token)
    order = _answer(admin, quote)
    assert order["is_expired"] and not order["hmr_answer"] and order["state"] == "sent", order


def test_pages_date_the_prospects_answers_on_the_clinic_day(server, admin, sent_quotes, clinic_day):
    """S3.1, B2, J10 (issue 12): what the prospect reads is dated on the clinic's day, not
    the server's UTC one: their answer on the quote's page and the privacy notice's
    publication on its page."""
    quote = _quote_on_last_day(admin, sent_quotes, "Dalia", clinic_day)
    session, token = visitor_session(), _token(quote)
    _post_answer(server, session, quote, "rejected", token)
    page = session.get(f"{server.url}/my/orders/{quote['id']}?access_token={token}", timeout=60)
    text = visible_text(page.text)
    local, utc = clinic_day.strftime("%d/%m/%Y"), datetime.now(UTC).strftime("%d/%m/%Y")
    assert f"rechazó esta cotización el {local}" in text, text[:1500]

    notice = admin.search_read("hmr.privacy.notice", [("state", "=", "current")], ["id"])[0]
    admin.write("hmr.privacy.notice", notice["id"], {"date_published": utc_now_str()})
    notice_page = visible_text(
        session.get(f"{server.url}/hmr/aviso-de-privacidad", timeout=60).text
    )
    assert local in notice_page and utc not in notice_page, notice_page[:600]


def test_invoice_of_the_accepted_quote_falls_due_on_the_clinic_day(
    server, users, admin, sent_quotes, clinic_day
):
    """D8 (issue 12): the invoice the executive makes of an accepted quote late in the
    clinic's day is dated and falls due that day, not on UTC's."""
    quote = _quote_on_last_day(admin, sent_quotes, "Dora", clinic_day)
    assert "error" not in _accept(server, visitor_session(), quote, _token(quote))
    executive = users["ejecutivo"]
    action = executive.button("sale.order", "action_hmr_invoice", [quote["id"]])
    invoice = admin.read_one("account.move", action["res_id"], ["invoice_date_due", "date"])
    assert invoice["invoice_date_due"] == clinic_day.isoformat(), invoice
    assert invoice["date"] == clinic_day.isoformat(), invoice


# ------------------------------------------------------------------------------------------------
# Price limits, whoever edits
# ------------------------------------------------------------------------------------------------


def test_doctor_cannot_lower_a_price_by_any_door(users):
    """C11 (issue 12): the assigned doctor writes a tenth of the list price on their draft
    quote over XML-RPC, alone or with the line flagged as a down payment: refused, the
    price list's price kept."""
    doctor = users["medico"]
    order_id = doctor_quote(doctor, grafts=1500)
    line = priced_line(doctor, order_id)
    tenth = round(line["price_unit"] / 10, 2)
    for values in ({"price_unit": tenth}, {"price_unit": tenth, "is_downpayment": True}):
        fault = _fault(lambda values=values: doctor.write("sale.order.line", line["id"], values))
        assert "90" in fault, fault
    kept = doctor.read_one("sale.order.line", line["id"], ["price_unit", "is_downpayment"])
    assert kept == {"id": line["id"], "price_unit": line["price_unit"], "is_downpayment": False}


def test_executive_cannot_lower_a_price_without_the_case(users, admin, sent_quotes):
    """C11 (issue 12): the executive may not escape the limits by taking the quote off its
    case, nor by making a quote of their own without a case."""
    executive = users["ejecutivo"]
    quote = sent_quotes("ejecutivo", first_name="Elena")
    line = priced_line(executive, quote["id"])
    tenth = round(line["price_unit"] / 10, 2)
    fault = _fault(
        lambda: executive.write(
            "sale.order",
            quote["id"],
            {"hmr_case_id": False, "order_line": [[1, line["id"], {"price_unit": tenth}]]},
        )
    )
    assert "90" in fault, fault
    order = admin.read_one("sale.order", quote["id"], ["hmr_case_id", "amount_untaxed"])
    assert order["hmr_case_id"], order
    partner = admin.read_one("sale.order", quote["id"], ["partner_id"])["partner_id"][0]
    fault = _fault(
        lambda: executive.create(
            "sale.order",
            {
                "partner_id": partner,
                "order_line": [
                    create_command(
                        product_id=line["product_id"][0],
                        product_uom_qty=line["product_uom_qty"],
                        price_unit=tenth,
                    )
                ],
            },
        )
    )
    assert "90" in fault, fault


# ------------------------------------------------------------------------------------------------
# The accepted quote keeps its terms
# ------------------------------------------------------------------------------------------------


def test_accepted_quote_keeps_its_terms(server, users, admin, sent_quotes):
    """S3.1, C11 (issue 12): once the prospect accepted and signed, neither the executive
    nor the manager changes the quote's lines, prices, discounts, products, quantities or
    validity, nor the executive unlocks it; the manager cancels it (after Odoo's Unlock) and
    prepares a new version; invoicing the accepted quote goes on."""
    executive, manager = users["ejecutivo"], users["gerente"]
    quote = sent_quotes("ejecutivo", first_name="Fabiola")
    assert "error" not in _accept(server, visitor_session(), quote, _token(quote))
    line = priced_line(admin, quote["id"])
    product = admin.search_read(
        "product.product", [("sale_ok", "=", True), ("id", "!=", line["product_id"][0])], ["id"]
    )[0]["id"]
    discount = admin.search_read("hmr.discount", [], ["id"], limit=1)[0]["id"]
    edits = [
        ("sale.order.line", "write", [[line["id"]], {"product_uom_qty": 1}]),
        ("sale.order.line", "write", [[line["id"]], {"price_unit": line["price_unit"] * 2}]),
        ("sale.order.line", "write", [[line["id"]], {"hmr_discount_id": discount}]),
        ("sale.order.line", "write", [[line["id"]], {"product_id": product}]),
        ("sale.order.line", "unlink", [[line["id"]]]),
        ("sale.order.line", "create", [{"order_id": quote["id"], "product_id": product}]),
        ("sale.order", "write", [[quote["id"]], {"validity_date": "2099-12-31"}]),
    ]
    for rpc in (executive, manager):
        for model, method, args in edits:
            _fault(
                lambda rpc=rpc, model=model, method=method, args=args: rpc.call(
                    model, method, *args
                )
            )
    assert priced_line(admin, quote["id"]) == line
    _fault(lambda: executive.call("sale.order", "action_unlock", [quote["id"]]))
    _fault(lambda: executive.write("sale.order", quote["id"], {"locked": False}))
    # Odoo's flows after the acceptance go on: the executive invoices, the manager posts
    action = executive.button("sale.order", "action_hmr_invoice", [quote["id"]])
    manager.button("account.move", "action_post", [action["res_id"]])
    order = admin.read_one("sale.order", quote["id"], ["hmr_quote_status", "locked"])
    assert order == {"id": quote["id"], "hmr_quote_status": "finished", "locked": True}


def test_manager_cancels_an_accepted_quote_for_a_new_version(server, users, admin, sent_quotes):
    """S3.1 (issue 12): to change what the prospect accepted, the manager unlocks and
    cancels the quote (Odoo's buttons), then prepares a new version from it, which is
    editable again."""
    manager = users["gerente"]
    quote = sent_quotes("ejecutivo", first_name="Gabriela")
    assert "error" not in _accept(server, visitor_session(), quote, _token(quote))
    manager.button("sale.order", "action_unlock", [quote["id"]])
    manager.button("sale.order", "action_cancel", [quote["id"]])
    new_id = manager.call("sale.order", "copy", [quote["id"]])[0]
    line = priced_line(manager, new_id)
    manager.write("sale.order.line", line["id"], {"product_uom_qty": 2})
    assert admin.read_one("sale.order", quote["id"], ["state"])["state"] == "cancel"
    assert (
        manager.read_one("sale.order.line", line["id"], ["product_uom_qty"])["product_uom_qty"] == 2
    )

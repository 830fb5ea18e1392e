"""Issue 11 as the executive, the doctor and the manager meet calls, quotes and discounts on
the real server (started as `make run` starts it), each through their own XML-RPC session or
the web client's JSON-RPC button calls."""

import re
import xmlrpc.client
from datetime import timedelta

import psycopg2
import pytest
from hmr_client import utc_now_str
from hmr_steps import doctor_quote, priced_line

SPANISH_LETTERS = re.compile(r"[áéíóúñÁÉÍÓÚÑ¿¡]")
# the web client sends the user's language (the demo staff's: es_MX) with every call
SPANISH = {"lang": "es_MX"}
# what the doctor may not use on a quote: selling, invoicing, cancelling it
SELLING_BUTTONS = ('name="action_hmr_invoice"', 'name="action_confirm"', 'name="action_cancel"')


def _executive_lead(executive):
    leads = executive.search_read(
        "crm.lead", [("user_id", "=", executive.uid), ("type", "=", "opportunity")], ["id"], limit=1
    )
    assert leads, "the demo gives the executive prospects"
    return leads[0]["id"]


def _backdate_call(server, call_id, hours):
    """Time passes: the call planned for now is ``hours`` late (SQL, as no user may plan a
    call in the past)."""
    conn = psycopg2.connect(dbname=server.db, host="127.0.0.1")
    try:
        with conn, conn.cursor() as cr:
            cr.execute(
                "UPDATE hmr_call SET call_at = call_at - %s WHERE id = %s",
                (timedelta(hours=hours), call_id),
            )
    finally:
        conn.close()


def _form_arch(rpc, model):
    """The form view the user gets, as the web client asks for it."""
    views = rpc.call(model, "get_views", [[False, "form"], [False, "list"]])
    return views["views"]["form"]["arch"]


def _fault(call):
    with pytest.raises(xmlrpc.client.Fault) as error:
        call()
    return error.value.faultString


# ------------------------------------------------------------------------------------------------
# Calls (D6)
# ------------------------------------------------------------------------------------------------


def test_executive_marks_a_call_made_from_the_list(users):
    """D6 (issue 11): the executive clicks "Made" on a planned call of the list without an
    outcome: the web client gets a dialog asking for the outcome, not an error; with the
    outcome chosen in it, the call is made."""
    executive = users["ejecutivo"]
    call_id = executive.create(
        "hmr.call",
        {"lead_id": _executive_lead(executive), "call_at": utc_now_str(timedelta(hours=2))},
    )
    action = executive.button("hmr.call", "action_mark_done", [call_id])
    assert action and action["type"] == "ir.actions.act_window", action
    assert (action["res_model"], action["res_id"], action["target"]) == (
        "hmr.call",
        call_id,
        "new",
    )
    view_id = action["views"][0][0]
    arch = executive.call("hmr.call", "get_views", [[view_id, "form"]])["views"]["form"]["arch"]
    assert re.search(r'<field name="outcome"[^>]*required="(1|True)"', arch), arch
    # the dialog saves the outcome, then its button marks the call made
    executive.write("hmr.call", call_id, {"outcome": "call_back", "notes": "Llamar el lunes"})
    executive.button("hmr.call", "action_mark_done", [call_id])
    call = executive.read_one("hmr.call", call_id, ["state", "called_at", "outcome"])
    assert call["state"] == "done" and call["called_at"], call


def test_calls_list_overdue_first(users, server):
    """D6 (issue 11): the executive's calls list, in its default order, shows the calls to
    make by when to make them (the overdue ones first), the made ones after."""
    executive = users["ejecutivo"]
    lead_id = _executive_lead(executive)
    later = executive.create(
        "hmr.call", {"lead_id": lead_id, "call_at": utc_now_str(timedelta(days=2))}
    )
    soon = executive.create(
        "hmr.call", {"lead_id": lead_id, "call_at": utc_now_str(timedelta(hours=1))}
    )
    overdue = executive.create(
        "hmr.call", {"lead_id": lead_id, "call_at": utc_now_str(timedelta(minutes=30))}
    )
    _backdate_call(server, overdue, hours=5)
    made = executive.create(
        "hmr.call",
        {
            "lead_id": lead_id,
            "call_at": utc_now_str(timedelta(days=3)),
            "state": "done",
            "outcome": "interested",
        },
    )
    mine = [later, soon, overdue, made]
    rows = executive.search_read("hmr.call", [("id", "in", mine)], ["id", "period"])
    assert [row["id"] for row in rows] == [overdue, soon, later, made], rows
    assert rows[0]["period"] == "overdue"
    # the Calls tab lists every call to make of the executive the same way
    planned = executive.search_read(
        "hmr.call", [("user_id", "=", executive.uid), ("state", "=", "planned")], ["call_at"]
    )
    times = [row["call_at"] for row in planned]
    assert times == sorted(times), times


def test_a_call_cannot_be_planned_in_the_past(users):
    """D6 (issue 11): a call to make cannot be planned in the past (refused in the
    executive's language); a call already made is recorded with its past time."""
    executive = users["ejecutivo"]
    lead_id = _executive_lead(executive)
    yesterday = utc_now_str(-timedelta(days=1))
    fault = _fault(
        lambda: executive.call(
            "hmr.call", "create", {"lead_id": lead_id, "call_at": yesterday}, context=SPANISH
        )
    )
    assert "pasado" in fault and SPANISH_LETTERS.search(fault), fault
    call_id = executive.create(
        "hmr.call", {"lead_id": lead_id, "call_at": utc_now_str(timedelta(hours=3))}
    )
    fault = _fault(
        lambda: executive.call(
            "hmr.call", "write", [call_id], {"call_at": yesterday}, context=SPANISH
        )
    )
    assert "pasado" in fault, fault
    made = executive.create(
        "hmr.call",
        {"lead_id": lead_id, "call_at": yesterday, "state": "done", "outcome": "no_answer"},
    )
    assert executive.read_one("hmr.call", made, ["state"])["state"] == "done"


# ------------------------------------------------------------------------------------------------
# Quotes (D8)
# ------------------------------------------------------------------------------------------------


def test_doctor_sees_no_selling_buttons(users, admin):
    """D8, C2 (issue 11): the doctor's quote form and Quotes list hold no button they may
    not use (invoice, confirm, cancel), nor the finished status at creation; the executive
    keeps them."""
    doctor, executive = users["medico"], users["ejecutivo"]
    for button in SELLING_BUTTONS:
        assert button not in _form_arch(doctor, "sale.order"), button
        assert button in _form_arch(executive, "sale.order"), button
    list_view = admin.ref("hmr_crm_addon.sale_order_view_list_hmr_quotes")
    arch = doctor.call("sale.order", "get_views", [[list_view, "list"]])["views"]["list"]["arch"]
    assert 'name="action_hmr_invoice"' not in arch
    offered = {
        rpc.login: [
            value
            for value, _label in rpc.call(
                "sale.order", "fields_get", ["hmr_initial_status"], ["selection"]
            )["hmr_initial_status"]["selection"]
        ]
        for rpc in (executive, users["gerente"])
    }
    assert "finished" not in offered["ejecutivo"], offered
    assert "finished" in offered["gerente"], offered


def test_finished_once_the_manager_posts_the_invoice(users, sent_quotes):
    """D8 (issue 11): the executive invoices the quote in one click: a draft invoice, the
    quote accepted, not finished; the manager, who posts the clinic's invoices, posts it:
    the quote is finished then."""
    executive, manager = users["ejecutivo"], users["gerente"]
    quote = sent_quotes("ejecutivo", first_name="Fabiola")
    action = executive.button("sale.order", "action_hmr_invoice", [quote["id"]])
    invoice_id = action["res_id"]
    assert executive.read_one("account.move", invoice_id, ["state"])["state"] == "draft"
    order = executive.read_one("sale.order", quote["id"], ["state", "hmr_quote_status"])
    assert (order["state"], order["hmr_quote_status"]) == ("sale", "accepted"), order
    # the executive is not offered a post they could not do; the manager has it
    invoice_arch = _form_arch(executive, "account.move")
    assert 'name="action_post"' not in invoice_arch
    todo = manager.search_read(
        "mail.activity",
        [("res_model", "=", "account.move"), ("res_id", "=", invoice_id)],
        ["user_id"],
    )
    assert todo, "a manager is asked to post the invoice"
    manager.button("account.move", "action_post", [invoice_id])
    order = executive.read_one("sale.order", quote["id"], ["hmr_quote_status"])
    assert order["hmr_quote_status"] == "finished", order


# ------------------------------------------------------------------------------------------------
# Discounts (C11)
# ------------------------------------------------------------------------------------------------


def test_doctor_applies_a_clinic_discount(users, admin):
    """C11, S2.3 (issue 11): the doctor builds the quote and applies one of the clinic's
    discounts offered to doctors, within its maximum."""
    doctor = users["medico"]
    order_id = doctor_quote(doctor)
    discounts = doctor.search_read(
        "hmr.discount",
        [("group_ids", "in", [admin.ref("hmr_crm_addon.group_hmr_doctor")])],
        ["id", "max_percent"],
    )
    assert discounts, "the clinic lets its doctors apply some discounts"
    line = priced_line(doctor, order_id)
    discount = discounts[0]
    doctor.write(
        "sale.order.line",
        line["id"],
        {"hmr_discount_id": discount["id"], "discount": discount["max_percent"]},
    )
    applied = doctor.read_one("sale.order.line", line["id"], ["discount"])["discount"]
    assert applied == discount["max_percent"]


@pytest.mark.parametrize("login", ["ejecutivo", "medica2"])
def test_a_lower_unit_price_obeys_the_discount_limits(users, sent_quotes, login):
    """C11 (issue 11): lowering a line's unit price below the price list gives a rebate:
    it obeys the discount limits of the user's role (refused beyond, in Spanish), for the
    executive and for the doctor."""
    rpc = users[login]
    order_id = sent_quotes("ejecutivo")["id"] if login == "ejecutivo" else doctor_quote(rpc)
    line = priced_line(rpc, order_id)
    halved = round(line["price_unit"] / 2, 2)
    fault = _fault(
        lambda: rpc.call(
            "sale.order.line", "write", [line["id"]], {"price_unit": halved}, context=SPANISH
        )
    )
    assert "50" in fault and SPANISH_LETTERS.search(fault), fault
    kept = rpc.read_one("sale.order.line", line["id"], ["price_unit"])["price_unit"]
    assert kept == line["price_unit"]


def test_panel_shows_what_the_deals_are_worth(users, admin, sent_quotes):
    """D5, D8 (issue 11): a deal is worth its sent quote on the executive's panel (the
    Acuerdo column summed $0 on the demo until a quote was signed), on the demo clinic and
    for a quote sent now."""
    executive = users["ejecutivo"]
    quote = sent_quotes("ejecutivo", first_name="Valeria")
    order = admin.read_one("sale.order", quote["id"], ["amount_untaxed", "opportunity_id"])
    lead = executive.read_one("crm.lead", order["opportunity_id"][0], ["expected_revenue"])
    assert order["amount_untaxed"] > 0
    assert lead["expected_revenue"] == order["amount_untaxed"]
    # the panel's columns, as the kanban reads them: the deals' column is worth its quotes
    deal_stage = admin.ref("hmr_crm_addon.crm_stage_deal")
    columns = executive.call(
        "crm.lead",
        "formatted_read_group",
        [("type", "=", "opportunity"), ("user_id", "=", executive.uid)],
        ["stage_id"],
        ["expected_revenue:sum"],
    )
    worth = {column["stage_id"][0]: column["expected_revenue:sum"] for column in columns}
    assert worth[deal_stage] >= order["amount_untaxed"] + 100000, worth


def test_prospects_show_their_next_call(users):
    """D6 (issue 11): on the demo clinic, each prospect's "Next Call" (lists, form, export)
    is the earliest of the calls still to make that the Calls list shows for it (it read
    one same time, an hour after the demo was built, for every prospect)."""
    executive = users["ejecutivo"]
    calls = executive.search_read(
        "hmr.call",
        [("state", "=", "planned"), ("user_id", "=", executive.uid)],
        ["lead_id", "call_at"],
    )
    assert len(calls) >= 3, "the demo plans calls for the executive"
    earliest = {}
    for call in calls:
        lead_id = call["lead_id"][0]
        earliest[lead_id] = min(earliest.get(lead_id, call["call_at"]), call["call_at"])
    leads = executive.read("crm.lead", list(earliest), ["hmr_next_call_at"])
    assert {lead["id"]: lead["hmr_next_call_at"] for lead in leads} == earliest
    assert len(set(earliest.values())) > 1


def test_posting_the_invoice_closes_the_managers_activity(users, sent_quotes):
    """D8, B8 (issue 11): the manager is asked, in Spanish, to post the invoice of the quote
    ("cotización", the interface's word, not "presupuesto"); once the invoice is posted the
    activity is done (in the invoice's history), not left open in the manager's to-dos."""
    executive, manager = users["ejecutivo"], users["gerente"]
    quote = sent_quotes("ejecutivo", first_name="Publicada")
    invoice_id = executive.button("sale.order", "action_hmr_invoice", [quote["id"]])["res_id"]
    on_invoice = [("res_model", "=", "account.move"), ("res_id", "=", invoice_id)]
    todo = manager.search_read(
        "mail.activity", [*on_invoice, ("user_id", "=", manager.uid)], ["summary", "note"]
    )
    assert len(todo) == 1, todo
    assert todo[0]["summary"] == "Publicar la factura", todo
    assert f"cotización {quote['name']}" in todo[0]["note"], todo
    assert "presupuesto" not in todo[0]["note"], todo

    manager.button("account.move", "action_post", [invoice_id])

    assert not manager.search_read("mail.activity", on_invoice, ["summary"]), "left open"
    done = manager.search_read(
        "mail.message",
        [
            ("model", "=", "account.move"),
            ("res_id", "=", invoice_id),
            ("mail_activity_type_id", "!=", False),
        ],
        ["body", "author_id"],
    )
    assert done and done[0]["author_id"][0] == manager.partner_id, done
    assert "Publicar la factura" in done[0]["body"], done

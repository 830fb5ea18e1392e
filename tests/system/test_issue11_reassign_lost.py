"""Issue 11 as the clinic's users meet it on the real server: the manager hands a prospect
over to another executive (P4), an executive marks a prospect not interested (D1, S1.3)."""

import json
import xmlrpc.client
from datetime import timedelta

import pytest
from hmr_client import utc_now_str, visitor_session, wait_until
from hmr_steps import ask_to_talk, create_command, new_prospect

# Odoo's XML-RPC fault code of an AccessError
ACCESS_ERROR = 4


def lead_of(admin, order_id):
    return admin.read_one("sale.order", order_id, ["opportunity_id"])["opportunity_id"][0]


def last_message_id(admin):
    rows = admin.search_read("mail.message", [], ["id"], order="id desc", limit=1)
    return rows[0]["id"] if rows else 0


def notifications_since(admin, partner_id, message_id):
    """The inbox notifications (or emails) the partner got after ``message_id``."""
    return admin.search_read(
        "mail.notification",
        [("res_partner_id", "=", partner_id), ("mail_message_id", ">", message_id)],
        ["mail_message_id"],
    )


def assert_access_error(call):
    with pytest.raises(xmlrpc.client.Fault) as error:
        call()
    assert error.value.faultCode == ACCESS_ERROR, error.value.faultString


def activities_of(rpc, model, res_id, xmlid_type=None, admin=None):
    domain = [("res_model", "=", model), ("res_id", "=", res_id)]
    if xmlid_type:
        domain.append(("activity_type_id", "=", admin.ref(xmlid_type)))
    return rpc.search_read("mail.activity", domain, ["user_id", "summary", "activity_type_id"])


def show_inbox(server, phone, login, expected, screenshot):
    """The user logs in to the web client and opens their inbox, where ``expected`` shows."""
    phone.goto(f"{server.url}/web/login")
    phone.type_into("input[name=login]", login)
    phone.type_into("input[name=password]", login)
    phone.click("form.oe_login_form button[type=submit]")
    phone.wait_for("location.pathname.startsWith('/odoo')", timeout=120, what="the web client")
    phone.goto(f"{server.url}/odoo/discuss?active_id=mail.box_inbox")
    phone.wait_ready()
    phone.wait_for(
        f"document.body.innerText.includes({json.dumps(expected)})",
        timeout=120,
        what=f"{expected} in the inbox",
    )
    phone.screenshot(screenshot, full_page=False)


@pytest.fixture(scope="module")
def assessment_treatment(users):
    """A treatment whose process starts at the doctor's assessment (built by the manager
    through the configuration models): each case goes to a doctor at once."""
    manager = users["gerente"]
    process_id = manager.create(
        "hmr.process",
        {
            "name": "Assessment first",
            "step_ids": [
                create_command(name="Assessment", kind="assessment", sequence=1),
                create_command(name="Quote", kind="quote", sequence=2),
                create_command(name="Answer", kind="answer", sequence=3),
                create_command(name="Follow-up", kind="follow_up", sequence=4),
            ],
        },
    )
    product = manager.search_read("product.product", [("sale_ok", "=", True)], ["id"], limit=1)
    return manager.create(
        "hmr.treatment",
        {
            "name": "Assessment first treatment",
            "process_id": process_id,
            "product_ids": [[6, 0, [product[0]["id"]]]],
        },
    )


# ------------------------------------------------------------------------------------------------
# Reassignment (P4)
# ------------------------------------------------------------------------------------------------


def test_reassigned_prospect_with_a_sent_quote_follows_the_new_executive(
    server, users, admin, smtp, scheduler, phone, sent_quotes
):
    """P4, S3.2, S3.3, D6 (issue 11): the manager hands a prospect whose quote was sent over
    from one executive to another. The new executive reads the quote and its chatter, holds
    the old one's to-do on the prospect and the call still to make, is told once (in
    Spanish) of all of it, gets the 24-hour no-answer alert and the prospect's answer; the
    old executive no longer reads the quote nor the prospect and hears nothing more."""
    manager, old, new = users["gerente"], users["ejecutivo"], users["ejecutiva2"]
    quote = sent_quotes("ejecutivo", first_name="Reasignada")
    lead_id = lead_of(admin, quote["id"])
    call_id = old.create(
        "hmr.call",
        {"lead_id": lead_id, "user_id": old.uid, "call_at": utc_now_str(timedelta(days=1))},
    )
    lead_model = admin.search_read("ir.model", [("model", "=", "crm.lead")], ["id"])[0]["id"]
    todo_id = old.create(
        "mail.activity",
        {
            "res_model_id": lead_model,
            "res_id": lead_id,
            "activity_type_id": admin.ref("mail.mail_activity_data_todo"),
            "summary": "Resolver dudas de financiamiento",
            "user_id": old.uid,
        },
    )
    before = last_message_id(admin)

    manager.write("crm.lead", lead_id, {"user_id": new.uid})

    # the quote, its chatter, the call and the to-do are the new executive's
    order = new.read_one("sale.order", quote["id"], ["name", "user_id"])
    assert order["user_id"][0] == new.uid
    chatter = new.search_read(
        "mail.message", [("model", "=", "sale.order"), ("res_id", "=", quote["id"])], ["body"]
    )
    assert chatter, "the new executive reads the quote's chatter"
    assert new.read_one("hmr.call", call_id, ["user_id"])["user_id"][0] == new.uid
    assert new.read_one("mail.activity", todo_id, ["user_id"])["user_id"][0] == new.uid
    # the old executive no longer reaches the quote nor the prospect
    assert_access_error(lambda: old.read("sale.order", quote["id"], ["name"]))
    assert_access_error(lambda: old.read("crm.lead", lead_id, ["name"]))

    # told once, in their language, of everything they now hold
    notices = notifications_since(admin, new.partner_id, before)
    assert len(notices) == 1, notices
    message = new.read_one("mail.message", notices[0]["mail_message_id"][0], ["subject", "body"])
    text = f"{message['subject']} {message['body']}"
    for expected in (quote["name"], "Reasignada", "Resolver dudas de financiamiento", "Llamadas"):
        assert expected in text, (expected, text)
    assert "Calls to make" not in text, "written in the new executive's Spanish"
    assert not notifications_since(admin, old.partner_id, before), "the old one hears nothing"
    show_inbox(server, phone, "ejecutiva2", quote["name"], "reassign_inbox_new_executive")

    # S3.3: 24 hours without answer (dates moved): the alert goes to the new executive
    admin.write("sale.order", quote["id"], {"hmr_sent_at": utc_now_str(-timedelta(hours=25))})
    since = len(smtp.messages)
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_quote_alerts")
    scheduler.deliver_mail()
    emails = {
        login: admin.read_one("res.users", rpc.uid, ["email"])["email"]
        for login, rpc in (("old", old), ("new", new))
    }
    smtp.wait_for(
        emails["new"], lambda m: quote["name"] in m.subject, since=since, what="the alert"
    )
    assert not [m for m in smtp.to(emails["old"], since) if quote["name"] in m.subject]

    # S3.2: the prospect asks to talk: the new executive gets the call activity
    with visitor_session() as visitor:
        ask_to_talk(server, visitor, quote, "¿Sigue vigente la cotización?")
    call_type = admin.ref("mail.mail_activity_data_call")
    answer = wait_until(
        lambda: [
            row
            for row in activities_of(new, "sale.order", quote["id"])
            if row["activity_type_id"][0] == call_type
        ],
        timeout=120,
        what="the new executive's activity of the prospect's answer",
    )
    assert answer[0]["user_id"][0] == new.uid


def test_reassigned_prospect_at_the_quote_step_moves_the_quote_to_prepare(
    users, admin, direct_treatment
):
    """P4, S2.3 (issue 11): a prospect whose quote is still to prepare is handed over: the
    "prepare the quote" activity of its case goes to the new executive, who reads the case,
    and the notification names it."""
    manager, old, new = users["gerente"], users["ejecutivo"], users["ejecutiva2"]
    case, _email, _page = new_prospect(old, admin, direct_treatment, "Cotizable", "Prueba")
    quote_type = "hmr_treatments_addon.mail_activity_type_hmr_quote"
    [prepare] = activities_of(admin, "hmr.treatment.case", case["id"], quote_type, admin)
    assert prepare["user_id"][0] == old.uid
    before = last_message_id(admin)

    manager.write("crm.lead", case["lead_id"][0], {"user_id": new.uid})

    [prepare] = activities_of(new, "hmr.treatment.case", case["id"], quote_type, admin)
    assert prepare["user_id"][0] == new.uid
    assert new.read_one("hmr.treatment.case", case["id"], ["user_id"])["user_id"][0] == new.uid
    assert_access_error(lambda: old.read("hmr.treatment.case", case["id"], ["name"]))
    notices = notifications_since(admin, new.partner_id, before)
    assert len(notices) == 1, notices
    body = new.read_one("mail.message", notices[0]["mail_message_id"][0], ["body"])["body"]
    assert "Cotizable" in body and prepare["summary"] in body, body


# ------------------------------------------------------------------------------------------------
# Losing a prospect
# ------------------------------------------------------------------------------------------------


def mark_not_interested(executive, admin, lead_id):
    """D1: the executive marks the prospect "No interesado" (Odoo's Lost button)."""
    reason = admin.ref("hmr_crm_addon.crm_lost_reason_not_interested")
    executive.write("crm.lead", [lead_id], {"lost_reason_id": reason})
    executive.button("crm.lead", "action_set_lost", [lead_id])
    lead = admin.search_read(
        "crm.lead", [("id", "=", lead_id), ("active", "in", [True, False])], ["won_status"]
    )[0]
    assert lead["won_status"] == "lost"


def test_lost_prospect_gets_no_photo_reminder_and_comes_back_at_the_photos(
    users, admin, smtp, scheduler
):
    """D1, S1.3, S1.4 (issue 11): an executive marks a prospect waiting for their photos not
    interested: the reminder due is not sent by the scheduler and the case is closed; the
    executive restores the prospect: the case is back in progress at the photos step."""
    executive = users["ejecutivo"]
    fue = admin.ref("hmr_treatments_addon.hmr_treatment_fue")
    case, email, _page = new_prospect(executive, admin, fue, "Perdida", "Sin Fotos")
    assert (case["state"], case["step_kind"]) == ("open", "photos")
    step = admin.read_one("hmr.treatment.case", case["id"], ["step_id"])["step_id"]
    # the reminder is due
    admin.write(
        "hmr.treatment.case",
        case["id"],
        {"next_photo_reminder_at": utc_now_str(-timedelta(hours=1))},
    )
    scheduler.deliver_mail()

    mark_not_interested(executive, admin, case["lead_id"][0])

    since = len(smtp.messages)
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
    scheduler.deliver_mail()
    assert not smtp.to(email, since), "no reminder to a prospect not interested"
    closed = admin.read_one("hmr.treatment.case", case["id"], ["state", "next_photo_reminder_at"])
    assert closed["state"] == "lost" and not closed["next_photo_reminder_at"], closed

    executive.button("crm.lead", "action_restore", [case["lead_id"][0]])
    reopened = admin.read_one("hmr.treatment.case", case["id"], ["state", "step_id"])
    assert (reopened["state"], reopened["step_id"]) == ("open", step)


def test_lost_prospect_releases_the_open_assessment(users, admin, assessment_treatment):
    """D1, S2.2 (issue 11): a prospect waiting for the doctor's assessment is marked not
    interested: the assessment is released (cancelled, the doctor no longer holds it nor its
    activity); restored, the case is assessed again by the least-loaded doctor."""
    executive = users["ejecutivo"]
    case, _email, _page = new_prospect(executive, admin, assessment_treatment, "Valorada", "Prueba")
    case = admin.read_one("hmr.treatment.case", case["id"], ["doctor_id", "step_id", "lead_id"])
    assert case["doctor_id"], "a doctor assesses the prospect"
    doctor_id = case["doctor_id"][0]
    assessment_type = "hmr_treatments_addon.mail_activity_type_hmr_assessment"
    assert activities_of(admin, "hmr.treatment.case", case["id"], assessment_type, admin)

    mark_not_interested(executive, admin, case["lead_id"][0])

    released = admin.read_one("hmr.treatment.case", case["id"], ["state", "doctor_id"])
    assert released["state"] == "lost" and not released["doctor_id"], released
    assert not admin.search_read(
        "hmr.assessment",
        [("case_id", "=", case["id"]), ("doctor_id", "=", doctor_id), ("state", "=", "open")],
        ["id"],
    ), "the doctor's workload is freed"
    assert not activities_of(admin, "hmr.treatment.case", case["id"], assessment_type, admin)

    executive.button("crm.lead", "action_restore", [case["lead_id"][0]])
    reopened = admin.read_one("hmr.treatment.case", case["id"], ["state", "step_id", "doctor_id"])
    assert (reopened["state"], reopened["step_id"]) == ("open", case["step_id"])
    assert reopened["doctor_id"], "assessed again"
    assert admin.search_read(
        "hmr.assessment", [("case_id", "=", case["id"]), ("state", "=", "open")], ["doctor_id"]
    )
    assert activities_of(admin, "hmr.treatment.case", case["id"], assessment_type, admin)


def test_hand_over_notice_names_who_handed_it_over(users, admin, sent_quotes):
    """P4, B8 (issue 11): when the manager hands a prospect over, the new executive's notice
    (in their Spanish) says the manager handed it over, and whose it was before: not that
    the previous executive did."""
    manager, old, new = users["gerente"], users["ejecutivo"], users["ejecutiva2"]
    names = {
        rpc.login: admin.read_one("res.users", rpc.uid, ["name"])["name"] for rpc in (manager, old)
    }
    quote = sent_quotes("ejecutivo", first_name="Traspasada")
    lead_id = lead_of(admin, quote["id"])
    before = last_message_id(admin)

    manager.write("crm.lead", lead_id, {"user_id": new.uid})

    notices = notifications_since(admin, new.partner_id, before)
    assert len(notices) == 1, notices
    message = new.read_one("mail.message", notices[0]["mail_message_id"][0], ["body"])
    body = message["body"]
    assert f"{names['gerente']} le pasó el prospecto" in body, body
    assert f"(antes de {names['ejecutivo']})" in body, body
    assert f"{names['ejecutivo']} le pasó" not in body, body

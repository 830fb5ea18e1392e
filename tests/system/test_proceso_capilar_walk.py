"""The Proceso Capilar walked on the real server, each person with their own real client:
the visitor and the prospect with HTTP and a phone's Chromium, the staff with XML-RPC, the
scheduled actions run by Odoo's scheduler, the emails read from the SMTP sink."""

import base64
import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from hmr_client import csrf_token, json_rpc, utc_now_str, visitor_session, wait_until
from hmr_steps import (
    accept_and_sign_on_phone,
    assess_and_prepare_quote,
    create_command,
    find_case,
    link_to,
    open_quote_link,
    pdf_attachments,
    send_quote,
    submit_web_form,
    upload_photo,
    upload_photo_on_phone,
)

# ------------------------------------------------------------------------------------------------
# The walk
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prospect():
    stamp = int(time.time())
    return {
        "first_name": "Valeria",
        "last_name": "Quintero Solís",
        "name": "Valeria Quintero Solís",
        "email": f"valeria.quintero.{stamp}@example.mx",
    }


def test_proceso_capilar_walk(server, users, admin, smtp, scheduler, web, phone, prospect):
    """Issue 9 item 2 (the walk); B1, B2, S1.1-S1.4, S2.1-S2.4, S3.1-S3.4, B7: on the real
    server started as `make run` starts it, a visitor fills the public form; the
    acknowledgment email links to their page; they send two photos, the scheduler reminds
    them of the three missing and gives the executive the digest; the last three photos give
    the case to the least-loaded doctor, who assesses and sends the quote with its PDF
    (real wkhtmltopdf, `%PDF` bytes in the email); the prospect asks to talk (the executive
    gets a call activity), then accepts and signs on a phone in Chromium (a real signed
    PDF); 24 hours later (dates moved) the executive is alerted of the missing follow-up.
    Every link in the emails points to the port the server serves."""
    fue = admin.ref("hmr_treatments_addon.hmr_treatment_fue")
    email = prospect["email"]

    # -- B1: the public form (a phone's view of it saved for people to look at) -----------------
    phone.goto(f"{server.url}/hmr/solicitud")
    phone.screenshot("walk_form")
    submit_web_form(server, web, prospect["first_name"], prospect["last_name"], email, fue)
    case = find_case(admin, email)
    assert (case["state"], case["step_kind"]) == ("open", "photos")
    assert case["user_id"], "the clinic's rule gives the web prospect an executive"
    executive_id = case["user_id"][0]
    executive = admin.read_one("res.users", executive_id, ["login", "email", "partner_id"])

    # -- B2: the acknowledgment email links to the prospect's own page ---------------------------
    scheduler.deliver_mail()
    ack = smtp.wait_for(email, lambda m: "/my/hmr/cases/" in m.html, what="the acknowledgment")[0]
    case_url = link_to(ack, "/my/hmr/cases/")
    assert case_url.startswith(f"{server.url}/"), f"the link names the served port: {case_url}"
    page = web.get(case_url, timeout=60)
    assert page.status_code == 200
    assert prospect["first_name"] in page.text

    # -- S1.1: two photos from their page --------------------------------------------------------
    visitor = visitor_session()  # the prospect's phone, not the visitor's session of the form
    for index in (0, 1):
        upload_photo(server, visitor, case_url, index, consent=index == 0)
    case_row = admin.read_one("hmr.treatment.case", case["id"], ["photo_count", "step_kind"])
    assert (case_row["photo_count"], case_row["step_kind"]) == (2, "photos")

    # -- S1.2, S1.3: the scheduler reminds them of the three missing photos (24 h later) ----------
    admin.write(
        "hmr.treatment.case",
        case["id"],
        {"next_photo_reminder_at": utc_now_str(-timedelta(minutes=1))},
    )
    since = len(smtp.messages)
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
    scheduler.deliver_mail()
    reminder = smtp.wait_for(email, since=since, what="the photo reminder")[0]
    assert link_to(reminder, "/my/hmr/cases/").startswith(f"{server.url}/")
    missing = admin.read_one("hmr.treatment.case", case["id"], ["missing_photo_slot_ids"])
    lang = admin.read_one("res.partner", case["partner_id"][0], ["lang"])["lang"]
    slot_names = [
        row["name"]
        for row in admin.call(
            "hmr.photo.slot",
            "read",
            missing["missing_photo_slot_ids"],
            ["name"],
            context={"lang": lang},
        )
    ]
    assert len(slot_names) == 3
    for slot_name in slot_names:
        assert slot_name in reminder.text, f"the reminder names the missing {slot_name}"

    # -- S1.4: the executive's daily digest lists the prospect -----------------------------------
    since = len(smtp.messages)
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_incomplete_digest")
    scheduler.deliver_mail()
    digest = smtp.wait_for(executive["email"], since=since, what="the executive's digest")[0]
    assert prospect["name"] in digest.text

    # -- S2.1, S2.2: the last three photos; the least-loaded doctor gets the assessment ----------
    doctors = {login: users[login] for login in ("medico", "medica2")}
    uids = [rpc.uid for rpc in doctors.values()]
    open_assessments = admin.search_read(
        "hmr.assessment", [("doctor_id", "in", uids), ("state", "=", "open")], ["doctor_id"]
    )
    loads = Counter(row["doctor_id"][0] for row in open_assessments)
    least_loaded = min(uids, key=lambda uid: (loads[uid], uid))
    for index in (2, 3):
        upload_photo(server, visitor, case_url, index, consent=False)
    upload_photo_on_phone(phone, case_url, 4, "walk_photos")
    case = find_case(admin, email)
    assert case["step_kind"] == "assessment"
    assert case["doctor_id"][0] == least_loaded
    doctor = next(rpc for rpc in doctors.values() if rpc.uid == least_loaded)

    # -- S2.3, S2.4: the doctor assesses and sends the quote with its PDF ------------------------
    order_id = assess_and_prepare_quote(doctor, case["id"])
    since = len(smtp.messages)
    send_quote(doctor, order_id)
    order = admin.read_one("sale.order", order_id, ["state", "name", "hmr_sent_at"])
    assert order["state"] == "sent" and order["hmr_sent_at"]
    assert find_case(admin, email)["step_kind"] == "answer"
    scheduler.deliver_mail()
    quote_mail = smtp.wait_for(
        email, lambda m: pdf_attachments(m), since=since, what="the quote with its PDF"
    )[0]
    link, quote_url = open_quote_link(visitor, quote_mail)
    assert link.startswith(f"{server.url}/"), link

    # -- S3.1, S3.2: the prospect asks to talk; the executive gets a call activity ---------------
    page = visitor.get(quote_url, timeout=60)
    assert page.status_code == 200
    token = re.search(r"access_token=([\w-]+)", quote_url).group(1)
    since = len(smtp.messages)
    talk = visitor.post(
        f"{server.url}/my/orders/{order_id}/talk",
        data={
            "csrf_token": csrf_token(page.text),
            "access_token": token,
            "talk_message": "¿Puedo pagar en mensualidades?",
        },
        timeout=60,
    )
    assert talk.status_code == 200
    executive_rpc = users[executive["login"]]
    call_type = admin.ref("mail.mail_activity_data_call")
    wait_until(
        lambda: executive_rpc.search_read(
            "mail.activity",
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order_id),
                ("activity_type_id", "=", call_type),
                ("user_id", "=", executive_id),
            ],
            ["note"],
        ),
        timeout=120,
        what="the executive's call activity (the scheduler runs the triggered quote cron)",
    )
    scheduler.deliver_mail()
    smtp.wait_for(email, since=since, what="the prospect's 'we will contact you' email")

    # -- S3.1: accept and sign on a phone in Chromium: a real signed PDF -------------------------
    since = len(smtp.messages)
    accept_and_sign_on_phone(phone, quote_url, prospect["name"], "walk_accept")
    order = admin.read_one("sale.order", order_id, ["state", "hmr_answer", "signed_by"])
    assert (order["state"], order["hmr_answer"]) == ("sale", "accepted")
    assert order["signed_by"] == prospect["name"]
    signed = admin.search_read(
        "ir.attachment",
        [("res_model", "=", "sale.order"), ("res_id", "=", order_id), ("name", "ilike", ".pdf")],
        ["name", "datas"],
    )
    assert any(base64.b64decode(row["datas"])[:4] == b"%PDF" for row in signed), (
        "the signed quote is a real PDF in the chatter"
    )
    assert find_case(admin, email)["step_kind"] == "follow_up"
    follow_up_type = admin.ref("hmr_treatments_addon.mail_activity_type_hmr_follow_up")
    wait_until(
        lambda: executive_rpc.search_read(
            "mail.activity",
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order_id),
                ("activity_type_id", "=", follow_up_type),
            ],
            ["user_id"],
        ),
        timeout=120,
        what="the executive's follow-up activity",
    )
    scheduler.deliver_mail()
    smtp.wait_for(email, since=since, what="an email to the prospect on acceptance")

    # -- S3.4: nobody followed up within 24 hours: the executive is alerted once -----------------
    admin.write("sale.order", order_id, {"hmr_answered_at": utc_now_str(-timedelta(hours=25))})
    since = len(smtp.messages)
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_quote_alerts")
    order = admin.read_one("sale.order", order_id, ["hmr_follow_up_alerted_at", "name"])
    assert order["hmr_follow_up_alerted_at"], "the follow-up alert went out"
    scheduler.deliver_mail()
    alert = smtp.wait_for(
        executive["email"],
        lambda m: order["name"] in m.subject,
        since=since,
        what="the follow-up alert to the executive",
    )
    assert len(alert) == 1


def test_accept_route_answers_json(server, admin, web):
    """S3.1 (support of the walk): the accept route of a quote is a JSON route: an anonymous
    call without a valid token is refused with a message, not a server error."""
    response = json_rpc(web, f"{server.url}/my/orders/999999/accept", {"access_token": "x"})
    assert response.status_code == 200
    assert "error" in response.json()["result"]


def test_rejection(server, users, admin, smtp, scheduler, web, sent_quotes):
    """S3.1, S3.2, B7: a prospect rejects their quote on the portal with a reason: the quote
    is cancelled, the case lost, the executive gets an activity with the reason and the
    prospect an email."""
    quote = sent_quotes("ejecutiva2")
    quote.update(admin.read_one("sale.order", quote["id"], ["user_id"]))
    email, url = quote["email"], quote["url"]
    page = web.get(f"{server.url}{url}", timeout=60)
    assert page.status_code == 200
    since = len(smtp.messages)
    response = web.post(
        f"{server.url}/my/orders/{quote['id']}/decline",
        data={
            "csrf_token": csrf_token(page.text),
            "access_token": re.search(r"access_token=([\w-]+)", url).group(1),
            "decline_message": "Lo pensaré el próximo año.",
        },
        timeout=60,
    )
    assert response.status_code == 200
    order = admin.read_one("sale.order", quote["id"], ["state", "hmr_answer"])
    assert (order["state"], order["hmr_answer"]) == ("cancel", "rejected")
    case = admin.read_one("hmr.treatment.case", quote["hmr_case_id"][0], ["state"])
    assert case["state"] == "lost"
    executive = users[admin.read_one("res.users", quote["user_id"][0], ["login"])["login"]]
    todo = admin.ref("mail.mail_activity_data_todo")
    activity = wait_until(
        lambda: executive.search_read(
            "mail.activity",
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", quote["id"]),
                ("activity_type_id", "=", todo),
            ],
            ["note"],
        ),
        timeout=120,
        what="the executive's activity of the rejection",
    )[0]
    assert "Lo pensaré el próximo año." in activity["note"]
    scheduler.deliver_mail()
    smtp.wait_for(email, since=since, what="the prospect's email of the rejection")


def test_unanswered_quote_alert(users, admin, smtp, scheduler, sent_quotes):
    """S3.3: a quote sent more than 24 hours ago (dates moved) and not answered: the
    scheduler alerts the executive, once."""
    quote = sent_quotes("ejecutivo")
    quote.update(admin.read_one("sale.order", quote["id"], ["user_id"]))
    admin.write("sale.order", quote["id"], {"hmr_sent_at": utc_now_str(-timedelta(hours=25))})
    since = len(smtp.messages)
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_quote_alerts")
    order = admin.read_one("sale.order", quote["id"], ["hmr_no_answer_alerted_at"])
    assert order["hmr_no_answer_alerted_at"]
    scheduler.deliver_mail()
    email = admin.read_one("res.users", quote["user_id"][0], ["email"])["email"]
    smtp.wait_for(email, lambda m: quote["name"] in m.subject, since=since, what="the alert")
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_quote_alerts")
    scheduler.deliver_mail()
    alerts = [m for m in smtp.to(email, since) if quote["name"] in m.subject]
    assert len(alerts) == 1, "each alert goes out once"


def test_second_process_built_by_the_manager(server, users, admin, smtp, scheduler, web):
    """S4, C5, B4, P1, P2: the manager builds a second process through the configuration
    models (the records the configuration screens write: a process, its steps and photo
    slots, a treatment with its product); an executive gives it to a new prospect; the
    prospect gets the photo reminder with the link to their page showing the two slots of
    this process; their two photos move the case to the quote (no assessment in this
    process), which the executive prepares and sends with its PDF."""
    manager = users["gerente"]
    reminder_template = admin.ref("hmr_treatments_addon.mail_template_hmr_photo_reminder")
    process_id = manager.create(
        "hmr.process",
        {
            "name": "Proceso Barba",
            "step_ids": [
                create_command(
                    name="Fotos de la barba",
                    kind="photos",
                    sequence=1,
                    reminder_interval_hours=12,
                    reminder_max_count=2,
                    reminder_template_id=reminder_template,
                    photo_slot_ids=[
                        create_command(name="Barbilla", instructions="De frente, con luz."),
                        create_command(name="Perfil", instructions="De lado, con luz."),
                    ],
                ),
                create_command(name="Cotización de barba", kind="quote", sequence=2),
                create_command(name="Respuesta", kind="answer", sequence=3, deadline_hours=48),
            ],
        },
    )
    product = manager.search_read("product.product", [("sale_ok", "=", True)], ["id"], limit=1)
    treatment_id = manager.create(
        "hmr.treatment",
        {
            "name": "Injerto de barba",
            "process_id": process_id,
            "product_ids": [[6, 0, [product[0]["id"]]]],
        },
    )
    executive = users["ejecutivo"]
    email = f"bruno.{int(time.time())}@example.mx"
    lead_id = executive.create(
        "crm.lead",
        {
            "type": "opportunity",
            "first_name": "Bruno",
            "last_name": "Salas Ríos",
            "email_from": email,
            "user_id": executive.uid,
            "treatment_case_ids": [create_command(treatment_id=treatment_id)],
        },
    )
    case = executive.search_read(
        "hmr.treatment.case", [("lead_id", "=", lead_id)], ["id", "step_kind", "partner_id"]
    )[0]
    assert case["step_kind"] == "photos"
    # the prospect accepted the privacy notice in person: the executive records it
    executive.button("hmr.treatment.case", "action_hmr_record_privacy_consent", [case["id"]])
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
    scheduler.deliver_mail()
    reminder = smtp.wait_for(email, what="the photo reminder of the new process")[0]
    case_url = link_to(reminder, "/my/hmr/cases/")
    with visitor_session() as prospect_phone:
        for index in (0, 1):
            upload_photo(server, prospect_phone, case_url, index, consent=False, slots=2)
    case = executive.read_one("hmr.treatment.case", case["id"], ["step_kind"])
    assert case["step_kind"] == "quote"
    action = executive.call("hmr.treatment.case", "action_create_quote", [case["id"]])
    order_id = action["res_id"]
    since = len(smtp.messages)
    send_quote(executive, order_id)
    assert executive.read_one("hmr.treatment.case", case["id"], ["step_kind"])["step_kind"] == (
        "answer"
    )
    scheduler.deliver_mail()
    smtp.wait_for(email, pdf_attachments, since=since, what="the quote of the new process")

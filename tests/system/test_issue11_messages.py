"""Issue 11, messages (D7): the executive's message composer, the Messages tab, the banner
of a clinic that cannot deliver, and the templates the manager edits, walked on the real
server as each role meets them (XML-RPC exactly as the web client calls the wizard, the
emails read from the SMTP sink, the composer and the tab seen in Chromium)."""

import ast
import base64
import time
import xmlrpc.client
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from hmr_client import Chromium, utc_now_str, wait_until
from hmr_steps import create_command

SHOTS = Path("/tmp/hmr_shots/messages")
DESKTOP = {"width": 1440, "height": 1000, "deviceScaleFactor": 1, "mobile": False}
DESKTOP_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)
# the fields of the composer's form the web client asks for (those of main's form too)
COMPOSER_SPEC = {
    "lead_ids": {"fields": {"display_name": {}}},
    "channel": {},
    "mail_template_id": {"fields": {"display_name": {}}},
    "sms_template_id": {"fields": {"display_name": {}}},
    "subject": {},
    "body": {},
    "sms_body": {},
    "send_mode": {},
    "scheduled_at": {},
    "unreachable_info": {},
}


def new_lead(executive, admin, first_name, lang="es_MX", **values):
    """An executive's prospect (of ``lang``) as the prospect's form creates it."""
    email = f"{first_name.lower()}.{time.time_ns()}@example.mx"
    lead_id = executive.create(
        "crm.lead",
        {
            "type": "opportunity",
            "first_name": first_name,
            "last_name": "Prueba Mensajes",
            "email_from": email,
            "phone": "+52 55 8765 4321",
            "user_id": executive.uid,
            **values,
        },
    )
    partner_id = executive.read_one("crm.lead", lead_id, ["partner_id"])["partner_id"][0]
    admin.write("res.partner", partner_id, {"lang": lang})
    return lead_id, email


def open_composer(rpc, lead_id, method="action_hmr_send_email"):
    """Click the prospect's button and let the web client open the wizard: the action,
    then the form's first onchange. No language in the context (an integration's call)."""
    action = rpc.call("crm.lead", method, [lead_id])
    context = {k: v for k, v in action["context"].items() if k != "lang"}
    values = rpc.call(
        "hmr.message.composer", "onchange", [], {}, [], COMPOSER_SPEC, context=context
    )["value"]
    return context, values


def save_and_send(rpc, context, values):
    """Save the wizard (web_save, as the web client does before a button) and click Send."""
    vals = {k: v for k, v in values.items() if k in COMPOSER_SPEC and k != "unreachable_info"}
    for key in ("mail_template_id", "sms_template_id"):
        if isinstance(vals.get(key), dict):
            vals[key] = vals[key]["id"]
    lead_ids = []
    for command in vals.get("lead_ids") or []:  # the onchange's commands, as the client reads them
        lead_ids = command[2] if command[0] == 6 else [*lead_ids, command[1]]
    vals["lead_ids"] = [[6, 0, lead_ids]]
    wizard_id = rpc.call("hmr.message.composer", "web_save", [], vals, {}, context=context)[0]["id"]
    return rpc.call("hmr.message.composer", "action_send", [wizard_id], context=context)


def messages_of(rpc, lead_id):
    return rpc.search_read(
        "hmr.crm.message",
        [("lead_id", "=", lead_id)],
        [
            "state",
            "channel",
            "subject",
            "preview",
            "failure_type",
            "failure_reason",
            "scheduled_at",
        ],
    )


def chatter_bodies(rpc, lead_id):
    rows = rpc.search_read(
        "mail.message",
        [("model", "=", "crm.lead"), ("res_id", "=", lead_id)],
        ["body", "message_type"],
    )
    return " ".join(row["body"] or "" for row in rows)


def web_session(rpc):
    session = requests.Session()
    response = session.post(
        f"{rpc.url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": rpc.db, "login": rpc.login, "password": rpc.password},
        },
        timeout=60,
    )
    assert response.json()["result"]["uid"] == rpc.uid
    return session


def load_action(rpc, xmlid):
    """The action as the web client loads it for this user (/web/action/load)."""
    response = web_session(rpc).post(
        f"{rpc.url}/web/action/load",
        json={"jsonrpc": "2.0", "params": {"action_id": xmlid}},
        timeout=60,
    )
    payload = response.json()
    assert "error" not in payload, payload
    return payload["result"]


# ------------------------------------------------------------------------------------------------
# The composer
# ------------------------------------------------------------------------------------------------


def test_composer_previews_and_sends_the_executives_text(users, admin, smtp, scheduler):
    """D7 (issue 11): the executive opens the composer on Gabriela (es_MX): the preview is
    the template rendered for her, in Spanish, no raw placeholder; the executive adds a
    sentence; the email Gabriela receives is exactly that text, in Spanish, though the RPC
    context names no language. The Messages tab lists it as sent."""
    executive = users["ejecutivo"]
    lead_id, email = new_lead(executive, admin, "Gabriela")
    context, values = open_composer(executive, lead_id)
    assert "{{" not in values["subject"] and "{{" not in values["body"], values
    assert "Gabriela" in values["body"] and ">Ana<" not in values["body"], values["body"]
    assert "Gracias por su interés" in values["body"], "the preview is in her language"

    added = "Le confirmo su valoración del jueves a las 11."
    values["body"] = values["body"].replace("</div>", f"<p>{added}</p></div>", 1)
    since = len(smtp.messages)
    result = save_and_send(executive, context, values)
    assert result["params"]["type"] == "success", result
    scheduler.deliver_mail()
    mail = smtp.wait_for(email, since=since, what="the executive's email")[0]
    assert added in mail.text, mail.text
    assert "Hola Gabriela" in mail.text and "Gracias por su interés" in mail.text, mail.text
    assert "{{" not in mail.subject and "{{" not in mail.text
    lines = wait_until(
        lambda: [m for m in messages_of(executive, lead_id) if m["state"] == "sent"],
        what="the email listed as sent",
    )
    assert lines[0]["channel"] == "email"


def test_scheduled_email_is_not_in_the_chatter_until_sent(users, admin, smtp, scheduler):
    """D7 (issue 11): an email the executive schedules is listed as scheduled in the
    Messages tab and is not in the prospect's chatter as sent; once the scheduler sends
    it at its time, the prospect gets it, the chatter shows it and the tab says sent."""
    executive = users["ejecutivo"]
    lead_id, email = new_lead(executive, admin, "Patricia")
    context, values = open_composer(executive, lead_id)
    marker = f"Recordatorio programado {time.time_ns()}"
    values["body"] = values["body"].replace("</div>", f"<p>{marker}</p></div>", 1)
    values.update(send_mode="scheduled", scheduled_at=utc_now_str(timedelta(seconds=25)))
    since = len(smtp.messages)
    result = save_and_send(executive, context, values)
    assert result["params"]["type"] == "success", result

    assert marker not in chatter_bodies(executive, lead_id), "not in the chatter before its time"
    lines = messages_of(executive, lead_id)
    assert [line["state"] for line in lines] == ["scheduled"], lines
    assert not smtp.to(email, since)

    time.sleep(26)
    scheduler.run("mail.ir_cron_post_scheduled_message")
    scheduler.deliver_mail()
    mail = smtp.wait_for(email, since=since, what="the scheduled email")[0]
    assert marker in mail.text
    assert marker in chatter_bodies(executive, lead_id)
    wait_until(
        lambda: [line["state"] for line in messages_of(executive, lead_id)] == ["sent"],
        what="the scheduled email listed as sent",
    )


def test_failed_sms_reads_failed(users, admin):
    """D7 (issue 11): with no SMS provider, the composer's notice tells the executive the
    SMS failed and why (never "sent"), and the Messages tab lists it failed with its
    reason."""
    executive = users["ejecutivo"]
    lead_id, _email = new_lead(executive, admin, "Rocío")
    context, values = open_composer(executive, lead_id, "action_hmr_send_sms")
    assert values["channel"] == "sms" and "{{" not in (values["sms_body"] or "")
    assert "Rocío" in values["sms_body"], values["sms_body"]
    result = save_and_send(executive, context, values)
    params = result["params"]
    assert params["type"] == "danger", params
    message = str(params.get("message", "")) + str(params.get("title", ""))
    assert "enviado" not in message.lower() and "sent" not in message.lower(), params
    lines = messages_of(executive, lead_id)
    assert [line["state"] for line in lines] == ["failed"], lines
    # the reason: Odoo's failure type of the SMS (its label in the list), and its detail if any
    assert lines[0]["channel"] == "sms" and lines[0]["failure_type"], lines


def test_banner_when_the_clinic_cannot_deliver(users, admin, smtp):
    """D7 (issue 11): the executive and the manager are told, in the composer and above
    the Messages tab, when no outgoing mail server or no SMS provider is configured."""
    sink_server = admin.search_read("ir.mail_server", [("smtp_port", "=", smtp.port)], ["id"])
    for login in ("ejecutivo", "gerente"):
        rpc = users[login]
        lead_id, _email = new_lead(users["ejecutivo"], admin, "Inés")
        _context, values = open_composer(rpc, lead_id) if login == "ejecutivo" else (None, None)
        warnings = rpc.call("hmr.crm.message", "get_delivery_warnings")
        assert not warnings["mail_server_missing"], "the sink is the outgoing mail server"
        assert warnings["sms_provider_missing"], "the demo has no SMS account"
        if values is not None:
            spec = {"mail_server_missing": {}, "sms_provider_missing": {}}
            flags = rpc.call(
                "hmr.message.composer", "onchange", [], {}, [], spec, context=_context
            )["value"]
            assert flags == {"mail_server_missing": False, "sms_provider_missing": True}
    admin.write("ir.mail_server", [row["id"] for row in sink_server], {"active": False})
    try:
        for login in ("ejecutivo", "gerente"):
            warnings = users[login].call("hmr.crm.message", "get_delivery_warnings")
            assert warnings["mail_server_missing"], login
    finally:
        admin.write("ir.mail_server", [row["id"] for row in sink_server], {"active": True})


# ------------------------------------------------------------------------------------------------
# What the system sends
# ------------------------------------------------------------------------------------------------


def test_photo_reminder_of_the_scheduler_is_listed(users, admin, smtp, scheduler):
    """D7, S1.3 (issue 11): the photo reminder the scheduler mails the prospect is listed
    in the executive's Messages tab, sent."""
    executive = users["ejecutivo"]
    fue = admin.ref("hmr_treatments_addon.hmr_treatment_fue")
    lead_id, email = new_lead(
        executive, admin, "Marisol", treatment_case_ids=[create_command(treatment_id=fue)]
    )
    case = executive.search_read("hmr.treatment.case", [("lead_id", "=", lead_id)], ["id"])[0]
    executive.button("hmr.treatment.case", "action_hmr_record_privacy_consent", [case["id"]])
    admin.write(
        "hmr.treatment.case",
        case["id"],
        {"next_photo_reminder_at": utc_now_str(-timedelta(minutes=1))},
    )
    scheduler.run("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
    scheduler.deliver_mail()
    reminder = smtp.wait_for(email, what="the photo reminder")[0]
    lines = wait_until(
        lambda: [
            line
            for line in messages_of(executive, lead_id)
            if line["subject"] == reminder.subject and line["state"] == "sent"
        ],
        what="the photo reminder listed as sent",
    )
    assert lines[0]["channel"] == "email"


def test_photo_step_needs_a_reminder_template(users):
    """S1.3, S4 (issue 11): the manager cannot make a photo step that would count
    reminders it never sends; a step that sends none says so (no reminders)."""
    manager = users["gerente"]
    with pytest.raises(xmlrpc.client.Fault):
        manager.create(
            "hmr.process",
            {
                "name": "Fotos sin plantilla",
                "step_ids": [
                    create_command(
                        name="Fotos",
                        kind="photos",
                        reminder_max_count=3,
                        reminder_template_id=False,
                    )
                ],
            },
        )
    process_id = manager.create(
        "hmr.process",
        {
            "name": "Fotos sin recordatorios",
            "step_ids": [
                create_command(
                    name="Fotos", kind="photos", reminder_max_count=0, reminder_template_id=False
                )
            ],
        },
    )
    assert process_id


# ------------------------------------------------------------------------------------------------
# The manager's templates
# ------------------------------------------------------------------------------------------------


def test_manager_edits_every_template_the_clinic_sends(users, admin):
    """C12, D7 (issue 11): the photo reminder, the web acknowledgment and the executive's
    digest are in the manager's Email Templates menu, and the manager can edit them."""
    manager = users["gerente"]
    action = load_action(manager, "hmr_crm_addon.mail_template_action_hmr")
    domain = ast.literal_eval(action["domain"])
    listed = {row["id"] for row in manager.search_read("mail.template", domain, ["id"])}
    for xmlid in (
        "hmr_treatments_addon.mail_template_hmr_photo_reminder",
        "hmr_treatments_addon.mail_template_hmr_web_acknowledgment",
        "hmr_treatments_addon.mail_template_hmr_incomplete_digest",
        "hmr_crm_addon.mail_template_hmr_prospect_follow_up",
        "hmr_treatments_addon.mail_template_hmr_quote_send",
    ):
        template_id = admin.ref(xmlid)
        assert template_id in listed, xmlid
        description = manager.read_one("mail.template", template_id, ["description"])
        manager.write("mail.template", template_id, {"description": "Editada por la gerente"})
        manager.write("mail.template", template_id, {"description": description["description"]})


# ------------------------------------------------------------------------------------------------
# Screenshots
# ------------------------------------------------------------------------------------------------


def desktop_login(browser, rpc):
    """The executive at their desk: a desktop browser's screen and identity."""
    browser.send("Emulation.setDeviceMetricsOverride", **DESKTOP)
    browser.send("Emulation.setTouchEmulationEnabled", enabled=False)
    browser.send("Emulation.setUserAgentOverride", userAgent=DESKTOP_USER_AGENT)
    browser.goto(f"{rpc.url}/web/login?db={rpc.db}")
    browser.type_into("input[name=login]", rpc.login)
    browser.type_into("input[name=password]", rpc.password)
    browser.click("button[type=submit]")
    browser.wait_for("location.pathname.startsWith('/odoo')", what="the login")
    # the first visit builds the web client's assets: slow on a busy machine
    browser.wait_for(
        "!!document.querySelector('.o_main_navbar')", timeout=300, what="the web client"
    )


def test_screenshots_of_composer_and_messages(users, admin, smtp):
    """D7 (issue 11): the composer and the Messages tab as the executive sees them (saved
    under /tmp/hmr_shots/messages for people to look at)."""
    executive = users["ejecutivo"]
    lead_id, _email = new_lead(executive, admin, "Gabriela")
    browser = Chromium(SHOTS, lang="es-MX")
    try:
        desktop_login(browser, executive)
        panel = "action-hmr_crm_addon.crm_lead_action_hmr_panel"
        browser.goto(f"{executive.url}/odoo/{panel}/{lead_id}")
        try:
            browser.wait_visible("button[name=action_hmr_send_message]", timeout=180)
            browser.click("button[name=action_hmr_send_message]")
        except AssertionError:
            browser.screenshot("composer_failed_to_open", full_page=False)
            raise
        browser.wait_visible(".modal .o_field_widget[name=body]")
        time.sleep(1.5)
        text = browser.evaluate("document.querySelector('.modal').innerText")
        assert "Gabriela" in text and "{{" not in text, text
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = browser.send("Page.captureScreenshot", format="png")["data"]
        (SHOTS / "composer.png").write_bytes(base64.b64decode(shot))
        browser.goto(f"{executive.url}/odoo/hmr-messages")
        browser.wait_visible(".o_list_renderer")
        time.sleep(1.5)
        # (its es_MX text is in the PO; Odoo reads it once the .pot lists the new terms)
        banner = browser.evaluate("document.querySelector('.o_hmr_no_sms_provider').innerText")
        assert "SMS" in banner, banner
        shot = browser.send("Page.captureScreenshot", format="png")["data"]
        (SHOTS / "messages_tab.png").write_bytes(base64.b64decode(shot))
        # the clinic without its outgoing mail server: both banners
        mail_servers = [row["id"] for row in admin.search_read("ir.mail_server", [], ["id"])]
        admin.write("ir.mail_server", mail_servers, {"active": False})
        try:
            browser.goto(f"{executive.url}/odoo/hmr-messages")
            browser.wait_visible(".o_hmr_no_mail_server")
            time.sleep(1)
            shot = browser.send("Page.captureScreenshot", format="png")["data"]
            (SHOTS / "messages_tab_no_mail_server.png").write_bytes(base64.b64decode(shot))
        finally:
            admin.write("ir.mail_server", mail_servers, {"active": True})
    finally:
        browser.close()


# ------------------------------------------------------------------------------------------------
# QA of issue 11: the failure column, who configures delivery
# ------------------------------------------------------------------------------------------------


def test_failure_column_gives_the_reason_of_every_failure(users, admin, scheduler):
    """D7, S1.3 (issue 11): in the executive's Messages tab, the "Falla" column says why
    each failed message failed: a photo reminder the scheduler could not deliver (no
    outgoing mail server answers: "Connection refused", Odoo sets no failure type on it)
    shows that reason."""
    executive = users["ejecutivo"]
    fue = admin.ref("hmr_treatments_addon.hmr_treatment_fue")
    lead_id, _email = new_lead(
        executive, admin, "Fabiola", treatment_case_ids=[create_command(treatment_id=fue)]
    )
    case = executive.search_read("hmr.treatment.case", [("lead_id", "=", lead_id)], ["id"])[0]
    executive.button("hmr.treatment.case", "action_hmr_record_privacy_consent", [case["id"]])
    due = utc_now_str(-timedelta(minutes=1))
    admin.write("hmr.treatment.case", case["id"], {"next_photo_reminder_at": due})
    servers = [row["id"] for row in admin.search_read("ir.mail_server", [], ["id"])]
    admin.write("ir.mail_server", servers, {"active": False})
    try:
        scheduler.run("hmr_treatments_addon.ir_cron_hmr_photo_reminders")
        scheduler.deliver_mail()
    finally:
        admin.write("ir.mail_server", servers, {"active": True})

    es = {"lang": "es_MX"}
    views = executive.call("hmr.crm.message", "get_views", [[False, "list"]], context=es)
    arch = ElementTree.fromstring(views["views"]["list"]["arch"])
    columns = [node.get("name") for node in arch.iter("field")]
    labels = executive.call("hmr.crm.message", "fields_get", columns, ["string"], context=es)
    failure = next(name for name in columns if labels[name]["string"] == "Falla")
    fields = [failure, "channel", "subject", "failure_type", "failure_reason"]
    reminder = wait_until(
        lambda: executive.search_read(
            "hmr.crm.message",
            [("lead_id", "=", lead_id), ("state", "=", "failed")],
            fields,
            context=es,
        ),
        what="the photo reminder listed as failed",
    )[0]
    assert reminder["channel"] == "email" and not reminder["failure_type"], reminder
    assert "Connection refused" in reminder["failure_reason"], reminder
    assert reminder[failure] == reminder["failure_reason"], reminder
    failed = executive.search_read(
        "hmr.crm.message", [("state", "in", ["failed", "bounced"])], fields, context=es
    )
    assert all(row[failure] for row in failed), [row for row in failed if not row[failure]]


def test_delivery_banners_name_who_can_configure(server, users):
    """D7 (issue 11): the clinic's manager is not Odoo's administrator and cannot add an
    outgoing mail server; so the banners of the composer and of the Messages tab (as the
    web client gets them, in Spanish) say that Odoo's administrator does it, not a
    manager."""
    manager = users["gerente"]
    with pytest.raises(xmlrpc.client.Fault, match=r"AccessError|acceso|access"):
        manager.create("ir.mail_server", {"name": "Gerente", "smtp_host": "127.0.0.1"})

    es = {"lang": "es_MX"}
    views = manager.call("hmr.message.composer", "get_views", [[False, "form"]], context=es)
    form = ElementTree.fromstring(views["views"]["form"]["arch"])
    banners = [
        "".join(form.find(f".//div[@name='{name}']").itertext())
        for name in ("hmr_no_mail_server", "hmr_no_sms_provider")
    ]
    for text in banners:
        assert "administrador de Odoo" in text and "gerente" not in text.lower(), text

    template = requests.get(
        f"{server.url}/hmr_crm_addon/static/src/views/hmr_crm_message_list.xml", timeout=60
    )
    assert template.status_code == 200
    owl = ElementTree.fromstring(template.content)
    sources = [
        " ".join("".join(div.itertext()).split())
        for div in owl.iter("div")
        if "alert" in (div.get("class") or "")
    ]
    assert len(sources) == 2, sources
    terms = requests.get(
        f"{server.url}/web/webclient/translations",
        params={"mods": "hmr_crm_addon", "lang": "es_MX"},
        timeout=60,
    ).json()["modules"]["hmr_crm_addon"]["messages"]
    spanish = {term["id"]: term["string"] for term in terms}
    for source in sources:
        assert "Odoo's administrator" in source and "manager" not in source.lower(), source
        assert source in spanish, f"no es_MX translation of {source!r}"
        assert "administrador de Odoo" in spanish[source], spanish[source]
        assert "gerente" not in spanish[source].lower(), spanish[source]

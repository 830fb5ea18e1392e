"""The actions of each person in the Proceso Capilar, each through their own real client
(HTTP for the visitor and the prospect, XML-RPC for the staff, Chromium on a phone)."""

import re
import time
from pathlib import Path

from hmr_client import csrf_token, visible_text

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"
# the action of each slot's form (with the language prefix of the website, if any)
PHOTO_FORM = re.compile(r'action="((?:/[a-z]{2}(?:_[A-Z]{2})?)?/my/hmr/cases/\d+/photo/\d+)"')
PHOTO_FILES = ["front.jpg", "top.jpg", "crown.jpg", "left.jpg", "right.jpg"]


def submit_web_form(server, web, first_name, last_name, email, treatment_id, message=None):
    """B1: a visitor fills the public form /hmr/solicitud (no photo)."""
    page = web.get(f"{server.url}/hmr/solicitud", timeout=60)
    assert page.status_code == 200
    assert f'value="{treatment_id}"' in page.text, "the treatment is offered on the form"
    response = web.post(
        f"{server.url}/hmr/solicitud/enviar",
        data={
            "csrf_token": csrf_token(page.text),
            "first_name": first_name,
            "last_name": last_name,
            "email_from": email,
            "phone": "+52 55 1234 5678",
            "treatment_id": str(treatment_id),
            "description": message or "",
            "privacy_consent": "1",
        },
        files={"photos": ("", b"", "application/octet-stream")},
        timeout=120,
    )
    assert response.status_code == 200, response.text[-2000:]
    assert response.url.endswith("/hmr/solicitud/gracias"), response.url
    return response


def find_case(admin, email):
    cases = admin.search_read(
        "hmr.treatment.case",
        [("lead_id.email_from", "=", email)],
        ["id", "lead_id", "user_id", "partner_id", "step_kind", "state", "doctor_id"],
    )
    assert len(cases) == 1, cases
    return cases[0]


def link_to(mail, path_part):
    links = [link for link in mail.links if path_part in link]
    assert links, f"{mail!r} has no link to {path_part}: {mail.links}"
    return links[0]


def upload_photo(server, web, case_page_url, slot_index, consent=True, slots=5):
    """The prospect sends one photo from their page (the slot's own form)."""
    page = web.get(case_page_url, timeout=60)
    assert page.status_code == 200
    # one form per slot, in the order of the slots
    actions = PHOTO_FORM.findall(page.text)
    assert len(actions) == slots, "the page offers one form per photo"
    action = actions[slot_index]
    token = re.search(r"access_token=([\w-]+)", case_page_url).group(1)
    data = {"csrf_token": csrf_token(page.text), "access_token": token}
    if consent:
        data["privacy_consent"] = "1"
    name = PHOTO_FILES[slot_index]
    response = web.post(
        f"{server.url}{action}",
        data=data,
        files={"photo": (name, (PHOTOS / name).read_bytes(), "image/jpeg")},
        timeout=120,
    )
    assert response.status_code == 200, visible_text(response.text)[-1500:]
    return response


def open_assessment(rpc, case_id):
    rows = rpc.search_read(
        "hmr.assessment", [("case_id", "=", case_id), ("state", "=", "open")], ["id"]
    )
    assert rows, "the doctor has the open assessment"
    return rows[0]["id"]


def assess_and_prepare_quote(doctor, case_id, grafts=2400):
    """S2.3: the doctor records the assessment; Odoo opens the quote it prepared."""
    assessment_id = open_assessment(doctor, case_id)
    doctor.write(
        "hmr.assessment",
        assessment_id,
        {
            "hair_loss_scale": "4",
            "donor_area": "good",
            "graft_estimate": grafts,
            "findings": "<p>Entradas pronunciadas, buena zona donadora.</p>",
            "recommendation": "Trasplante FUE en línea frontal.",
        },
    )
    action = doctor.call("hmr.assessment", "action_done", [assessment_id])
    assert action["res_model"] == "sale.order"
    return action["res_id"]


def send_quote(rpc, order_id):
    """S2.4: "Send by email" on the quote, then "Send" in Odoo's composer, as the web
    client does: the composer renders the quotation template and its PDF report."""
    action = rpc.call("sale.order", "action_quotation_send", [order_id])
    context = action["context"]
    wizard_id = rpc.call("mail.compose.message", "create", {}, context=context)
    rpc.call("mail.compose.message", "action_send_mail", [wizard_id], context=context)


def open_quote_link(session, mail):
    """Click the quote's button in Odoo's quotation email (a /mail/view link that leads to
    the quote's portal page): return the page's address, with its access token."""
    links = [link for link in mail.links if "/mail/view" in link or "/my/orders/" in link]
    assert links, f"{mail!r} has no link to the quote: {mail.links}"
    response = session.get(links[0], timeout=60)
    assert response.status_code == 200
    assert "/my/orders/" in response.url and "access_token=" in response.url, response.url
    return links[0], response.url


def pdf_attachments(mail):
    return [(name, data) for name, data in mail.attachments if data and data[:4] == b"%PDF"]


def accept_and_sign_on_phone(phone, quote_url, name, screenshot_prefix):
    """S3.1: the prospect opens the quote on their phone, taps "Accept & Sign", signs with
    their name and confirms."""
    phone.goto(quote_url)
    phone.wait_for("document.body.getAttribute('is-ready') === 'true' || true")
    phone.screenshot(f"{screenshot_prefix}_1_quote")
    phone.click("a[data-bs-target='#modalaccept']")
    name_input = "#modalaccept .o_web_sign_name_and_signature input"
    phone.wait_visible(name_input)
    phone.type_into(name_input, name)
    phone.wait_for(
        "(() => { const c = document.querySelector('#modalaccept canvas.o_web_sign_signature');"
        " if (!c) return false; const d = c.getContext('2d').getImageData(0, 0, c.width,"
        " c.height).data; return d.some((v, i) => i % 4 === 3 && v > 0); })()",
        what="the signature drawn from the name",
    )
    # the person closes the phone's keyboard, looks at the signature, then taps
    phone.evaluate("document.activeElement.blur()")
    time.sleep(0.5)
    phone.screenshot(f"{screenshot_prefix}_2_sign", full_page=False)
    phone.click("#modalaccept .o_portal_sign_submit")
    phone.wait_for("location.href.includes('message=sign_ok')", timeout=120)
    phone.wait_ready()
    phone.screenshot(f"{screenshot_prefix}_3_signed")


def create_command(**values):
    """Odoo's ``Command.create(values)`` as the external API spells it."""
    return [0, 0, values]


def new_prospect(executive, admin, treatment_id, first_name, last_name, lang="es_MX"):
    """P1, P2: an executive captures a prospect and gives them a treatment (XML-RPC, the
    fields of the prospect's form); return the case, the prospect's email and the link to
    their own page (the one their emails carry)."""
    email = f"{first_name.lower()}.{time.time_ns()}@example.mx"
    lead_id = executive.create(
        "crm.lead",
        {
            "type": "opportunity",
            "first_name": first_name,
            "last_name": last_name,
            "email_from": email,
            "user_id": executive.uid,
            "treatment_case_ids": [create_command(treatment_id=treatment_id)],
        },
    )
    lead = executive.read_one("crm.lead", lead_id, ["partner_id"])
    assert lead["partner_id"], "the prospect has their own contact"
    admin.write("res.partner", lead["partner_id"][0], {"lang": lang})
    case = find_case(admin, email)
    url = admin.call("hmr.treatment.case", "get_portal_url", [case["id"]])
    return case, email, f"{executive.url}{url}"


def upload_photo_on_phone(phone, case_page_url, slot_index, screenshot_prefix):
    """The prospect sends one photo from their phone: picks the file in the slot's input
    and taps "Send photo"; the page comes back with the photo in its slot."""
    phone.goto(case_page_url)
    forms = phone.evaluate(
        "[...document.querySelectorAll('form.o_hmr_photo_form')]"
        ".map((form) => form.getAttribute('action'))"
    )
    form = f'form.o_hmr_photo_form[action="{forms[slot_index]}"]'
    phone.screenshot(f"{screenshot_prefix}_1_page")
    phone.set_files(f"{form} input[type=file]", [PHOTOS / PHOTO_FILES[slot_index]])
    phone.click(f"{form} button[type=submit]")
    phone.wait_for("location.href.includes('uploaded=')", timeout=120, what="the upload")
    phone.wait_ready()
    phone.screenshot(f"{screenshot_prefix}_2_uploaded")


def ask_to_talk(server, web, quote, message="¿Tienen pagos a meses?"):
    """S3.1: the prospect opens their quote's page and asks to talk to the executive (the
    form of the page)."""
    page = web.get(f"{server.url}{quote['url']}", timeout=60)
    assert page.status_code == 200
    token = re.search(r"access_token=([\w-]+)", quote["url"]).group(1)
    response = web.post(
        f"{server.url}/my/orders/{quote['id']}/talk",
        data={"csrf_token": csrf_token(page.text), "access_token": token, "talk_message": message},
        timeout=60,
    )
    assert response.status_code == 200


def priced_line(rpc, order_id):
    """The quote's first priced line, as ``rpc`` reads it."""
    lines = rpc.search_read(
        "sale.order.line",
        [("order_id", "=", order_id), ("display_type", "=", False), ("price_unit", ">", 0)],
        ["id", "price_unit", "discount", "product_id", "product_uom_qty"],
        limit=1,
    )
    assert lines, "the quote has a priced line"
    return lines[0]


def doctor_quote(doctor, grafts=2400):
    """The doctor finishes an open assessment of the demo: the quote it prepares."""
    assessments = doctor.search_read(
        "hmr.assessment",
        [("doctor_id", "=", doctor.uid), ("state", "=", "open")],
        ["case_id"],
        limit=1,
    )
    assert assessments, "the demo gives the doctor an assessment to do"
    return assess_and_prepare_quote(doctor, assessments[0]["case_id"][0], grafts=grafts)

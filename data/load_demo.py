"""Build the demo clinic "HMR Clínica Capilar" on a database where the HMR addons are installed.

`make run` pipes this file into ``odoo shell`` once, right after creating the database (see
``.ci/run_demo.sh``); ``env`` is the shell's superuser environment. Run it by hand with::

    python -m odoo shell -d hmr --addons-path=... --no-http < data/load_demo.py

from the repository root (the files are read from ``data/``). It can run again on the same
database: the company and the staff are updated, the prospects are re-imported onto the same
records (the sheet's "ID paciente" column is their external ID) and no treatment is assigned twice.

The prospects are imported from ``data/prospects.xlsx`` through Odoo's own import wizard
(``base_import.import``), exactly as a manager would import the clinic's old export.
The treatments' cases are then walked to every step of the "Proceso Capilar" (photos missing,
photos partly sent, assessment, quote saved, quote sent, accepted, rejected, asked to talk) with
the drawn sample photos of ``data/photos/``, stored in the private photo model of the process.
"""

import base64
import io
import time
from datetime import datetime, timedelta
from datetime import time as day_time
from pathlib import Path

from PIL import Image, ImageDraw

from odoo import Command, fields
from odoo.tools.translate import code_translations

DATA_DIR = Path(globals().get("__file__", "data/load_demo.py")).resolve().parent
PROSPECTS_FILE = DATA_DIR / "prospects.xlsx"
PHOTOS_DIR = DATA_DIR / "photos"
LOGO_FILE = DATA_DIR / "hmr_logo.png"  # drawn by data/make_demo_logo.py
FAVICON_FILE = DATA_DIR / "hmr_favicon.png"  # idem
PHOTO_FILES = ["front.jpg", "top.jpg", "crown.jpg", "left.jpg", "right.jpg"]
PHOTO_VARIANTS = ["", "early_loss", "advanced_loss"]
# where each demo case of the Proceso Capilar is left, in the order of the sheet
DEMO_STAGES = [
    "no_photos",
    "some_photos",
    "assessment",
    "quote_saved",
    "quote_sent",
    "accepted",
    "rejected",
    "talk",
    "followed_up",
]
# where each demo prospect its quotes did not move stands in the CRM panel, in turn: a lead
# nobody reached yet, contacts, a contact who lost interest, a patient file of the clinic
DEMO_STATUSES = ["lead", "contact", "contact", "not_interested", "contact", "patient"]
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LANG = "es_MX"
# the clinic speaks Spanish; English stays available to the staff (and prospects) who read it
LANGS = (LANG, "en_US")
TZ = "America/Mexico_City"

COMPANY = {
    "name": "HMR Clínica Capilar",
    "street": "Av. Paseo de la Reforma 222, piso 5",
    "street2": "Col. Juárez, Alc. Cuauhtémoc",
    "city": "Ciudad de México",
    "zip": "06600",
    "phone": "+52 55 5000 4020",
    "email": "contacto@hmr.example.mx",
    "website": "https://hmr.example.com",
}

# login (= password), name, role group, department
STAFF = (
    ("gerente", "Mónica Salinas Ortega", "group_hmr_manager", "hmr_department_management"),
    ("ejecutivo", "Carlos Medina Rivas", "group_hmr_executive", "hmr_department_sales"),
    ("ejecutiva2", "Lucía Torres Aguirre", "group_hmr_executive", "hmr_department_sales"),
    ("medico", "Dr. Alberto Ruiz Campos", "group_hmr_doctor", "hmr_department_diagnosis"),
    ("medica2", "Dra. Elena Garza Villarreal", "group_hmr_doctor", "hmr_department_diagnosis"),
)

# Odoo's utm sources a clinic never gets prospects from (job boards, mailings, search engine)
UNUSED_SOURCES = (
    "utm.utm_source_search_engine",
    "utm.utm_source_mailing",  # "Lead Recall"
    "utm.utm_source_newsletter",
    "utm.utm_source_linkedin",
    "utm.utm_source_monster",
    "utm.utm_source_glassdoor",
    "utm.utm_source_craigslist",
)
# Spanish names of the sources Odoo ships untranslated (the addon's own come with es_MX.po)
ODOO_SOURCE_NAMES_ES = {"utm.utm_source_referral": "Referido"}

# prospects.xlsx header -> crm.lead field path for base_import (False: not imported)
PROSPECT_COLUMNS = {
    "ID paciente": "id",  # external ID: a second import updates the same prospects
    "Nombre": "first_name",
    "Apellidos": "last_name",
    "Fecha de nacimiento": "birth_date",
    "Teléfono": "phone",
    "WhatsApp": "whatsapp",
    "Correo": "email_from",
    "Método de contacto": "contact_method_id",  # many2one by name
    "Fuente": "source_id",
    "Sección": "section_id",
    "Fecha de captación": "capture_date",
    "Ejecutivo (login)": "user_id",  # res.users name_search matches the login first
    "Tratamiento": False,  # hmr.treatment.case records, see assign_treatments()
    "Comentarios": "description",
}
ID_COLUMN = "ID paciente"
TREATMENT_COLUMN = "Tratamiento"

# what the import dialog sends for a spreadsheet with a header row
IMPORT_OPTIONS = {
    "has_headers": True,
    "advanced": True,
    "keep_matches": False,
    "sheet": "",
    "sheets": [],
    "skip": 0,
    "limit": 2000,
    "date_format": "",
    "datetime_format": "",
    "encoding": "",
    "separator": "",
    "quoting": '"',
    "float_thousand_separator": ",",
    "float_decimal_separator": ".",
    "fallback_values": {},
    "name_create_enabled_fields": {},
    "import_set_empty_fields": [],
    "import_skip_records": [],
}


class DemoLoadError(Exception):
    """The demo data does not fit the database: stop without committing anything."""


# ------------------------------------------------------------------------------------------------
# Company, languages, staff
# ------------------------------------------------------------------------------------------------


def setup_languages(env):
    """Spanish and English active, on the website too. A database created with
    ``--load-language=es_MX`` only activates es_MX: Odoo's own en_US stays inactive."""
    langs = env["res.lang"]
    for code in LANGS:
        lang = langs._activate_and_install_lang(code)
        if not lang:
            raise DemoLoadError(f"The language {code} is unknown to this database.")
        langs |= lang
    if "website" in env:
        for website in env["website"].search([]):
            website.language_ids |= langs
    return langs


def setup_company(env):
    """The main company becomes the Mexican clinic, in pesos and on Mexico City time."""
    mxn = env.ref("base.MXN")
    mxn.active = True
    company = env.ref("base.main_company")
    company.write(
        {
            **COMPANY,
            "country_id": env.ref("base.mx").id,
            "state_id": env.ref("base.state_mx_df").id,
            "currency_id": mxn.id,
            "logo": base64.b64encode(LOGO_FILE.read_bytes()),
        }
    )
    company.partner_id.write({"lang": LANG, "tz": TZ})
    setup_website(env, company)
    pricelist = env.ref("hmr_treatments_addon.hmr_pricelist", raise_if_not_found=False)
    if pricelist:
        pricelist.currency_id = mxn
    if "resource_calendar_id" in company and company.resource_calendar_id:
        company.resource_calendar_id.tz = TZ
    return company


def setup_website(env, company):
    """The public website is the clinic's: its name, logo and browser icon (the addon's pages
    show the company's logo and contact data; the website's own logo is what shared links
    show), and its home page is the request form (the demo has no pages of its own)."""
    if "website" not in env:
        return
    for website in env["website"].search([("company_id", "=", company.id)]):
        website.write(
            {
                "name": company.name,
                "logo": company.logo,
                "favicon": base64.b64encode(FAVICON_FILE.read_bytes()),
                "homepage_url": "/hmr/solicitud",
            }
        )


def setup_admin(env):
    admin = env.ref("base.user_admin")
    admin.write({"lang": LANG, "tz": TZ, "password": "admin"})
    return admin


def setup_staff(env, company):
    """Create or update the clinic staff: each user's password is their login."""
    users = env["res.users"].with_context(active_test=False, no_reset_password=True)
    section = env.ref("hmr_crm_addon.hmr_section_hair")
    staff = users.browse()
    for login, name, group, department in STAFF:
        values = {
            "name": name,
            "login": login,
            "password": login,
            "email": f"{login}@hmr.example.mx",
            "lang": LANG,
            "tz": TZ,
            "active": True,
            "company_id": company.id,
            "company_ids": [Command.link(company.id)],
            "group_ids": [Command.link(env.ref(f"hmr_crm_addon.{group}").id)],
            "hmr_department_id": env.ref(f"hmr_crm_addon.{department}").id,
            "hmr_section_id": section.id,
            "notification_type": "inbox",
        }
        home = "hmr_treatments_addon.hmr_treatment_case_action_my_assessments"
        if group != "group_hmr_doctor" or not env.ref(home, raise_if_not_found=False):
            home = "hmr_crm_addon.crm_lead_action_prospects"
        values["action_id"] = env.ref(home).id
        user = users.search([("login", "=", login)], limit=1)
        if user:
            user.write(values)
        else:
            user = users.create(values)
        staff |= user
    executives = staff.filtered(lambda user: user.hmr_role == "executive")
    team = env.ref("sales_team.team_sales_department", raise_if_not_found=False)
    if team:
        team.write({"member_ids": [Command.link(user.id) for user in executives]})
    return staff


def archive_unused_sources(env):
    """The contact sources the prospects' form offers are the clinic's: Odoo's default
    sources it never uses are archived (kept for the history, if any)."""
    sources = env["utm.source"].browse()
    for xmlid in UNUSED_SOURCES:
        source = env.ref(xmlid, raise_if_not_found=False)
        if source:
            sources |= source
    sources.action_archive()
    return sources


def name_clinic_sources(env):
    """Odoo's own sources the clinic keeps, named in Spanish for its Spanish users
    (see ODOO_SOURCE_NAMES_ES); English users keep Odoo's names."""
    for xmlid, name in ODOO_SOURCE_NAMES_ES.items():
        source = env.ref(xmlid, raise_if_not_found=False)
        if source:
            source.with_context(lang="es_MX").name = name


# ------------------------------------------------------------------------------------------------
# Prospects
# ------------------------------------------------------------------------------------------------


def import_prospects(env, path=PROSPECTS_FILE):
    """Import the sheet with base_import, as the import dialog does; return the prospects."""
    wizard = env["base_import.import"].create(
        {
            "res_model": "crm.lead",
            "file": path.read_bytes(),
            "file_name": path.name,
            "file_type": XLSX_MIMETYPE,
        }
    )
    options = dict(IMPORT_OPTIONS)
    preview = wizard.parse_preview(options)
    if preview.get("error"):
        raise DemoLoadError(f"{path.name} cannot be read: {preview['error']}")
    headers = preview["headers"]
    unknown = [header for header in headers if header not in PROSPECT_COLUMNS]
    missing = [header for header in PROSPECT_COLUMNS if header not in headers]
    if unknown or missing:
        raise DemoLoadError(
            f"{path.name} does not have the expected columns "
            f"(unknown: {unknown or 'none'}, missing: {missing or 'none'})."
        )
    fields = [PROSPECT_COLUMNS[header] for header in headers]
    # tracking_disable: like the import dialog (its "track history" option is off by default)
    result = wizard.with_context(tracking_disable=True).execute_import(
        fields, headers, preview["options"]
    )
    messages = result.get("messages", [])
    errors = [message for message in messages if message.get("type") == "error"]
    for message in messages:
        row = message.get("rows", {}).get("from")
        where = f"sheet row {row + 2}" if isinstance(row, int) else "file"
        field = f" [{message['field']}]" if message.get("field") else ""
        print(f"  {message.get('type', 'error')}: {where}{field}: {message.get('message')}")
    if errors or not result.get("ids"):
        raise DemoLoadError(f"The import of {path.name} failed: nothing was imported.")
    prospects = env["crm.lead"].browse(result["ids"])
    # the CRM is used without the "Leads" step unless a manager turns it on: make sure the
    # imported prospects land in the pipeline either way
    for lead in prospects.filtered(lambda lead: lead.type == "lead"):
        lead.convert_opportunity(lead.partner_id)
    # crm gives a prospect its company through its executive or team and leaves the unassigned
    # ones without any (company-checked records such as treatment cases then refuse them): the
    # demo is one clinic, its prospects are the clinic's
    prospects.filtered(lambda lead: not lead.company_id).company_id = env.company
    return prospects


def read_sheet_rows(path=PROSPECTS_FILE):
    """The sheet's rows as dicts keyed by header, for the columns the import does not load."""
    import openpyxl  # noqa: PLC0415 -- an Odoo dependency, only needed here

    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).active
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows)
    return [dict(zip(headers, row, strict=False)) for row in rows if any(row)]


def find_prospect(env, external_id):
    return env.ref(f"__import__.{external_id}", raise_if_not_found=False)


def assign_treatments(env, rows):
    """Give each prospect the treatment of its "Tratamiento" cell (hmr_treatments_addon)."""
    if "hmr.treatment.case" not in env:
        print("  treatments: skipped, hmr_treatments_addon is not installed")
        return env["crm.lead"].browse()
    wanted = {}
    for row in rows:
        if row.get(TREATMENT_COLUMN):
            wanted[row[ID_COLUMN]] = row[TREATMENT_COLUMN].strip()
    treatments = (
        env["hmr.treatment"]
        .with_context(active_test=False)
        .search([("name", "in", sorted(set(wanted.values())))])
    )
    by_name = {treatment.name: treatment for treatment in treatments}
    unknown = sorted(set(wanted.values()) - by_name.keys())
    if unknown:
        raise DemoLoadError(f"Unknown treatments in {PROSPECTS_FILE.name}: {', '.join(unknown)}")
    # archived assignments count too: the same treatment is never assigned twice to a prospect
    cases = env["hmr.treatment.case"].with_context(active_test=False)
    leads = env["crm.lead"].browse([find_prospect(env, external_id).id for external_id in wanted])
    existing = {
        (case.lead_id.id, case.treatment_id.id)
        for case in cases.search([("lead_id", "in", leads.ids)])
    }
    vals_list = []
    for external_id, name in wanted.items():
        key = (find_prospect(env, external_id).id, by_name[name].id)
        if key not in existing:
            existing.add(key)
            vals_list.append({"lead_id": key[0], "treatment_id": key[1]})
    return cases.create(vals_list)


# ------------------------------------------------------------------------------------------------
# The Proceso Capilar at every step
# ------------------------------------------------------------------------------------------------


def read_sample_photos(variant):
    folder = PHOTOS_DIR / variant if variant else PHOTOS_DIR
    return [base64.b64encode((folder / name).read_bytes()) for name in PHOTO_FILES]


def send_photos(case, count, variant=""):
    """Store ``count`` sample photos in the case's slots, as the prospect would."""
    # the executive confirmed the consent when the prospect came from the old tool
    case.partner_id._hmr_record_privacy_consent("staff", case.user_id or None)
    # and, some of them, the optional consent to the clinic's news and offers
    if case.id % 2:
        case.partner_id._hmr_give_consent("marketing", "staff", case.user_id or None)
    for slot, image in zip(
        case.missing_photo_slot_ids[:count], read_sample_photos(variant), strict=False
    ):
        case._hmr_store_photo(slot, image)


def assess(case, grafts):
    assessment = case.assessment_ids.filtered(lambda a: a.state == "open")[:1]
    assessment.write(
        {
            "hair_loss_scale": "4",
            "donor_area": "good",
            "graft_estimate": grafts,
            "findings": "<p>Entradas pronunciadas y adelgazamiento en la coronilla.</p>",
            "recommendation": "Trasplante FUE en línea frontal y coronilla.",
        }
    )
    action = assessment.action_done()
    return case.env["sale.order"].browse(action["res_id"])


def setup_call_automation(env):
    """The low-code a manager tunes in the UI (Odoo's automation rules): when a prospect
    enters the Contact stage, plan a call for its executive tomorrow. See the addon's
    USAGE.md for the same rule made by hand."""
    name = "Llamar a los nuevos contactos"
    automation = env["base.automation"].search([("name", "=", name)], limit=1)
    if automation:
        return automation
    automation = env["base.automation"].create(
        {
            "name": name,
            "model_id": env["ir.model"]._get_id("crm.lead"),
            "trigger": "on_stage_set",
            "trg_field_ref": env.ref("hmr_crm_addon.crm_stage_contact").id,
        }
    )
    env["ir.actions.server"].create(
        {
            "name": "Planear una llamada",
            "base_automation_id": automation.id,
            "model_id": automation.model_id.id,
            "usage": "base_automation",
            "state": "next_activity",
            "activity_type_id": env.ref("mail.mail_activity_data_call").id,
            "activity_summary": "Llamar al contacto para confirmar su interés",
            "activity_date_deadline_range": 1,
            "activity_date_deadline_range_type": "days",
            "activity_user_type": "generic",
            "activity_user_field_name": "user_id",
        }
    )
    return automation


def flush_tracking(env):
    """Write the chatter's tracking now, as a commit would: each stage change of the demo is
    then its own step in the prospect's history (and in the funnel)."""
    env.flush_all()
    env.cr.precommit.run()


def walk_prospects(env, prospects):
    """Move the prospects their quotes left new through the CRM panel's stages
    (DEMO_STATUSES)."""
    lost_reason = env.ref("hmr_crm_addon.crm_lost_reason_not_interested")
    new = prospects.filtered(lambda lead: lead.hmr_status == "lead" and lead.active)
    for index, lead in enumerate(new):
        status = DEMO_STATUSES[index % len(DEMO_STATUSES)]
        if status in ("contact", "not_interested"):
            lead._hmr_set_status("contact")
            flush_tracking(env)
        if status == "not_interested":
            lead.action_set_lost(lost_reason_id=lost_reason.id)
        elif status == "patient":
            lead._hmr_set_status("patient")
    flush_tracking(env)


def date_stage_history(env, prospects):
    """The demo is loaded in a minute, its prospects' history spans months: each stage
    change is dated a few days after the previous one, from the capture date on, so that
    the stage durations and the funnel's days per status are real numbers. Dates are
    rewritten in SQL: the demo replays a past Odoo never saw."""
    field_id = env["ir.model.fields"]._get("crm.lead", "stage_id").id
    now = datetime.now()
    for index, lead in enumerate(prospects.with_context(active_test=False)):
        date = datetime.combine(lead.capture_date or now.date(), day_time(10))
        env.cr.execute(
            """UPDATE crm_lead SET create_date = %s, date_open = %s WHERE id = %s""",
            (date, date, lead.id),
        )
        env.cr.execute(
            """SELECT v.id, v.mail_message_id FROM mail_tracking_value v
                 JOIN mail_message m ON m.id = v.mail_message_id
                WHERE m.model = 'crm.lead' AND m.res_id = %s AND v.field_id = %s
             ORDER BY v.id""",
            (lead.id, field_id),
        )
        for step, (value_id, message_id) in enumerate(env.cr.fetchall()):
            date = min(date + timedelta(days=2 + (index + 3 * step) % 6, hours=3), now)
            env.cr.execute(
                "UPDATE mail_tracking_value SET create_date = %s WHERE id = %s", (date, value_id)
            )
            env.cr.execute("UPDATE mail_message SET date = %s WHERE id = %s", (date, message_id))
        closed = min(date + timedelta(days=1), now) if lead.won_status != "pending" else None
        env.cr.execute(
            """UPDATE crm_lead SET date_last_stage_update = %s,
                                   date_closed = COALESCE(%s, date_closed) WHERE id = %s""",
            (date, closed, lead.id),
        )
    env.invalidate_all()


def date_quotes(env, prospects):
    """The quotes follow their prospect's re-dated history (see date_stage_history): a
    quote is issued and sent the day its prospect became a deal (saved the day after its
    last move while in draft), and answered (signed,
    confirmed, followed up) the day its prospect was won or lost, or a day after it was
    sent while the prospect still talks about it."""
    now = datetime.now()
    deal_stages = env["crm.stage"].search([("hmr_status", "=", "deal")])
    field_id = env["ir.model.fields"]._get("crm.lead", "stage_id").id
    orders = prospects.with_context(active_test=False).order_ids
    for order in orders:
        lead = order.opportunity_id
        env.cr.execute(
            """SELECT min(m.date) FROM mail_tracking_value v
                 JOIN mail_message m ON m.id = v.mail_message_id
                WHERE m.model = 'crm.lead' AND m.res_id = %s AND v.field_id = %s
                  AND v.new_value_integer IN %s""",
            (lead.id, field_id, tuple(deal_stages.ids)),
        )
        # a quote still in draft was saved a day after the prospect's last move
        sent_at = env.cr.fetchone()[0] or min(lead.date_last_stage_update + timedelta(days=1), now)
        made_at = order.hmr_sent_at or order.create_date
        answered_at = lead.date_last_stage_update
        if lead.won_status == "pending":
            answered_at = min(sent_at + timedelta(days=1, hours=2), now)
        env.cr.execute(
            """UPDATE sale_order
                  SET create_date = create_date + %(sent)s, hmr_sent_at = hmr_sent_at + %(sent)s,
                      date_order = date_order + CASE WHEN state = 'sale' THEN %(answered)s
                                                     ELSE %(sent)s END,
                      signed_on = signed_on + %(answered)s,
                      hmr_answered_at = hmr_answered_at + %(answered)s,
                      -- the executive calls back the day after the acceptance
                      hmr_followed_up_at = LEAST(hmr_followed_up_at + %(answered)s
                                                 + INTERVAL '1 day 3 hours', %(now)s),
                      hmr_issued_on = NULL
                WHERE id = %(id)s""",
            {
                "sent": sent_at - made_at,
                "answered": answered_at - (order.hmr_answered_at or made_at),
                "now": now,
                "id": order.id,
            },
        )
    env.invalidate_all()
    for name in ("hmr_issued_on", "hmr_accepted_on"):
        env.add_to_compute(orders._fields[name], orders)
    orders.flush_recordset(["hmr_issued_on", "hmr_accepted_on"])
    return orders


def date_assessments(env, cases):
    """The doctors of the demo assess in seconds: each assessment is re-dated in SQL (like
    the stage history) between the prospect's capture and the quote it led to (see
    date_quotes), assessed half a day to four days after its assignment, so that the
    doctors' workload report shows real days."""
    now = datetime.now()
    assessments = cases.with_context(active_test=False).assessment_ids
    for index, assessment in enumerate(assessments.sorted("id")):
        case = assessment.case_id
        earliest = datetime.combine(case.lead_id.capture_date or now.date(), day_time(9))
        days = (12 + (index * 29) % 85) / 24  # 0.5 to 4 days
        done = None
        if assessment.date_done:
            quoted = case.order_ids[:1].create_date or now
            done = quoted - timedelta(hours=1 + index % 3)
            assigned = max(done - timedelta(days=days), earliest + timedelta(hours=3))
            days = (done - assigned).total_seconds() / 86400
        else:
            assigned, days = min(earliest + timedelta(days=1 + index % 3), now), None
        env.cr.execute(
            """UPDATE hmr_assessment SET create_date = %s, date_done = %s, days_to_assess = %s
                WHERE id = %s""",
            (assigned, done, days, assessment.id),
        )
    env.invalidate_all()
    return assessments


def step_change_date(case, kind, state, previous):
    """When the demo case entered the step of ``kind`` (or closed, ``state``), from the
    dates its assessment and quote were given (see date_assessments and date_quotes)."""
    assessment = case.assessment_ids.sorted("id")[:1]
    order = case.order_ids.sorted("id")[:1]
    if state in ("done", "lost"):
        return order.hmr_followed_up_at if state == "done" else order.hmr_answered_at
    return {
        "assessment": assessment.create_date,
        "quote": assessment.date_done,
        "answer": order.hmr_sent_at,
        "follow_up": order.hmr_answered_at,
    }.get(kind, previous)


def date_case_steps(env, cases):
    """The cases' step history follows the re-dated prospects, assessments and quotes: the
    case starts the day its prospect was captured, enters the assessment when its doctor
    got it, the quote when assessed, the answer when the quote was sent, the follow-up
    when accepted and closes when followed up (or rejected), so that the time-per-step
    report shows real days. Rewritten in SQL, as the stage history (date_stage_history)."""
    now = datetime.now()
    fields_ids = [
        env["ir.model.fields"]._get("hmr.treatment.case", name).id for name in ("step_id", "state")
    ]
    for index, case in enumerate(cases.with_context(active_test=False).sorted("id")):
        capture = case.lead_id.capture_date or now.date()
        date = min(datetime.combine(capture, day_time(9 + index % 4)), now)
        env.cr.execute(
            "UPDATE hmr_treatment_case SET create_date = %s WHERE id = %s", (date, case.id)
        )
        env.cr.execute(
            """SELECT v.id, v.mail_message_id, v.field_id, v.new_value_integer, v.new_value_char
                 FROM mail_tracking_value v
                 JOIN mail_message m ON m.id = v.mail_message_id
                WHERE m.model = 'hmr.treatment.case' AND m.res_id = %s AND v.field_id IN %s
             ORDER BY v.id""",
            (case.id, tuple(fields_ids)),
        )
        rows = env.cr.fetchall()
        # tracked states are stored as their (translated) label: the case's own state
        # tells whether its last state change closed it
        closings = [row[0] for row in rows if row[2] == fields_ids[1]][-1:]
        closed = case.state if case.state in ("done", "lost") else None
        for value_id, message_id, field_id, step_id in (row[:4] for row in rows):
            closing = field_id == fields_ids[1]
            if closing and (value_id not in closings or not closed):
                continue
            kind = None if closing else env["hmr.process.step"].browse(step_id).kind
            if closing or kind != "photos":
                found = step_change_date(case, kind, closed if closing else None, date)
                # never before the change it follows, never in the future
                date = min(max(found or date, date + timedelta(minutes=10)), now)
            env.cr.execute(
                "UPDATE mail_tracking_value SET create_date = %s WHERE id = %s", (date, value_id)
            )
            env.cr.execute("UPDATE mail_message SET date = %s WHERE id = %s", (date, message_id))
        env.cr.execute(
            "UPDATE hmr_treatment_case SET step_date = %s WHERE id = %s", (date, case.id)
        )
    env.invalidate_all()


def give_each_executive_every_status(env, prospects):
    """Each executive holds prospects in every tab of the CRM panel: one not interested
    (lost through Odoo's own action, with the clinic's "not interested" reason) and one
    contact at least, taken from their prospects still to be worked."""
    lost_reason = env.ref("hmr_crm_addon.crm_lost_reason_not_interested")
    open_leads = prospects.filtered(lambda lead: lead.active and lead.won_status == "pending")
    for user, leads in open_leads.grouped("user_id").items():
        if not user:
            continue
        mine = prospects.with_context(active_test=False).filtered(
            lambda lead, u=user: lead.user_id == u
        )
        free = leads.filtered(
            lambda lead: lead.hmr_status in ("lead", "contact") and not lead.order_ids
        )
        if not mine.filtered(lambda lead: lead.won_status == "lost") and len(free) > 2:
            lost = free.sorted("id")[-1]
            if lost.hmr_status == "lead":
                lost._hmr_set_status("contact")
                flush_tracking(env)
            lost.with_user(user).action_set_lost(lost_reason_id=lost_reason.id)
            free -= lost
        if not leads.filtered(lambda lead: lead.hmr_status == "contact") and free:
            free[:1]._hmr_set_status("contact")
    flush_tracking(env)


# made calls: (days ago, outcome, notes)
DEMO_CALLS_MADE = (
    (9, "no_answer", "Buzón de voz; se le dejó mensaje."),
    (6, "call_back", "Pide que le llamen después de las 6 p. m."),
    (3, "interested", "Quiere saber si la cirugía puede ser en diciembre."),
    (2, "not_interested", "Por ahora prefiere un tratamiento sin cirugía."),
)


def plan_demo_calls(env, prospects):
    """The Calls tab of each executive: calls made weeks ago with their outcome, one
    overdue, others to make today and in the coming days. Calls are planned and marked
    made through the model (as the executive), then dated in the past in SQL, as the
    rest of the demo's history."""
    Call = env["hmr.call"]
    if Call.search_count([]):
        return Call
    now = datetime.now().replace(second=0, microsecond=0)
    calls = Call.browse()
    open_leads = prospects.filtered(
        lambda lead: lead.active and lead.won_status == "pending" and lead.user_id
    )
    # 16:00 UTC is 10:00 in Mexico City: the calls fall in the clinic's office hours
    morning = datetime.combine(now.date(), day_time(16))
    for user, leads in open_leads.grouped("user_id").items():
        leads = leads.sorted("id").with_user(user)
        for index, lead in enumerate(leads):
            made = DEMO_CALLS_MADE[index % len(DEMO_CALLS_MADE)]
            if made[1] == "interested" and lead.hmr_status == "lead":
                made = DEMO_CALLS_MADE[0]  # an interested lead would become a contact
            call = Call.with_user(user).create(
                {
                    "lead_id": lead.id,
                    "call_at": now + timedelta(hours=1),
                    "outcome": made[1],
                    "notes": made[2],
                }
            )
            call.action_mark_done()
            when = morning - timedelta(days=made[0] + index % 3) + timedelta(hours=index % 5)
            # then the next call to make: one overdue, the others today or later
            next_call = Call.with_user(user).create(
                {"lead_id": lead.id, "call_at": now + timedelta(hours=1)}
            )
            planned = morning + timedelta(days=index % 4, hours=index % 7)
            if index == 1:
                planned = morning - timedelta(days=2, hours=-3)
            elif planned <= now:
                planned += timedelta(days=1)
            env.cr.execute(
                "UPDATE hmr_call SET call_at = %s, called_at = %s WHERE id = %s",
                (when, when + timedelta(minutes=5), call.id),
            )
            env.cr.execute(
                "UPDATE hmr_call SET call_at = %s, reminded_at = %s WHERE id = %s",
                (planned, planned if planned < now else None, next_call.id),
            )
            calls |= call | next_call
    env.invalidate_all()
    # the times were moved in SQL: the prospects' next call is computed from them again
    leads = calls.lead_id
    env.add_to_compute(leads._fields["hmr_next_call_at"], leads)
    leads.flush_recordset(["hmr_next_call_at"])
    return calls


DEMO_EMAILS = (
    (
        "Su valoración capilar",
        "Hola {name}, le escribo para confirmar que recibimos su solicitud. "
        "¿Le parece bien que le llamemos esta semana para platicar de su caso?",
    ),
    (
        "Información sobre el trasplante FUE",
        "Hola {name}, como platicamos, le comparto que el "
        "procedimiento FUE no deja cicatriz lineal y la recuperación toma unos días.",
    ),
)


def send_demo_messages(env, prospects):
    """The Messages tab of each executive: emails they wrote to their prospects from the
    prospect's chatter (Odoo's message_post, the prospect as recipient), delivered weeks
    ago, and one scheduled for tomorrow. The demo has no mail server: the past emails are
    recorded as delivered the way Odoo records a delivery, and their dates moved back."""
    now = datetime.now().replace(second=0, microsecond=0)
    messages = env["mail.message"]
    open_leads = prospects.filtered(
        lambda lead: lead.active and lead.user_id and lead.partner_id.email
    )
    for user, leads in open_leads.grouped("user_id").items():
        for index, lead in enumerate(leads.sorted("id")[:3]):
            subject, body = DEMO_EMAILS[index % len(DEMO_EMAILS)]
            first_name = lead.first_name or lead.contact_name
            values = {
                "subject": subject,
                "body": body.format(name=first_name),
                "partner_ids": lead.partner_id.ids,
                "message_type": "comment",
                "subtype_xmlid": "mail.mt_comment",
            }
            thread = lead.with_user(user).with_context(mail_notify_force_send=False)
            if index == 2:
                # to be sent tomorrow morning (Odoo's scheduled notification)
                messages |= thread.message_post(
                    **values, scheduled_date=now.replace(hour=16, minute=0) + timedelta(days=1)
                )
                continue
            message = thread.message_post(**values)
            mails = env["mail.mail"].search([("mail_message_id", "=", message.id)])
            mails.write({"state": "sent", "auto_delete": False})
            mails._postprocess_sent_message(success_pids=lead.partner_id, success_emails=[])
            sent_at = now - timedelta(days=4 + 5 * index, hours=index)
            env.cr.execute("UPDATE mail_message SET date = %s WHERE id = %s", (sent_at, message.id))
            messages |= message
    env.invalidate_all()
    return messages


def draw_signature(name):
    """The signature the portal's dialog draws from the typed name, as a PNG (base64)."""
    image = Image.new("RGBA", (360, 90), (255, 255, 255, 0))
    ImageDraw.Draw(image).text((10, 30), name, fill=(20, 40, 120, 255), font_size=28)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return base64.b64encode(output.getvalue())


def accept_and_sign(order):
    """The prospect accepts the quote as on their page (``portal_quote_accept`` of sale and
    of the treatments addon): signed with their name, confirmed (these quotes need no
    online payment), which wins the prospect, said in the chatter as them, then recorded
    as their answer."""
    order._hmr_check_can_answer()
    prospect = order.partner_id
    order.write(
        {
            "signed_by": prospect.name,
            "signed_on": fields.Datetime.now(),
            "signature": draw_signature(prospect.name),
        }
    )
    order.action_confirm()
    order._track_set_author(prospect)
    # sale's own words, in the clinic's language (the signed PDF is left out: wkhtmltopdf
    # would add seconds per quote to the demo)
    signed = code_translations.get_python_translations("sale", LANG).get(
        "Order signed by %s", "Order signed by %s"
    )
    order.message_post(
        author_id=prospect.id,
        body=signed % prospect.name,
        message_type="comment",
        subtype_xmlid="mail.mt_comment",
    )
    order._hmr_record_answer("accepted")


def walk_case(env, case, stage, index):
    """Take one demo case to ``stage`` through the process's own methods. The tracking is
    written after each step, as the separate requests of real life would: each step change
    is its own line of the case's history (and of the time-per-step report)."""
    flush_tracking(env)
    if stage == "no_photos":
        return
    variant = PHOTO_VARIANTS[index % len(PHOTO_VARIANTS)]
    if stage == "some_photos":
        send_photos(case, 2, variant)
        return
    send_photos(case, len(PHOTO_FILES), variant)
    flush_tracking(env)
    if stage == "assessment" or case.step_kind != "assessment":
        return
    order = assess(case, grafts=1800 + 200 * index)
    flush_tracking(env)
    if stage == "quote_saved":
        return
    order.action_quotation_sent()
    flush_tracking(env)  # the prospect is a deal for a while before the answer
    if stage == "quote_sent":
        return
    if stage in ("rejected", "talk"):
        message = {
            "rejected": "Por ahora el precio está fuera de mi presupuesto.",
            "talk": "¿Se puede pagar en mensualidades?",
        }[stage]
        order._hmr_answer_as_prospect(stage, message)  # as the prospect does on their page
    else:
        accept_and_sign(order)
    flush_tracking(env)
    if stage == "followed_up":
        order._hmr_mark_followed_up()  # the executive called and booked the procedure
        # and the procedure was invoiced: the quote is finished
        order._create_invoices().action_post()


def walk_cases(env, cases):
    """Leave the Proceso Capilar cases of the demo at every step, in turn."""
    hair = env.ref("hmr_treatments_addon.hmr_process_hair", raise_if_not_found=False)
    cases = cases.filtered(lambda case: case.process_id == hair and case.step_kind == "photos")
    for index, case in enumerate(cases):
        walk_case(env, case, DEMO_STAGES[index % len(DEMO_STAGES)], index)
    return cases


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def print_summary(env, staff, prospects, cases, walked, started):
    roles = {"manager": 0, "executive": 0, "doctor": 0}
    for user in staff:
        roles[user.hmr_role] += 1
    unassigned = len(prospects.filtered(lambda lead: not lead.user_id))
    print(
        f"HMR demo clinic ready in {time.monotonic() - started:.1f} s: "
        f"{env.company.name} ({env.company.currency_id.name}, {'/'.join(LANGS)}, {TZ})\n"
        f"  staff: {len(staff)} ({roles['manager']} manager, {roles['executive']} executives, "
        f"{roles['doctor']} doctors), logins = passwords, admin / admin\n"
        f"  prospects: {len(prospects)} imported ({unassigned} without executive), "
        f"{env['crm.lead'].search_count([])} in the CRM\n"
        f"  treatment assignments created: {len(cases)}, "
        f"{len(walked)} walked through the Proceso Capilar"
    )


def main(env):
    started = time.monotonic()
    # the clinic's sheet names its catalogs (contact methods, sections, treatments) in Spanish
    env = env(context=dict(env.context, lang=LANG))
    try:
        setup_languages(env)
        company = setup_company(env)
        setup_admin(env)
        staff = setup_staff(env, company)
        archive_unused_sources(env)
        name_clinic_sources(env)
        prospects = import_prospects(env)
        setup_call_automation(env)
        cases = assign_treatments(env, read_sheet_rows())
        walked = walk_cases(env, cases)
        flush_tracking(env)
        walk_prospects(env, prospects)
        give_each_executive_every_status(env, prospects)
        date_stage_history(env, prospects)
        date_quotes(env, prospects)
        date_assessments(env, cases)
        date_case_steps(env, walked)
        plan_demo_calls(env, prospects)
        send_demo_messages(env, prospects)
    except DemoLoadError as error:
        env.cr.rollback()
        print(f"ERROR: the demo clinic was not loaded: {error}")
        raise SystemExit(1) from error
    env.cr.commit()
    print_summary(env, staff, prospects, cases, walked, started)


if __name__ == "__main__":
    main(env)  # `env` is a global of `odoo shell` (F821 is ignored for this file in ruff.toml)

"""Issue 11, the export, the reports and the demo as the clinic's executive and manager
meet them on the real server (the demo clinic built by data/load_demo.py, as `make run`)."""

import ast
import io
import statistics
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from hmr_client import Chromium
from openpyxl import load_workbook
from test_issue11_messages import new_lead, open_composer, save_and_send

SHOTS = Path("/tmp/hmr_shots/reports")
STATUS_SHEETS = ("Leads", "Contactos", "Acuerdos", "Clientes", "No interesado")
# the nine screens of the CRM menu (D2-D8) and their window actions
CRM_SCREENS = (
    "crm_lead_action_hmr_panel",
    "crm_lead_action_hmr_leads",
    "crm_lead_action_hmr_contacts",
    "crm_lead_action_hmr_deals",
    "crm_lead_action_hmr_clients",
    "crm_lead_action_hmr_not_interested",
    "hmr_call_action",
    "hmr_crm_message_action",
    "sale_order_action_hmr_quotes",
)
DESKTOP = {"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False}


def _web_session(server, login):
    """A browser's session of ``login`` (the web client's own log-in call)."""
    session = requests.Session()
    response = session.post(
        f"{server.url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": server.db, "login": login, "password": login}},
        timeout=60,
    )
    assert response.json().get("result", {}).get("uid"), response.text
    return session


def _load_action(session, server, xmlid):
    """A menu's action, as the web client loads it (``/web/action/load``) for its user."""
    response = session.post(
        f"{server.url}/web/action/load",
        json={"jsonrpc": "2.0", "params": {"action_id": xmlid}},
        timeout=60,
    )
    payload = response.json()
    assert "error" not in payload, payload
    return payload["result"]


def _download_workbook(server, login, session=None):
    """The "Export to Excel" menu, as the web client follows it: its URL action, downloaded
    in the user's session."""
    session = session or _web_session(server, login)
    url = _load_action(session, server, "hmr_crm_addon.action_hmr_crm_export_xlsx")["url"]
    response = session.get(f"{server.url}{url}", timeout=120)
    assert response.status_code == 200, response.text[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def _rows(sheet):
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _days(start, end):
    fmt = "%Y-%m-%d %H:%M:%S"
    return (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds() / 86400


def test_executive_exports_deal_revenue_wrapped_printable_one_sheet_each(server, users):
    """D9, D4 (issue 11): the executive downloads the CRM workbook: each deal's expected
    revenue is its open quote's amount; the cells wrap and the sheets print (landscape, one
    page wide, the header row on every page); each of their prospects sits in exactly one
    status sheet, the one of their stage (or Not Interested when lost)."""
    executive = users["ejecutivo"]
    workbook = _download_workbook(server, "ejecutivo")

    deals = executive.search_read(
        "crm.lead",
        [("type", "=", "opportunity"), ("stage_id.hmr_status", "=", "deal")],
        ["contact_name", "order_ids"],
    )
    quotes = {
        order["id"]: order
        for order in executive.search_read(
            "sale.order",
            [("opportunity_id", "in", [deal["id"] for deal in deals])],
            ["state", "amount_untaxed"],
        )
    }
    revenue = {row["Prospecto"]: row["Ingreso esperado"] for row in _rows(workbook["Acuerdos"])}
    checked = 0
    for deal in deals:
        sent = [
            quotes[i]["amount_untaxed"] for i in deal["order_ids"] if quotes[i]["state"] == "sent"
        ]
        if sent:
            assert revenue[deal["contact_name"]] == sum(sent), deal["contact_name"]
            checked += 1
    assert checked, "the demo gives the executive deals with a sent quote"
    assert any(amount >= 100000 for amount in revenue.values()), revenue

    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", (sheet.title, sheet.print_title_rows)
        data = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
        assert all(cell.alignment.wrap_text for cell in data), sheet.title
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(8 <= width <= 60 for width in widths), (sheet.title, widths)
    comments = workbook["Acuerdos"]
    header = [cell.value for cell in comments[1]]
    assert (
        comments.column_dimensions[
            comments.cell(1, header.index("Comentarios de la venta") + 1).column_letter
        ].width
        >= 30
    )

    placed = [row["Prospecto"] for title in STATUS_SHEETS for row in _rows(workbook[title])]
    assert len(placed) == len(set(placed)), "somebody sits in two status sheets"
    prospects = executive.search_read(
        "crm.lead",
        [("type", "=", "opportunity"), ("active", "in", [True, False])],
        ["contact_name"],
    )
    assert sorted(placed) == sorted(p["contact_name"] for p in prospects)
    lost = executive.search_read(
        "crm.lead", [("won_status", "=", "lost"), ("active", "=", False)], ["contact_name"]
    )
    assert lost, "the demo gives the executive a prospect who is not interested"
    assert {p["contact_name"] for p in lost} == {
        row["Prospecto"] for row in _rows(workbook["No interesado"])
    }
    for title in ("Llamadas", "Mensajes", "Cotizaciones"):
        assert _rows(workbook[title]), f"the activity sheet {title} is filled"


def test_executive_finds_every_crm_screen_filled(server, users, admin):
    """D2-D8 (issue 11): on the demo clinic, each of the nine screens of the CRM menu shows
    the executive at least one record: the window action's own domain, searched as them."""
    executive = users["ejecutivo"]
    session = _web_session(server, "ejecutivo")
    empty = []
    for xmlid in CRM_SCREENS:
        action = _load_action(session, server, f"hmr_crm_addon.{xmlid}")
        domain = ast.literal_eval(action["domain"] or "[]")
        if not executive.call(action["res_model"], "search_count", domain):
            empty.append(xmlid)
    assert not empty, f"empty for the executive: {empty}"
    calls = executive.search_read(
        "hmr.call", [("user_id", "=", executive.uid)], ["state", "period", "outcome"]
    )
    assert {"overdue", "future"} <= {call["period"] for call in calls}, calls
    outcomes = {call["outcome"] for call in calls if call["state"] == "done"}
    assert len(outcomes) >= 2, calls
    reason = admin.ref("hmr_crm_addon.crm_lost_reason_not_interested")
    assert executive.call(
        "crm.lead", "search_count", [("active", "=", False), ("lost_reason_id", "=", reason)]
    )
    messages = executive.search_read(
        "hmr.crm.message", [("lead_id.user_id", "=", executive.uid)], ["state", "channel"]
    )
    assert {"sent", "scheduled"} <= {message["state"] for message in messages}, messages


def test_manager_funnel_days_per_status_from_stage_history(users, admin):
    """B5 (issue 11): the funnel's days per status on the demo are real figures, read from
    the stage changes tracked in the prospects' chatter."""
    manager = users["gerente"]
    groups = manager.call(
        "hmr.crm.funnel.report",
        "read_group",
        [],
        ["lead_days:avg", "contact_days:avg", "deal_days:avg"],
        [],
    )[0]
    assert all(groups[name] > 0.5 for name in ("lead_days", "contact_days", "deal_days")), groups
    # one client's days as a lead: from its creation to its first tracked stage change
    line = manager.search_read(
        "hmr.crm.funnel.report", [("client_rate", "=", 100)], ["lead_id", "lead_days"], limit=1
    )[0]
    lead = admin.read_one("crm.lead", line["lead_id"][0], ["create_date"])
    field = admin.search_read(
        "ir.model.fields", [("model", "=", "crm.lead"), ("name", "=", "stage_id")], ["id"]
    )[0]["id"]
    changes = admin.search_read(
        "mail.tracking.value",
        [
            ("field_id", "=", field),
            ("mail_message_id.model", "=", "crm.lead"),
            ("mail_message_id.res_id", "=", line["lead_id"][0]),
        ],
        ["create_date"],
        order="id",
    )
    expected = _days(lead["create_date"], changes[0]["create_date"])
    assert abs(line["lead_days"] - expected) < 0.01, (line, expected)


def test_manager_doctor_workload_counts_assessments_with_turnaround(users, admin):
    """B5, S2.2 (issue 11): the doctor workload counts each doctor's assessments (open,
    done) and their turnaround, from the assignment to the assessment, as a median."""
    manager = users["gerente"]
    lines = manager.search_read(
        "hmr.doctor.workload.report",
        [],
        ["doctor_id", "assessment_count", "open_count", "done_count", "median_days", "p90_days"],
    )
    assert lines
    for line in lines:
        assessments = admin.search_read(
            "hmr.assessment",
            [("doctor_id", "=", line["doctor_id"][0]), ("state", "!=", "cancelled")],
            ["state", "create_date", "date_done"],
        )
        assert line["assessment_count"] == len(assessments)
        assert line["open_count"] == len([a for a in assessments if a["state"] == "open"])
        assert line["done_count"] == len([a for a in assessments if a["state"] == "done"])
        done = [_days(a["create_date"], a["date_done"]) for a in assessments if a["date_done"]]
        if done:
            assert abs(line["median_days"] - statistics.median(done)) < 0.01, line
            assert line["p90_days"] >= line["median_days"] > 0
    assert sum(line["done_count"] for line in lines) >= 3


def test_manager_time_per_step_median_and_p90(users, admin):
    """B5, S4 (issue 11): the time each case spent in each step of the Proceso Capilar,
    median and 90th percentile, from the step changes tracked on the cases."""
    manager = users["gerente"]
    process = admin.ref("hmr_treatments_addon.hmr_process_hair")
    lines = manager.search_read(
        "hmr.step.time.report",
        [("process_id", "=", process)],
        ["step_id", "step_kind", "case_count", "median_days", "p90_days"],
        order="sequence",
    )
    measured = {line["step_kind"]: line for line in lines if line["case_count"]}
    assert {"photos", "assessment", "quote", "answer"} <= set(measured), lines
    for line in measured.values():
        assert line["p90_days"] >= line["median_days"] > 0, line
    assert len({round(line["median_days"], 2) for line in measured.values()}) > 1, lines


def _log_in(browser, server, login):
    browser.goto(f"{server.url}/web/login")
    browser.type_into("input[name=login]", login)
    browser.type_into("input[name=password]", login)
    browser.click("button[type=submit]")
    browser.wait_for("location.pathname.startsWith('/odoo')", timeout=60, what="the log-in")


def _show(browser, server, path, name, selector):
    browser.goto(f"{server.url}/odoo/{path}")
    try:
        browser.wait_visible(selector, timeout=180)
        browser.wait_for("!document.querySelector('.o_loading_indicator')", timeout=30)
    finally:
        browser.screenshot(name, full_page=False)


def test_manager_looks_at_the_reports(server, users):
    """B5, B8 (issue 11): the manager opens the panel, the funnel, the time per step and
    the doctor workload in Spanish (screenshots in /tmp/hmr_shots/reports)."""
    browser = Chromium(SHOTS, lang="es-MX")
    try:
        browser.send("Emulation.setDeviceMetricsOverride", **DESKTOP)
        browser.send("Emulation.setTouchEmulationEnabled", enabled=False)
        _log_in(browser, server, "gerente")
        _show(
            browser,
            server,
            "action-hmr_crm_addon.crm_lead_action_hmr_panel",
            "1_panel",
            ".o_list_renderer, .o_kanban_renderer",
        )
        _show(browser, server, "hmr-funnel", "2_funnel", ".o_pivot")
        _show(browser, server, "hmr-step-times", "3_step_times", ".o_data_row")
        text = browser.text
        assert "Mediana" in text and "Valoración médica" in text, text[:2000]
        _show(browser, server, "hmr-doctor-workload", "4_workload", ".o_data_row")
        text = browser.text
        assert "Dr. Alberto Ruiz Campos" in text and "Mediana" in text, text[:2000]
    finally:
        browser.close()


def test_executive_export_gives_times_in_her_time_zone(server, users, admin):
    """D9, D6 (issue 11): the executive's calls in the Excel export are at the time she
    sees in the app, in her time zone, even when she set it in her preferences after she
    logged in (her browser's session was opened while her profile still said UTC, as
    Odoo sets it from a browser's clock at a first log-in): not in UTC."""
    executive = users["ejecutivo"]
    tz = executive.read_one("res.users", executive.uid, ["tz"])["tz"]
    assert tz == "America/Mexico_City", tz
    admin.write("res.users", executive.uid, {"tz": "UTC"})
    try:
        session = _web_session(server, "ejecutivo")
    finally:
        executive.write("res.users", executive.uid, {"tz": tz})  # her preferences
    calls = executive.search_read("hmr.call", [("call_at", "!=", False)], ["call_at"])
    local = {
        datetime.strptime(call["call_at"], "%Y-%m-%d %H:%M:%S")
        .replace(tzinfo=UTC)
        .astimezone(ZoneInfo(tz))
        .replace(tzinfo=None)
        for call in calls
    }
    sheet = _download_workbook(server, "ejecutivo", session)["Llamadas"]
    when = sheet.cell(1, 1).value  # the call's date and time, the first column
    exported = {row[when] for row in _rows(sheet)}
    assert exported, "the demo gives the executive calls"
    assert exported <= local, sorted(exported - local)[:5]


def test_executive_export_message_body_reads_its_link(server, users, admin):
    """D9, D7 (issue 11): the body of an email the executive sent with the composer reads,
    in the Messages sheet of the export, the text of its link (the prospect's page) and
    its address, never a literal "None"."""
    executive = users["ejecutivo"]
    fue = admin.ref("hmr_treatments_addon.hmr_treatment_fue")
    lead_id, _email = new_lead(
        executive, admin, "Leonor", treatment_case_ids=[(0, 0, {"treatment_id": fue})]
    )
    context, values = open_composer(executive, lead_id)
    label = ">Abrir mi página personal</a>"
    assert label in values["body"], values["body"]
    # the composer's editor moves the button's white text colour into a <font> inside the
    # link (seen in Chromium): the body is saved so
    values["body"] = values["body"].replace(
        label, '><font style="color: rgb(255, 255, 255);">Abrir mi página personal</font></a>'
    )
    save_and_send(executive, context, values)
    subject = values["subject"]
    rows = [
        row
        for row in _rows(_download_workbook(server, "ejecutivo")["Mensajes"])
        if row["Prospecto"] and "Leonor" in row["Prospecto"] and row["Asunto"] == subject
    ]
    assert rows, "the executive's email is in the Messages sheet"
    body = rows[0]["Cuerpo del mensaje"]
    assert "Abrir mi página personal [1]" in body, body
    assert "/my/hmr/cases/" in body, body
    assert "None" not in body, body

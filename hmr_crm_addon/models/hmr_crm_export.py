import io
from datetime import date, datetime

from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import html2plaintext
from odoo.tools.safe_eval import safe_eval

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
AMOUNT_FORMAT = "#,##0.00"
HEADER_FILL = PatternFill("solid", start_color="DDE4EE", end_color="DDE4EE")
MAX_COLUMN_WIDTH = 60
# long texts (comments, notes, message bodies) get a wide column and wrap in it
TEXT_COLUMN_WIDTH = 50
# the status sheets: each person sits in one, of their stage, or in "not interested"
STAGE_SHEETS = ("leads", "contacts", "deals", "clients")
STATUS_SHEETS = (*STAGE_SHEETS, "not_interested")


class HmrCrmExport(models.AbstractModel):
    """D9: the whole CRM panel in one Excel workbook, one sheet per tab, with the rows
    of each tab the user may read. Cells are typed (dates as dates, amounts as
    numbers), headers frozen and filtered, so that the clinic can work it in Excel or
    LibreOffice."""

    _name = "hmr.crm.export"
    _description = "HMR CRM Excel Export"

    @api.model
    def _get_sheets(self):
        """The sheets: each one the rows of a tab of the CRM menu (its action's domain)
        with these columns (a field, or a field and its header). Other addons may add
        sheets."""
        # one translated label a line: Odoo's term extractor misreads them in a list
        prospect = self.env._("Prospect")
        number = self.env._("Number")
        titles = {}
        titles["leads"] = self.env._("Leads")
        titles["contacts"] = self.env._("Contacts")
        titles["deals"] = self.env._("Deals")
        titles["clients"] = self.env._("Clients")
        titles["not_interested"] = self.env._("Not Interested")
        titles["calls"] = self.env._("Calls")
        titles["messages"] = self.env._("Messages")
        titles["quotes"] = self.env._("Quotes")
        revenue = self.env._("Expected Revenue")
        prospect_fields = [
            "capture_date",
            ("contact_name", prospect),
            "phone",
            "email_from",
            "source_id",
            "contact_method_id",
            "user_id",
            "stage_id",
            "hmr_next_call_at",
            "hmr_sale_comment",
            "date_last_stage_update",
        ]
        deal_fields = [
            *prospect_fields[:8],
            "deal_status",
            ("expected_revenue", revenue),
            "hmr_sale_comment",
        ]
        call_fields = [
            "call_at",
            ("lead_id", prospect),
            "phone",
            "user_id",
            "state",
            "called_at",
            "outcome",
            "notes",
        ]
        message_fields = [
            "date",
            "scheduled_at",
            "channel",
            "state",
            ("lead_id", prospect),
            "user_id",
            "subject",
            "body",
            "failure",
        ]
        quote_fields = [
            ("name", number),
            ("partner_id", prospect),
            "user_id",
            "hmr_issued_on",
            "validity_date",
            "hmr_accepted_on",
            "hmr_quote_status",
            "state",
            "amount_untaxed",
            "amount_total",
            "currency_id",
        ]
        sheets = [
            ("leads", "crm_lead_action_hmr_leads", prospect_fields),
            ("contacts", "crm_lead_action_hmr_contacts", prospect_fields),
            ("deals", "crm_lead_action_hmr_deals", deal_fields),
            (
                "clients",
                "crm_lead_action_hmr_clients",
                [*prospect_fields[:8], ("expected_revenue", revenue), "date_closed"],
            ),
            (
                "not_interested",
                "crm_lead_action_hmr_not_interested",
                [*prospect_fields[:8], "lost_reason_id", "date_closed"],
            ),
            ("calls", "hmr_call_action", call_fields),
            ("messages", "hmr_crm_message_action", message_fields),
            ("quotes", "sale_order_action_hmr_quotes", quote_fields),
        ]
        return [
            {
                "key": key,
                "name": titles[key],
                "action": f"hmr_crm_addon.{action}",
                "fields": columns,
            }
            for key, action, columns in sheets
        ]

    @api.model
    def _check_export_access(self):
        if not self.env.user.has_group("hmr_crm_addon.group_hmr_executive"):
            raise AccessError(self.env._("Only the clinic's sales staff can export the CRM."))

    @api.model
    def _export_crm_workbook(self):
        """Return ``(xlsx bytes, file name)``."""
        self._check_export_access()
        # the download carries the context of the user's session, as it was at log-in;
        # the app shows the times in the user's time zone as it is now (the web client
        # asks for a fresh context, and Odoo's own export uses it): so does the workbook
        timezone = self.env.user.tz or self.env.context.get("tz")
        return self.with_context(tz=timezone)._build_crm_workbook()

    @api.model
    def _build_crm_workbook(self):
        workbook = Workbook()
        workbook.remove(workbook.active)
        current_ids = self._get_current_prospect_ids()
        for sheet in self._get_sheets():
            if sheet.get("key") in STATUS_SHEETS:
                sheet = dict(sheet, only_ids=current_ids)
            self._write_sheet(workbook, sheet)
        output = io.BytesIO()
        workbook.save(output)
        today = fields.Date.context_today(self)
        return output.getvalue(), f"CRM {today.isoformat()}.xlsx"

    @api.model
    def _get_sheet_records(self, sheet):
        action = self.env.ref(sheet["action"]).sudo()
        eval_context = {"uid": self.env.uid, "context": dict(self.env.context)}
        domain = Domain(safe_eval(action.domain or "[]", eval_context))
        if sheet.get("key") in STAGE_SHEETS:
            # a lost prospect is "not interested" only, whatever stage it was lost in
            domain &= Domain("won_status", "!=", "lost")
        if "only_ids" in sheet:
            domain &= Domain("id", "in", sheet["only_ids"])
        # read as the user: only the rows they may read
        return self.env[action.res_model].search(domain)

    @api.model
    def _get_current_prospect_ids(self):
        """One prospect per person in the status sheets: a person the clinic holds several
        prospects of (the web form sent again, a lost prospect back months later) stands
        where their latest open prospect stands, or in "not interested" when all of them
        are lost. Prospects without a contact are persons of their own."""
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search_fetch(
                [("type", "=", "opportunity")],
                ["partner_id"],
                order="active desc, create_date desc, id desc",
            )
        )
        current = {}
        for lead in leads:
            current.setdefault(lead.partner_id.id or f"lead-{lead.id}", lead.id)
        return list(current.values())

    @api.model
    def _get_computed_columns(self, records, model_fields):
        """The columns whose cells are not the field's stored value, as ``{field name:
        {record id: value}}``: a prospect's expected revenue is read from its quotes."""
        if records._name == "crm.lead" and any(
            field.name == "expected_revenue" for field in model_fields
        ):
            return {"expected_revenue": self._get_quote_revenues(records)}
        return {}

    @api.model
    def _get_quote_revenues(self, leads):
        """What each prospect is expected to bring, from its quotes (Odoo only updates the
        opportunity's expected revenue when a quote is confirmed): its confirmed orders,
        else its sent quotes, else its quotes in draft, untaxed and in the company's
        currency; the expected revenue typed on the prospect when it has no quote."""
        revenues = {}
        # the amounts of the quotes of prospects the user may read
        for lead in leads.sudo():
            orders = lead.order_ids
            for states in (("sale",), ("sent",), ("draft",)):
                selected = orders.filtered(lambda order, states=states: order.state in states)
                if selected:
                    revenues[lead.id] = sum(
                        order.currency_id._convert(
                            order.amount_untaxed,
                            lead.company_currency or self.env.company.currency_id,
                            order.company_id,
                            order.date_order or fields.Date.today(),
                        )
                        for order in selected
                    )
                    break
            else:
                revenues[lead.id] = lead.expected_revenue
        return revenues

    @api.model
    def _write_sheet(self, workbook, sheet):
        records = self._get_sheet_records(sheet)
        columns = [
            (column, None) if isinstance(column, str) else column for column in sheet["fields"]
        ]
        model_fields = [records._fields[name] for name, _header in columns]
        title = sheet["name"].translate(str.maketrans("", "", "[]:*?/\\"))[:31]
        worksheet = workbook.create_sheet(title=title)
        worksheet.append(
            [
                header or field._description_string(self.env)
                for field, (_name, header) in zip(model_fields, columns, strict=True)
            ]
        )
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
        labels = {
            field.name: dict(field._description_selection(self.env))
            for field in model_fields
            if field.type == "selection"
        }
        computed = self._get_computed_columns(records, model_fields)
        for record in records:
            worksheet.append(
                [
                    computed[field.name][record.id]
                    if field.name in computed
                    else self._get_cell_value(record, field, labels)
                    for field in model_fields
                ]
            )
        # printed, long texts wrap in their cell instead of running over the next ones
        wrapped = Alignment(wrap_text=True, vertical="top")
        for row in worksheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrapped
        for index, field in enumerate(model_fields, start=1):
            letter = get_column_letter(index)
            number_format = self._get_number_format(field)
            if number_format:
                for (cell,) in worksheet.iter_rows(
                    min_row=2, min_col=index, max_col=index, max_row=worksheet.max_row
                ):
                    cell.number_format = number_format
            width = max(
                (
                    len(str(cell.value))
                    for (cell,) in worksheet.iter_rows(min_col=index, max_col=index)
                    if cell.value is not None
                ),
                default=10,
            )
            if field.type in ("text", "html"):
                width = TEXT_COLUMN_WIDTH
            worksheet.column_dimensions[letter].width = min(max(width + 2, 12), MAX_COLUMN_WIDTH)
        worksheet.freeze_panes = "A2"
        last = f"{get_column_letter(len(model_fields))}{max(worksheet.max_row, 1)}"
        worksheet.auto_filter.ref = f"A1:{last}"
        # printed (or as PDF): landscape, one page wide, the header on every page
        worksheet.page_setup.orientation = "landscape"
        worksheet.page_setup.paperSize = worksheet.PAPERSIZE_LETTER
        worksheet.print_options.gridLines = True
        worksheet.page_setup.fitToWidth = 1
        worksheet.page_setup.fitToHeight = 0
        worksheet.sheet_properties.pageSetUpPr.fitToPage = True
        worksheet.print_title_rows = "1:1"
        return worksheet

    @api.model
    def _get_number_format(self, field):
        if field.type == "date":
            return DATE_FORMAT
        if field.type == "datetime":
            return DATETIME_FORMAT
        if field.type in ("float", "monetary"):
            return AMOUNT_FORMAT
        return None

    @api.model
    def _get_cell_value(self, record, field, labels):
        value = record[field.name]
        if field.type == "datetime":
            # Excel has no time zones: the user's local time
            return (
                fields.Datetime.context_timestamp(record, value).replace(tzinfo=None)
                if value
                else None
            )
        if field.type == "date":
            return value if isinstance(value, date) and not isinstance(value, datetime) else None
        if field.type in ("float", "monetary", "integer"):
            return value
        if field.type == "boolean":
            return bool(value)
        if field.type == "selection":
            return labels[field.name].get(value) if value else None
        if field.type == "many2one":
            return value.display_name if value else None
        if field.type in ("many2many", "one2many"):
            return ", ".join(value.mapped("display_name")) or None
        if field.type == "html":
            return self._html_to_text(value)
        return value or None

    @api.model
    def _html_to_text(self, html):
        """The text of an HTML body, its links numbered and listed at the end. Odoo's
        conversion reads a link whose label sits in an inner tag (the editor puts a
        button's text colour in a ``<font>`` inside the link) as "None [1]": such a
        link gets its label as its own text first."""
        if not (html and html.strip()):
            return None
        tree = etree.fromstring(html, parser=etree.HTMLParser())
        if tree is None:
            return None
        for link in tree.iter("a"):
            if link.get("href") and not link.text and len(link):
                label = " ".join(link.xpath("string()").split())
                if not label:
                    # an image's link: the image is listed with its own reference
                    del link.attrib["href"]
                    continue
                for child in list(link):
                    link.remove(child)
                link.text = label
        return html2plaintext(etree.tostring(tree, encoding="unicode")).strip() or None

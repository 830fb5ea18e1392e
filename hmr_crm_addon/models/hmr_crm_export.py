import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext
from odoo.tools.safe_eval import safe_eval

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
AMOUNT_FORMAT = "#,##0.00"
HEADER_FILL = PatternFill("solid", start_color="DDE4EE", end_color="DDE4EE")
MAX_COLUMN_WIDTH = 60


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
        deal_fields = [*prospect_fields[:8], "deal_status", "expected_revenue", "hmr_sale_comment"]
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
            "failure_type",
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
                [*prospect_fields[:8], "expected_revenue", "date_closed"],
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
            {"name": titles[key], "action": f"hmr_crm_addon.{action}", "fields": columns}
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
        workbook = Workbook()
        workbook.remove(workbook.active)
        for sheet in self._get_sheets():
            self._write_sheet(workbook, sheet)
        output = io.BytesIO()
        workbook.save(output)
        today = fields.Date.context_today(self)
        return output.getvalue(), f"CRM {today.isoformat()}.xlsx"

    @api.model
    def _get_sheet_records(self, sheet):
        action = self.env.ref(sheet["action"]).sudo()
        eval_context = {"uid": self.env.uid, "context": dict(self.env.context)}
        domain = safe_eval(action.domain or "[]", eval_context)
        # read as the user: only the rows they may read
        return self.env[action.res_model].search(domain)

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
        for record in records:
            worksheet.append(
                [self._get_cell_value(record, field, labels) for field in model_fields]
            )
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
            worksheet.column_dimensions[letter].width = min(max(width + 2, 12), MAX_COLUMN_WIDTH)
        worksheet.freeze_panes = "A2"
        last = f"{get_column_letter(len(model_fields))}{max(worksheet.max_row, 1)}"
        worksheet.auto_filter.ref = f"A1:{last}"
        # printed (or as PDF): landscape, one page wide, the header on every page
        worksheet.page_setup.orientation = "landscape"
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
            return html2plaintext(value or "").strip() or None
        return value or None

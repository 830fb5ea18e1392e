import io
from datetime import date, datetime

from openpyxl import load_workbook

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import HttpCase, freeze_time, tagged, users

from .common import HmrCrmCommon

SHEETS = ["Leads", "Contacts", "Deals", "Clients", "Not Interested", "Calls", "Messages", "Quotes"]


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestExcelExport(HmrCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_executive.tz = "America/Mexico_City"
        cls.lead_exec.write({"capture_date": date(2026, 6, 1), "expected_revenue": 45000.0})
        cls.lead_deal = cls.env["crm.lead"].create(
            cls._prospect_values(
                "Diana",
                "Deal",
                cls.user_executive,
                stage_id=cls.env.ref("hmr_crm_addon.crm_stage_deal").id,
            )
        )
        cls.lead_lost = cls.env["crm.lead"].create(
            cls._prospect_values("Luis", "Lost", cls.user_executive)
        )
        cls.lead_lost.action_set_lost()
        with freeze_time("2026-06-15 12:00:00"):  # planned that morning (none in the past)
            cls.call = cls.env["hmr.call"].create(
                {
                    "lead_id": cls.lead_exec.id,
                    "user_id": cls.user_executive.id,
                    "call_at": datetime(2026, 6, 15, 17, 30),
                    "notes": "Explain the FUE technique",
                }
            )

    def _workbook(self):
        content, filename = self.env["hmr.crm.export"]._export_crm_workbook()
        self.assertTrue(filename.endswith(".xlsx"))
        return load_workbook(io.BytesIO(content))

    def _rows(self, sheet):
        header, *rows = sheet.iter_rows(values_only=True)
        return [dict(zip(header, row, strict=True)) for row in rows]

    @users("hmr_exec")
    def test_workbook_one_sheet_per_tab_typed(self):
        """D9: "Export CRM to Excel" writes one sheet per tab of the CRM menu, with the
        tab's rows the user may read, typed cells (dates as dates, amounts as numbers),
        frozen headers and filters."""
        quote = self._new_quote(self.lead_exec.with_user(self.env.user))
        quote.validity_date = date(2026, 7, 15)
        workbook = self._workbook()
        self.assertEqual(workbook.sheetnames, SHEETS)
        for sheet in workbook.worksheets:
            with self.subTest(sheet=sheet.title):
                self.assertEqual(sheet.freeze_panes, "A2")
                self.assertTrue(sheet.auto_filter.ref.startswith("A1:"))
                self.assertTrue(all(cell.font.bold for cell in sheet[1]))

        leads = self._rows(workbook["Leads"])
        self.assertEqual([row["Prospect"] for row in leads], ["Ana López Pérez"])
        self.assertEqual(leads[0]["Capture Date"], datetime(2026, 6, 1))
        self.assertEqual(workbook["Leads"]["A2"].number_format, "dd/mm/yyyy")
        self.assertEqual(leads[0]["Stage"], "New Lead")
        self.assertEqual(leads[0]["Contact Source"], "Instagram")
        self.assertEqual(leads[0]["Next Call"], datetime(2026, 6, 15, 11, 30), "local time")

        self.assertEqual([row["Prospect"] for row in self._rows(workbook["Deals"])], ["Diana Deal"])
        self.assertEqual(
            [row["Prospect"] for row in self._rows(workbook["Not Interested"])],
            ["Luis Lost"],
            "archived by Odoo, exported all the same",
        )
        calls = self._rows(workbook["Calls"])
        self.assertEqual(calls[0]["Date and Time"], datetime(2026, 6, 15, 11, 30))
        self.assertEqual(calls[0]["Status"], "To Do")
        self.assertEqual(calls[0]["Notes"], "Explain the FUE technique")

        quotes = self._rows(workbook["Quotes"])
        self.assertEqual(len(quotes), 1)
        self.assertEqual(quotes[0]["Total"], 45000.0 + sum(quote.order_line.mapped("price_tax")))
        header = [cell.value for cell in workbook["Quotes"][1]]
        amount = workbook["Quotes"].cell(row=2, column=header.index("Untaxed Amount") + 1)
        self.assertEqual((amount.data_type, amount.value), ("n", 45000))
        self.assertEqual(amount.number_format, "#,##0.00")
        self.assertEqual(quotes[0]["Expiration"], datetime(2026, 7, 15))
        self.assertEqual(quotes[0]["Quote Status"], "In Progress")

    @users("hmr_exec")
    def test_times_in_the_users_time_zone_not_the_sessions(self):
        """D9, D6 (issue 11): the times are in the user's time zone as it is now, though
        the download carries the context of a session opened while it still said UTC."""
        export = self.env["hmr.crm.export"].with_context(tz="UTC")
        workbook = load_workbook(io.BytesIO(export._export_crm_workbook()[0]))
        calls = self._rows(workbook["Calls"])
        self.assertEqual(calls[0]["Date and Time"], datetime(2026, 6, 15, 11, 30))
        self.assertEqual(
            self._rows(workbook["Leads"])[0]["Next Call"], datetime(2026, 6, 15, 11, 30)
        )

    def test_html_body_reads_the_label_of_its_links(self):
        """D9, D7 (issue 11): a message body whose link label sits in an inner tag (the
        editor puts a button's text colour in a <font>) reads the label and the link's
        reference, never "None"."""
        Export = self.env["hmr.crm.export"]
        text = Export._html_to_text(
            '<p>Hola Ana:</p><p><a href="https://hmr.example.mx/my/page" style="color: #fff">'
            '<font style="color: rgb(255, 255, 255);">Abrir mi <b>página</b> personal</font>'
            "</a></p><p>Saludos</p>"
        )
        self.assertNotIn("None", text)
        self.assertIn("Abrir mi página personal [1]", text)
        self.assertIn("[1] https://hmr.example.mx/my/page", text)
        text = Export._html_to_text(
            '<p>Foto: <a href="https://x.mx/a"><img src="/f/frente.png"/></a></p>'
        )
        self.assertNotIn("None", text)
        self.assertIn("frente [1]", text)
        self.assertEqual(
            Export._html_to_text('<a href="https://x.mx">Mi página</a>'),
            "Mi página [1]\n\n[1] https://x.mx",
        )
        self.assertIsNone(Export._html_to_text("<p> </p>"))
        self.assertIsNone(Export._html_to_text(False))

    @users("hmr_exec2")
    def test_rows_only_those_the_user_may_read(self):
        """D9, C2: another executive's workbook has none of these prospects."""
        workbook = self._workbook()
        names = [row["Prospect"] for sheet in SHEETS[:5] for row in self._rows(workbook[sheet])]
        self.assertEqual(names, ["Bruno García Ruiz"])
        self.assertFalse(self._rows(workbook["Calls"]))

    @users("hmr_doctor", "hmr_plain")
    def test_export_refused_without_sales_role(self):
        """D9, C2: only the sales staff export the CRM."""
        with self.assertRaises(AccessError):
            self.env["hmr.crm.export"]._export_crm_workbook()

    @users("hmr_exec")
    def test_lists_export_natively(self):
        """D9: every list exports to Excel natively: executives have the export right."""
        self.assertTrue(self.env.user.has_group("base.group_allow_export"))
        leads = self.env["crm.lead"].search([("stage_id.hmr_status", "=", "lead")])
        rows = leads.export_data(["name", "stage_id", "capture_date"])
        self.assertEqual(rows["datas"], [["Ana López Pérez", "New Lead", date(2026, 6, 1)]])

    def _column(self, sheet, header):
        headers = [cell.value for cell in sheet[1]]
        return headers.index(header) + 1

    @users("hmr_exec")
    def test_deal_revenue_from_its_quote(self):
        """D9, D4 (issue 11): a deal's expected revenue in the workbook is what its quotes
        ask (untaxed): the sent ones, else the one in draft (the prospect's own expected
        revenue follows sent quotes only)."""
        deal = self.lead_deal.with_user(self.env.user)
        self._new_quote(deal)
        rows = self._rows(self._workbook()["Deals"])
        self.assertEqual([row["Expected Revenue"] for row in rows], [45000.0])
        self.assertEqual(deal.expected_revenue, 0.0, "a quote in draft is not offered yet")
        sent = self._new_quote(
            deal,
            order_line=[Command.create({"product_id": self.product_fue.id, "product_uom_qty": 2})],
        )
        sent.action_quotation_sent()
        rows = self._rows(self._workbook()["Deals"])
        self.assertEqual([row["Expected Revenue"] for row in rows], [90000.0])
        self.assertEqual(deal.expected_revenue, 90000.0, "the deal is worth its sent quote")

    @users("hmr_exec")
    def test_cells_wrap_and_sheets_print(self):
        """D9 (issue 11): long texts wrap in a wide column instead of running over the
        next cells, and each sheet prints landscape, one page wide, on letter paper, its
        header row repeated on every page."""
        self.lead_deal.with_user(self.env.user).hmr_sale_comment = "Quiere pagar a meses. " * 30
        workbook = self._workbook()
        for sheet in workbook.worksheets:
            with self.subTest(sheet=sheet.title):
                self.assertEqual(sheet.page_setup.orientation, "landscape")
                self.assertEqual(str(sheet.page_setup.paperSize), sheet.PAPERSIZE_LETTER)
                self.assertEqual(
                    (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight), (1, 0)
                )
                self.assertTrue(sheet.sheet_properties.pageSetUpPr.fitToPage)
                self.assertEqual(sheet.print_title_rows, "$1:$1")
                for row in sheet.iter_rows(min_row=2):
                    self.assertTrue(all(cell.alignment.wrap_text for cell in row))
        deals = workbook["Deals"]
        column = self._column(deals, "Sale Comments")
        comment = deals.cell(row=2, column=column)
        self.assertTrue(comment.value.startswith("Quiere pagar a meses."))
        self.assertTrue(comment.alignment.wrap_text)
        self.assertEqual(deals.column_dimensions[comment.column_letter].width, 52)

    @users("hmr_exec")
    def test_each_person_in_one_status_sheet(self):
        """D1, D5, D9 (issue 11): a person sits in exactly one status sheet: Luis, not
        interested last spring, who wrote again, is a lead now (no longer in "Not
        Interested"); Diana stays in Deals only."""
        Lead = self.env["crm.lead"]
        luis = self.lead_lost.with_user(self.env.user)
        Lead.create(
            self._prospect_values("Luis", "Lost", self.env.user, partner_id=luis.partner_id.id)
        )
        workbook = self._workbook()
        placed = {
            title: [row["Prospect"] for row in self._rows(workbook[title])] for title in SHEETS[:5]
        }
        names = [name for rows in placed.values() for name in rows]
        self.assertEqual(len(names), len(set(names)), placed)
        self.assertIn("Luis Lost", placed["Leads"])
        self.assertEqual(placed["Not Interested"], [])
        self.assertEqual(placed["Deals"], ["Diana Deal"])


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestExcelDownload(HttpCase):
    def test_download_route(self):
        """D9: the workbook downloads from its menu's address, for sales staff only."""
        executive = self.env["res.users"].create(
            {
                "name": "Xlsx Exec",
                "login": "xlsx_exec",
                "password": "xlsx_exec_pwd",
                "group_ids": [(6, 0, self.env.ref("hmr_crm_addon.group_hmr_executive").ids)],
            }
        )
        self.env["res.users"].create(
            {
                "name": "Xlsx Plain",
                "login": "xlsx_plain",
                "password": "xlsx_plain_pwd",
                "group_ids": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        self.env["crm.lead"].create(
            {"first_name": "Xlsx", "last_name": "Prospect", "user_id": executive.id}
        )
        url = self.env.ref("hmr_crm_addon.action_hmr_crm_export_xlsx").url
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 303, "login first")
        self.authenticate("xlsx_plain", "xlsx_plain_pwd")
        self.assertEqual(self.url_open(url).status_code, 403)
        self.authenticate("xlsx_exec", "xlsx_exec_pwd")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn("attachment", response.headers["Content-Disposition"])
        workbook = load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook["Leads"]["B2"].value, "Xlsx Prospect")

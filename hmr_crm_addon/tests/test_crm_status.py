from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time, tagged, users

from .common import HmrCrmCommon


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestCrmStatus(HmrCrmCommon):
    def _tracked(self, lead, field_name):
        """The (old, new) labels tracked in the chatter for ``field_name``."""
        self.flush_tracking()
        values = lead.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == field_name
        )
        return [(t.old_value_char, t.new_value_char) for t in values.sorted("id")]

    @users("hmr_exec")
    def test_status_chosen_at_creation(self):
        """D1: the CRM status is chosen at creation (a lead by default) and the
        pipeline follows it: a client is won, a prospect not interested is lost."""
        Lead = self.env["crm.lead"]
        values = {"user_id": self.user_executive.id}
        lead = Lead.create(self._prospect_values("Lena", "Lead", self.user_executive))
        contact = Lead.create(
            self._prospect_values("Coco", "Contact", self.user_executive, crm_status="contact")
        )
        deal = Lead.create(
            self._prospect_values("Dani", "Deal", self.user_executive, crm_status="deal")
        )
        client = Lead.create(
            self._prospect_values("Cleo", "Client", self.user_executive, crm_status="client")
        )
        lost = Lead.create(
            self._prospect_values("Nico", "Nope", self.user_executive, crm_status="not_interested")
        )
        patient = Lead.create({"name": "Paty Patient", "crm_status": "patient", **values})
        self.assertRecordValues(
            lead | contact | deal | client | lost | patient,
            [
                {"crm_status": "lead", "deal_status": False, "won_status": "pending"},
                {"crm_status": "contact", "deal_status": False, "won_status": "pending"},
                {"crm_status": "deal", "deal_status": "negotiation", "won_status": "pending"},
                {"crm_status": "client", "deal_status": False, "won_status": "won"},
                {"crm_status": "not_interested", "deal_status": False, "won_status": "lost"},
                {"crm_status": "patient", "deal_status": False, "won_status": "pending"},
            ],
        )
        self.assertFalse(lost.active, "Odoo archives lost prospects")
        self.assertTrue(client.stage_id.is_won)

    @users("hmr_exec")
    def test_status_from_the_form(self):
        """D1: in the form, the status is a dropdown defaulting to the tab's status."""
        form = Form(
            self.env["crm.lead"].with_context(
                default_type="opportunity", default_crm_status="contact"
            )
        )
        form.first_name = "Fran"
        form.last_name = "Form"
        self.assertEqual(form.crm_status, "contact")
        form.crm_status = "deal"
        lead = form.save()
        self.assertRecordValues(lead, [{"crm_status": "deal", "deal_status": "negotiation"}])

    @users("hmr_exec")
    def test_dropdown_moves_the_pipeline_and_is_tracked(self):
        """D1, B7: a status changed by hand is tracked in the chatter and Odoo's won /
        lost follow: client wins, not interested loses (archives), any other status
        puts the prospect back in the pipeline."""
        lead = self.lead_exec.with_user(self.env.user).with_context(mail_notrack=False)
        lead.crm_status = "contact"
        self.assertEqual(lead.won_status, "pending")
        self.flush_tracking()
        lead.crm_status = "client"
        self.assertRecordValues(lead, [{"won_status": "won", "active": True}])
        self.flush_tracking()
        lead.crm_status = "deal"
        self.assertRecordValues(
            lead, [{"won_status": "pending", "active": True, "deal_status": "negotiation"}]
        )
        self.assertFalse(lead.stage_id.is_won, "back to an open stage")
        self.flush_tracking()
        lead.crm_status = "not_interested"
        self.assertRecordValues(
            lead, [{"won_status": "lost", "active": False, "deal_status": "lost"}]
        )
        self.flush_tracking()
        lead.crm_status = "contact"
        self.assertRecordValues(
            lead, [{"won_status": "pending", "active": True, "deal_status": False}]
        )
        self.assertEqual(
            self._tracked(lead, "crm_status"),
            [
                ("New Lead", "Contact"),
                ("Contact", "Client"),
                ("Client", "Deal"),
                ("Deal", "Not Interested"),
                ("Not Interested", "Contact"),
            ],
        )
        self.assertIn(("Negotiating", "Lost"), self._tracked(lead, "deal_status"))

    @users("hmr_exec")
    def test_odoo_won_and_lost_move_the_status(self):
        """D1: Odoo's own Won button and Lost wizard make a client and a prospect not
        interested; restored, the prospect goes back to the status it had."""
        lead = self.lead_exec.with_user(self.env.user)
        lead.crm_status = "contact"
        lead.action_set_won_rainbowman()
        self.assertEqual(lead.crm_status, "client")
        lead.crm_status = "deal"
        lost_reason = self.env["crm.lost.reason"].sudo().create({"name": "Too expensive"})
        self.env["crm.lead.lost"].create(
            {"lead_ids": lead.ids, "lost_reason_id": lost_reason.id}
        ).action_lost_reason_apply()
        self.assertRecordValues(
            lead, [{"crm_status": "not_interested", "deal_status": "lost", "active": False}]
        )
        lead.action_restore()
        self.assertRecordValues(
            lead, [{"crm_status": "deal", "deal_status": "negotiation", "active": True}]
        )
        # dragged to the won stage in the pipeline
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        lead.stage_id = won_stage
        self.assertRecordValues(lead, [{"crm_status": "client", "deal_status": "won"}])

    @users("hmr_exec")
    def test_deal_status_won_makes_a_client(self):
        """D4: the deal status is changed by hand from the quote delivered to won or
        lost; a won deal is a client (won in Odoo), a lost one stays a deal until the
        prospect is declared not interested."""
        lead = self.lead_exec.with_user(self.env.user)
        lead.crm_status = "deal"
        lead.deal_status = "lost"
        self.assertRecordValues(lead, [{"crm_status": "deal", "won_status": "pending"}])
        lead.deal_status = "won"
        self.assertRecordValues(lead, [{"crm_status": "client", "won_status": "won"}])

    def test_quotes_fate_moves_the_deal(self):
        """D1, D4: a quote sent makes the prospect a deal (quote delivered); every
        quote cancelled loses the deal; a new quote sent reopens it; a quote
        confirmed wins it: a client."""
        lead = self.lead_exec
        lead.crm_status = "contact"
        quote = self._new_quote(lead)
        self.assertEqual(lead.crm_status, "contact", "a draft quote is no deal yet")
        quote.action_quotation_sent()
        self.assertRecordValues(lead, [{"crm_status": "deal", "deal_status": "quote_sent"}])
        lead.deal_status = "negotiation"
        quote._action_cancel()
        self.assertRecordValues(lead, [{"crm_status": "deal", "deal_status": "lost"}])
        second = self._new_quote(lead)
        second.action_quotation_sent()
        self.assertEqual(lead.deal_status, "quote_sent")
        second.action_confirm()
        self.assertRecordValues(
            lead, [{"crm_status": "client", "deal_status": "won", "won_status": "won"}]
        )

    def test_quotes_keep_statuses_chosen_by_hand(self):
        """D1: what the executive decided stays: a prospect not interested or a client
        is not made a deal again by a quote sent or cancelled."""
        lost = self.lead_exec
        lost.crm_status = "not_interested"
        self._new_quote(lost).action_quotation_sent()
        self.assertEqual(lost.crm_status, "not_interested")
        client = self.lead_exec_2
        client.crm_status = "client"
        quote = self._new_quote(client)
        quote.action_quotation_sent()
        quote._action_cancel()
        self.assertEqual(client.crm_status, "client")

    def test_doctor_sending_quote_moves_prospect_they_cannot_write(self):
        """D1: whoever sends the quote (a doctor, the prospect on the portal) moves
        the prospect, even without the right to write on it."""
        self.lead_exec.doctor_ids = self.user_doctor
        quote = self._new_quote(self.lead_exec, user_id=self.user_doctor.id)
        quote.with_user(self.user_doctor).action_quotation_sent()
        self.assertEqual(self.lead_exec.crm_status, "deal")

    @users("hmr_exec")
    def test_tabs_show_their_statuses(self):
        """D2-D5: each tab of the CRM menu shows its status: Leads, Contacts, Deals
        (every deal, won and lost included), Clients, Not interested (archived by
        Odoo, shown all the same), and only the executive's own prospects."""
        Lead = self.env["crm.lead"]
        leads = {
            status: Lead.create(
                self._prospect_values(
                    f"Tab{status}", "Test", self.user_executive, crm_status=status
                )
            )
            for status in ("lead", "contact", "deal", "client", "not_interested")
        }
        won_deal = Lead.create(self._prospect_values("Won", "Deal", self.user_executive))
        won_deal.write({"crm_status": "deal"})
        won_deal.deal_status = "won"
        mine = Lead.search(
            [("user_id", "=", self.user_executive.id), ("active", "in", [True, False])]
        )
        expected = {
            "crm_lead_action_hmr_leads": leads["lead"] | self.lead_exec,
            "crm_lead_action_hmr_contacts": leads["contact"],
            "crm_lead_action_hmr_deals": leads["deal"] | won_deal,
            "crm_lead_action_hmr_clients": leads["client"] | won_deal,
            "crm_lead_action_hmr_not_interested": leads["not_interested"],
        }
        for xmlid, records in expected.items():
            with self.subTest(tab=xmlid):
                self.assertEqual(self._tab(f"hmr_crm_addon.{xmlid}") & mine, records)
                self.assertFalse(self._tab(f"hmr_crm_addon.{xmlid}") - mine)

    @users("hmr_exec")
    def test_panel_has_a_column_per_status(self):
        """D1: grouped by status (the panel's kanban), every status has its column,
        even empty; grouping by executive and source works on every tab."""
        # as the kanban view asks
        groups = (
            self.env["crm.lead"]
            .with_context(read_group_expand=True)
            .web_read_group([("type", "=", "opportunity")], ["crm_status"], ["__count"])["groups"]
        )
        self.assertEqual(
            [group["crm_status"] for group in groups],
            ["patient", "lead", "contact", "deal", "client", "not_interested"],
        )
        by_user = self.env["crm.lead"]._read_group([], ["user_id", "source_id"], ["__count"])
        self.assertEqual(by_user, [(self.user_executive, self.source_instagram, 1)])

    def test_status_periods_are_logged(self):
        """B5, B7: each status change closes the period of the former status and opens
        the next one, kept for the funnel."""
        with freeze_time("2026-03-02 10:00:00"):
            lead = self.env["crm.lead"].create(
                self._prospect_values("Pia", "Periods", self.user_executive)
            )
        with freeze_time("2026-03-04 10:00:00"):
            lead.crm_status = "contact"
        history = lead.hmr_status_history_ids.sorted("date_start")
        self.assertEqual(history.mapped("crm_status"), ["lead", "contact"])
        self.assertEqual(str(history[0].date_end), "2026-03-04 10:00:00")
        self.assertFalse(history[1].date_end)
        self.assertEqual(str(lead.crm_status_date), "2026-03-04 10:00:00")

    @users("hmr_exec")
    def test_executive_cannot_move_other_prospects(self):
        """C2, D1: the status follows the prospect's access rights."""
        with self.assertRaises(AccessError):
            self.lead_exec_2.with_user(self.env.user).crm_status = "contact"

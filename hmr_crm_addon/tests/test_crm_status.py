from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.modules.module import load_script
from odoo.tests import Form, freeze_time, tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import HmrCrmCommon

TABS = {
    "crm_lead_action_hmr_leads": "lead",
    "crm_lead_action_hmr_contacts": "contact",
    "crm_lead_action_hmr_deals": "deal",
    "crm_lead_action_hmr_clients": "client",
    "crm_lead_action_hmr_not_interested": "not_interested",
}


@contextmanager
def at_time(env, when):
    """Odoo's clock and the transaction's time at ``when``, the tracking written then
    (as Odoo's own duration tracking tests do)."""
    with freeze_time(when), patch.object(env.cr, "now", return_value=when):
        yield
        env.flush_all()
        env.cr.flush()


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestCrmStatus(HmrCrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stages = {
            status: cls.env["crm.stage"].search([("hmr_status", "=", status)], limit=1)
            for status in ("patient", "lead", "contact", "deal", "client")
        }
        cls.reason_not_interested = cls.env.ref("hmr_crm_addon.crm_lost_reason_not_interested")

    def _tracked(self, lead, field_name):
        """The (old, new) labels tracked in the chatter for ``field_name``."""
        self.flush_tracking()
        values = lead.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == field_name
        )
        return [(t.old_value_char, t.new_value_char) for t in values.sorted("id")]

    def _tabs_of(self, lead):
        """The tabs of the CRM menu that list ``lead``."""
        return [xmlid for xmlid in TABS if lead in self._tab(f"hmr_crm_addon.{xmlid}")]

    def _set_lost(self, leads):
        self.env["crm.lead.lost"].create(
            {"lead_ids": leads.ids, "lost_reason_id": self.reason_not_interested.id}
        ).action_lost_reason_apply()

    def test_stages_are_tagged(self):
        """D1: DriCloud's statuses are the pipeline's stages, each tagged so that the
        panel knows it whatever its name, in place of Odoo's default stages; the client
        stage is a won stage and the patient stage (a patient file) is folded, never a
        new prospect's default."""
        self.assertTrue(all(self.stages.values()))
        self.assertFalse(self.env.ref("crm.stage_lead1", raise_if_not_found=False))
        self.assertEqual(self.stages["client"], self.env.ref("hmr_crm_addon.crm_stage_client"))
        self.assertTrue(self.stages["client"].is_won)
        self.assertTrue(self.stages["patient"].fold)
        self.stages["contact"].name = "Contactado"
        self.lead_exec._hmr_set_status("contact")
        self.assertEqual(self._tabs_of(self.lead_exec), ["crm_lead_action_hmr_contacts"])

    @users("hmr_exec")
    def test_status_chosen_at_creation(self):
        """D1: the stage is chosen at creation (the lead stage by default) and places
        the prospect: the client stage is won; a prospect not interested is Odoo's
        lost (archived) with its reason."""
        Lead = self.env["crm.lead"]
        created = Lead.create(
            [
                self._prospect_values(f"Crea{status}", "Test", self.user_executive, **values)
                for status, values in [
                    ("default", {}),
                    ("contact", {"stage_id": self.stages["contact"].id}),
                    ("deal", {"stage_id": self.stages["deal"].id}),
                    ("client", {"stage_id": self.stages["client"].id}),
                    ("patient", {"stage_id": self.stages["patient"].id}),
                ]
            ]
        )
        self.assertRecordValues(
            created,
            [
                {"hmr_status": "lead", "won_status": "pending", "deal_status": False},
                {"hmr_status": "contact", "won_status": "pending", "deal_status": False},
                {"hmr_status": "deal", "won_status": "pending", "deal_status": "negotiation"},
                {"hmr_status": "client", "won_status": "won", "deal_status": False},
                {"hmr_status": "patient", "won_status": "pending", "deal_status": False},
            ],
        )
        self._set_lost(created[0])
        self.assertRecordValues(
            created[0],
            [
                {
                    "active": False,
                    "won_status": "lost",
                    "lost_reason_id": self.reason_not_interested.id,
                }
            ],
        )

    @users("hmr_exec")
    def test_status_from_the_form(self):
        """D1: in the form, the stage defaults to the tab's one and is changed from the
        status bar."""
        action = self.env.ref("hmr_crm_addon.crm_lead_action_hmr_contacts").sudo()
        form = Form(self.env["crm.lead"].with_context(**safe_eval(action.context)))
        form.first_name = "Fran"
        form.last_name = "Form"
        self.assertEqual(form.stage_id, self.stages["contact"])
        form.stage_id = self.stages["deal"]
        lead = form.save()
        self.assertRecordValues(lead, [{"hmr_status": "deal", "deal_status": "negotiation"}])

    @users("hmr_exec")
    def test_stage_change_is_tracked(self):
        """D1, B7: a stage changed by hand is tracked in the chatter (the status
        history users read); Lost and Restore are tracked too."""
        lead = self.lead_exec.with_user(self.env.user).with_context(mail_notrack=False)
        lead.stage_id = self.stages["contact"]
        self.flush_tracking()
        lead.stage_id = self.stages["deal"]
        self.flush_tracking()
        self._set_lost(lead)
        self.flush_tracking()
        lead.action_restore()
        self.assertEqual(
            self._tracked(lead, "stage_id"), [("New Lead", "Contact"), ("Contact", "Deal")]
        )
        self.assertEqual(
            self._tracked(lead, "won_status"), [("Pending", "Lost"), ("Lost", "Pending")]
        )

    @users("hmr_exec")
    def test_lost_and_restored_as_odoo_does(self):
        """D5: not interested is Odoo's lost: the prospect leaves its tab for Not
        interested (archived, listed all the same); restored, it is back in the tab of
        its stage."""
        lead = self.lead_exec.with_user(self.env.user)
        lead.stage_id = self.stages["deal"]
        self._set_lost(lead)
        self.assertEqual(self._tabs_of(lead), ["crm_lead_action_hmr_not_interested"])
        self.assertEqual(lead.deal_status, "lost")
        lead.action_restore()
        self.assertEqual(self._tabs_of(lead), ["crm_lead_action_hmr_deals"])
        self.assertRecordValues(lead, [{"active": True, "deal_status": "negotiation"}])

    def test_quotes_fate_moves_the_deal(self):
        """D1, D4: a quote sent makes the prospect a deal (quote delivered); every
        quote cancelled loses the deal; a new quote sent reopens it; a quote confirmed
        wins it: a client. The deal status is read-only, computed from them."""
        lead = self.lead_exec
        lead.stage_id = self.stages["contact"]
        quote = self._new_quote(lead)
        self.assertEqual(lead.hmr_status, "contact", "a draft quote is no deal yet")
        quote.action_quotation_sent()
        self.assertRecordValues(lead, [{"hmr_status": "deal", "deal_status": "quote_sent"}])
        quote._action_cancel()
        self.assertRecordValues(lead, [{"hmr_status": "deal", "deal_status": "lost"}])
        second = self._new_quote(lead)
        second.action_quotation_sent()
        self.assertEqual(lead.deal_status, "quote_sent")
        second.action_confirm()
        self.assertRecordValues(
            lead, [{"hmr_status": "client", "deal_status": "won", "won_status": "won"}]
        )
        self.assertTrue(lead._fields["deal_status"].readonly)

    def test_quotes_keep_won_and_lost(self):
        """D1: what the executive decided stays: a prospect not interested or a client
        is not made a deal again by a quote sent or cancelled."""
        lost = self.lead_exec
        self._set_lost(lost)
        self._new_quote(lost).action_quotation_sent()
        self.assertRecordValues(lost, [{"won_status": "lost", "hmr_status": "lead"}])
        client = self.lead_exec_2
        client.action_set_won()
        quote = self._new_quote(client)
        quote.action_quotation_sent()
        quote._action_cancel()
        self.assertRecordValues(client, [{"won_status": "won", "hmr_status": "client"}])

    def test_doctor_sending_quote_moves_prospect_they_cannot_write(self):
        """D1: whoever sends the quote (a doctor, the prospect on the portal) moves
        the prospect, even without the right to write on it."""
        self.lead_exec.doctor_ids = self.user_doctor
        quote = self._new_quote(self.lead_exec, user_id=self.user_doctor.id)
        quote.with_user(self.user_doctor).action_quotation_sent()
        self.assertEqual(self.lead_exec.hmr_status, "deal")

    @users("hmr_exec")
    def test_tabs_show_their_statuses(self):
        """D2-D5: each tab of the CRM menu lists its stage: Leads, Contacts, Deals (open
        ones only: won and lost deals leave it), Clients (and patients), Not interested
        (lost, archived by Odoo, listed all the same); only the executive's own."""
        Lead = self.env["crm.lead"]
        leads = {
            status: Lead.create(
                self._prospect_values(
                    f"Tab{status}", "Test", self.user_executive, stage_id=stage.id
                )
            )
            for status, stage in self.stages.items()
        }
        deal_stage = self.stages["deal"]
        won_deal, lost_deal = Lead.create(
            [
                self._prospect_values(name, "Deal", self.user_executive, stage_id=deal_stage.id)
                for name in ("Won", "Lost")
            ]
        )
        won_deal.action_set_won()
        self._set_lost(lost_deal)
        mine = Lead.search(
            [("user_id", "=", self.user_executive.id), ("active", "in", [True, False])]
        )
        expected = {
            "crm_lead_action_hmr_leads": leads["lead"] | self.lead_exec,
            "crm_lead_action_hmr_contacts": leads["contact"],
            "crm_lead_action_hmr_deals": leads["deal"],
            "crm_lead_action_hmr_clients": leads["client"] | leads["patient"] | won_deal,
            "crm_lead_action_hmr_not_interested": lost_deal,
        }
        for xmlid, records in expected.items():
            with self.subTest(tab=xmlid):
                self.assertEqual(self._tab(f"hmr_crm_addon.{xmlid}") & mine, records)
                self.assertFalse(self._tab(f"hmr_crm_addon.{xmlid}") - mine)

    def test_prospect_never_shows_two_statuses(self):
        """D1: the stage is the one status of a prospect: whatever happens to it (stage
        dragged, won, lost, restored, quotes), it is listed in exactly one tab, the one
        of its stage, and the old status fields are gone."""
        self.assertNotIn("crm_status", self.env["crm.lead"]._fields)
        lead = self.lead_exec
        steps = [
            ("contact", lambda: lead._hmr_set_status("contact")),
            ("deal", lambda: self._new_quote(lead).action_quotation_sent()),
            ("not_interested", lambda: self._set_lost(lead)),
            ("deal", lead.action_restore),
            ("client", lead.action_set_won),
            ("contact", lambda: lead.write({"stage_id": self.stages["contact"].id})),
        ]
        for tab, step in steps:
            step()
            with self.subTest(tab=tab):
                self.assertEqual(
                    self._tabs_of(lead), [xmlid for xmlid, status in TABS.items() if status == tab]
                )

    @users("hmr_exec")
    def test_panel_has_a_column_per_stage(self):
        """D1: the panel is Odoo's pipeline grouped by stage: every stage has its column,
        even empty, in DriCloud's order; grouping by executive and source works."""
        groups = (
            self.env["crm.lead"]
            .with_context(read_group_expand=True)
            .web_read_group([("type", "=", "opportunity")], ["stage_id"], ["__count"])["groups"]
        )
        columns = self.env["crm.stage"].browse([group["stage_id"][0] for group in groups])
        self.assertEqual(
            [status for status in columns.mapped("hmr_status") if status],
            ["patient", "lead", "contact", "deal", "client"],
        )
        by_user = self.env["crm.lead"]._read_group([], ["user_id", "source_id"], ["__count"])
        self.assertEqual(by_user, [(self.user_executive, self.source_instagram, 1)])

    def test_days_per_stage_from_tracking(self):
        """B5, B7: the time spent in each stage is Odoo's duration tracking of the
        stage changes."""
        start = datetime(2026, 3, 2, 10, 0)
        with at_time(self.env, start):
            lead = self.env["crm.lead"].create(
                self._prospect_values("Pia", "Periods", self.user_executive)
            )
        with at_time(self.env, start + timedelta(days=2)):
            lead._hmr_set_status("contact")
        with at_time(self.env, start + timedelta(days=5)):
            lead._hmr_set_status("deal")
        with at_time(self.env, start + timedelta(days=6)):
            lead.invalidate_recordset(["duration_tracking"])
            durations = lead.duration_tracking
        Stage = self.env["crm.stage"]
        self.assertEqual(
            {Stage.browse(int(key)).hmr_status: sec / 86400 for key, sec in durations.items()},
            {"lead": 2, "contact": 3, "deal": 1},
        )

    def test_automation_rule_on_stage_change(self):
        """B4, D1: a manager tunes the panel without code: an automation rule "when the
        stage is set to Contact, plan a call for the executive" fires when a prospect
        enters Contact, and only then."""
        automation = self.env["base.automation"].create(
            {
                "name": "Call new contacts",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "trigger": "on_stage_set",
                "trg_field_ref": self.stages["contact"].id,
            }
        )
        action = self.env["ir.actions.server"].create(
            {
                "name": "Plan a call",
                "base_automation_id": automation.id,
                "model_id": automation.model_id.id,
                "usage": "base_automation",
                "state": "next_activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "activity_user_type": "generic",
                "activity_user_field_name": "user_id",
            }
        )
        automation.action_server_ids = [Command.set(action.ids)]
        lead = self.lead_exec.with_user(self.user_executive)
        lead._hmr_set_status("deal")
        self.assertFalse(lead.activity_ids)
        lead.stage_id = self.stages["contact"]
        self.assertRecordValues(
            lead.activity_ids,
            [
                {
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "user_id": self.user_executive.id,
                }
            ],
        )

    @users("hmr_exec")
    def test_executive_cannot_move_other_prospects(self):
        """C2, D1: the stage follows the prospect's access rights."""
        with self.assertRaises(AccessError):
            self.lead_exec_2.with_user(self.env.user).stage_id = self.stages["contact"]

    def test_names_follow_in_multi_record_writes(self):
        """P1, P3: writing first names or surnames on several prospects at once titles
        each one after its own names, and renames its contact."""
        leads = self.lead_exec | self.lead_exec_2
        leads.write({"last_name": "Nuevo"})
        self.assertEqual(leads.mapped("name"), ["Ana Nuevo", "Bruno Nuevo"])
        self.assertEqual(leads.mapped("partner_id.name"), ["Ana Nuevo", "Bruno Nuevo"])
        leads.write({"first_name": "Sam", "last_name": "Same"})
        self.assertEqual(leads.mapped("contact_name"), ["Sam Same", "Sam Same"])

    def test_migration_maps_old_statuses(self):
        """D1, D5: on upgrade from 19.0.1, each former CRM status goes to the stage with
        the same tag, and "not interested" to Odoo's lost."""
        path = Path(__file__).parents[1] / "migrations" / "19.0.2.0.0" / "post-migrate.py"
        script = load_script(str(path), "hmr_crm_addon_post_migrate_19_0_2")
        self.assertEqual(
            {
                status: script.get_migration_target(status)
                for status in ("patient", "lead", "contact", "deal", "client", "not_interested")
            },
            {
                "patient": "patient",
                "lead": "lead",
                "contact": "contact",
                "deal": "deal",
                "client": "client",
                "not_interested": script.LOST,
            },
        )

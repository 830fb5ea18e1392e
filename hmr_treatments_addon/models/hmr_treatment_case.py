from odoo import api, fields, models


class HmrTreatmentCase(models.Model):
    """One treatment followed by one prospect (P2): the prospect goes through the
    treatment's process, with its own chatter, activities and attachments (P5)."""

    _name = "hmr.treatment.case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Treatment Case"
    _order = "id"
    _rec_names_search = ["treatment_id", "lead_id"]
    # the assessing doctors only read the case, yet must be able to comment on it
    _mail_post_access = "read"

    name = fields.Char(compute="_compute_name")
    active = fields.Boolean(default=True, tracking=True)
    lead_id = fields.Many2one(
        "crm.lead",
        string="Prospect",
        required=True,
        ondelete="cascade",
        index=True,
        tracking=True,
    )
    treatment_id = fields.Many2one(
        "hmr.treatment",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    process_id = fields.Many2one(related="treatment_id.process_id", store=True, index=True)
    user_id = fields.Many2one(
        related="lead_id.user_id", string="Sales Executive", store=True, index="btree_not_null"
    )
    partner_id = fields.Many2one(related="lead_id.partner_id", store=True, index="btree_not_null")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index="btree_not_null")

    _lead_treatment_uniq = models.Constraint(
        "unique(lead_id, treatment_id)",
        "This treatment is already assigned to this prospect "
        "(if the assignment was archived, restore it instead).",
    )

    @api.depends_context("lang")
    @api.depends("treatment_id.name", "lead_id.contact_name", "lead_id.name")
    def _compute_name(self):
        for case in self:
            prospect = case.lead_id.contact_name or case.lead_id.name
            case.name = " \N{EN DASH} ".join(
                part for part in (case.treatment_id.name, prospect) if part
            )

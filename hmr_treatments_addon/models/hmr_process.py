from odoo import api, fields, models


class HmrProcess(models.Model):
    """The sequence of steps a treatment follows with each prospect ("Proceso Capilar"
    first). The steps themselves come with the processes engine; a process is data,
    so that adding the process of a new treatment needs no code (S4)."""

    _name = "hmr.process"
    _inherit = ["hmr.catalog.mixin"]
    _description = "Treatment Process"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    step_ids = fields.One2many("hmr.process.step", "process_id", string="Steps", copy=True)
    treatment_ids = fields.One2many("hmr.treatment", "process_id", string="Treatments")
    treatment_count = fields.Integer(compute="_compute_treatment_count")

    @api.depends("treatment_ids")
    def _compute_treatment_count(self):
        counts = dict(
            self.env["hmr.treatment"]._read_group(
                [("process_id", "in", self.ids)], ["process_id"], ["__count"]
            )
        )
        for process in self:
            process.treatment_count = counts.get(process._origin, 0)

    def _get_first_step(self):
        self.ensure_one()
        return self.step_ids[:1]

    def _get_step(self, kind):
        self.ensure_one()
        return self.step_ids.filtered(lambda step: step.kind == kind)[:1]

    def _get_usage_fields(self):
        return [("hmr.treatment", "process_id")]

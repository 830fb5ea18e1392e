from odoo import api, fields, models
from odoo.exceptions import ValidationError

STEP_KINDS = [
    ("photos", "Photos"),
    ("assessment", "Assessment"),
    ("quote", "Quote"),
    ("answer", "Prospect's answer"),
    ("follow_up", "Follow-up"),
]


class HmrProcessStep(models.Model):
    """A step of a treatment process. Each kind of step has its behaviour in code
    (photos are collected, an assessment goes to a doctor...); which steps a process
    has, in which order, with which timings and texts, is data managers edit (S4, B4)."""

    _name = "hmr.process.step"
    _description = "Process Step"
    _order = "process_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    process_id = fields.Many2one("hmr.process", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(STEP_KINDS, required=True)
    description = fields.Text(translate=True, help="What happens in this step, for the staff.")
    fold = fields.Boolean(help="Folded in the kanban of cases.")
    # photos
    photo_slot_ids = fields.One2many("hmr.photo.slot", "step_id", string="Photo Slots")
    reminder_interval_hours = fields.Integer(
        string="Remind Every (hours)",
        default=24,
        help="Hours between two reminders to the prospect of the photos still missing.",
    )
    reminder_max_count = fields.Integer(
        string="Maximum Reminders",
        default=5,
        help="After this many reminders, the sales executive gets an activity instead. "
        "0: the prospect gets no reminder, the sales executive gets the activity at once.",
    )
    reminder_template_id = fields.Many2one(
        "mail.template",
        domain="[('model', '=', 'hmr.treatment.case')]",
        ondelete="restrict",
        compute="_compute_reminder_template_id",
        store=True,
        readonly=False,
        precompute=True,
        help="The email that reminds the prospect of the missing photos: required unless "
        "the step sends no reminder (Maximum Reminders 0).",
    )
    # answer / follow-up
    deadline_hours = fields.Integer(
        string="Alert After (hours)",
        default=24,
        help="Answer step: the executive is alerted when the prospect has not answered the "
        "quote this many hours after it was sent. Follow-up step: the executive is alerted "
        "when nobody followed up an accepted quote within this many hours.",
    )

    @api.depends("kind")
    def _compute_reminder_template_id(self):
        # a new photo step reminds with the clinic's own email unless told otherwise
        template = self.env.ref(
            "hmr_treatments_addon.mail_template_hmr_photo_reminder", raise_if_not_found=False
        )
        for step in self:
            if step.kind != "photos":
                step.reminder_template_id = False
            elif not step.reminder_template_id:
                step.reminder_template_id = template

    @api.constrains("reminder_interval_hours", "reminder_max_count", "deadline_hours")
    def _check_timings(self):
        for step in self:
            if step.reminder_interval_hours <= 0 or step.deadline_hours <= 0:
                raise ValidationError(self.env._("Timings must be a positive number of hours."))
            if step.reminder_max_count < 0:
                raise ValidationError(self.env._("The maximum of reminders cannot be negative."))

    @api.constrains("kind", "reminder_max_count", "reminder_template_id")
    def _check_reminder_template(self):
        # a reminder counted is a reminder sent: no count without the email that makes it
        for step in self:
            if step.kind == "photos" and step.reminder_max_count and not step.reminder_template_id:
                raise ValidationError(
                    self.env._(
                        "The photo step %(step)s sends reminders: choose their email "
                        "template, or set its maximum reminders to 0 (no reminder).",
                        step=step.name,
                    )
                )

    @api.constrains("kind", "process_id")
    def _check_one_step_per_kind(self):
        for process in self.process_id:
            kinds = process.step_ids.mapped("kind")
            if len(kinds) != len(set(kinds)):
                raise ValidationError(
                    self.env._(
                        "The process %(process)s has two steps of the same kind.",
                        process=process.name,
                    )
                )

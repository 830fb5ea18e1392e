from odoo import fields, models


class HmrPhotoSlot(models.Model):
    """One photograph a process asks for (front, top, crown...): data, not code (S1.1)."""

    _name = "hmr.photo.slot"
    _description = "Photo Slot"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    step_id = fields.Many2one(
        "hmr.process.step",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('kind', '=', 'photos')]",
    )
    process_id = fields.Many2one(related="step_id.process_id", store=True, index=True)
    instructions = fields.Text(translate=True, help="How to take this photo, for the prospect.")
    example_image = fields.Image(max_width=512, max_height=512, help="Shown to the prospect.")

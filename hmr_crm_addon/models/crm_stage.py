from odoo import fields, models


class CrmStage(models.Model):
    """The stages of the pipeline are DriCloud's statuses (Lead, Contact, Deal, Client,
    Patient): a tag tells the code and the panel's tabs which stage is which, whatever a
    manager renames it to."""

    _inherit = "crm.stage"

    hmr_status = fields.Selection(
        [
            ("patient", "Patient"),
            ("lead", "New Lead"),
            ("contact", "Contact"),
            ("deal", "Deal"),
            ("client", "Client"),
        ],
        string="Panel Status",
        index="btree_not_null",
        copy=False,
        help="The tab of the CRM panel that lists the prospects in this stage.",
    )

from odoo import models
from odoo.exceptions import UserError


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Merging contacts moves every record of the merged ones to the contact kept, by SQL,
    with their users: the cases of a prospect (medical records) would go to another person,
    behind the links sent and the portal accounts. A contact holding cases is therefore
    kept, never merged away, and no portal account is merged into it."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        self._hmr_check_treatment_cases(partner_ids, dst_partner)
        return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)

    def _hmr_check_treatment_cases(self, partner_ids, dst_partner):
        partners = self.env["res.partner"].browse(partner_ids).exists()
        if len(partners) < 2:
            return
        if not dst_partner or dst_partner not in partners:
            # the contact Odoo keeps when none is chosen
            dst_partner = self._get_ordered_partner(partners.ids)[-1]
        sources = partners - dst_partner
        holders = self._hmr_get_case_holders(partners)
        if holders & sources:
            raise UserError(
                self.env._(
                    "%(contacts)s hold treatment cases (medical records), which must not go "
                    "to another contact: keep that contact and merge the others into it, or "
                    "first set the right contact on the prospect.",
                    contacts=", ".join((holders & sources).mapped("display_name")),
                )
            )
        if dst_partner in holders and sources.with_context(active_test=False).user_ids:
            raise UserError(
                self.env._(
                    "%(contact)s holds treatment cases (medical records): a contact with a "
                    "user account cannot be merged into it, the account would read them.",
                    contact=dst_partner.display_name,
                )
            )

    def _hmr_get_case_holders(self, partners):
        """The contacts of ``partners`` that a treatment case or its quote points to."""
        cases = (
            self.env["hmr.treatment.case"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", partners.ids)])
        )
        quotes = (
            self.env["sale.order"]
            .sudo()
            .search([("partner_id", "in", partners.ids), ("hmr_case_id", "!=", False)])
        )
        return (cases.partner_id | quotes.partner_id) & partners

"""The starter discounts the doctor who prepares the quote may apply (the seasonal
promotion and the cash payment discount) were the executives' only: a clinic that kept
them as shipped (executives only) gets the doctors added; one that changed who may apply
them keeps its choice (the discounts are noupdate data)."""

from odoo import SUPERUSER_ID, api

DOCTOR_DISCOUNTS = ("hmr_discount_season", "hmr_discount_cash")


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    executive = env.ref("hmr_crm_addon.group_hmr_executive")
    doctor = env.ref("hmr_crm_addon.group_hmr_doctor")
    for name in DOCTOR_DISCOUNTS:
        discount = env.ref(f"hmr_treatments_addon.{name}", raise_if_not_found=False)
        if discount and discount.with_context(active_test=False).group_ids == executive:
            discount.group_ids |= doctor

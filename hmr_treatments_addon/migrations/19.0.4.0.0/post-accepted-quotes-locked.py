"""The quotes of treatments their prospects accepted keep their terms: those accepted
before are locked too (Odoo's lock; a manager unlocks one to cancel it)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    accepted = env["sale.order"].search(
        [
            ("hmr_case_id", "!=", False),
            ("locked", "=", False),
            "|",
            ("hmr_answer", "=", "accepted"),
            ("state", "=", "sale"),
        ]
    )
    accepted.action_lock()

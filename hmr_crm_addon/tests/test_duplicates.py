from odoo.tests import tagged, users

from ..tools.phone_key import phone_key
from .common import HmrCrmCommon


@tagged("post_install", "-at_install", "hmr_crm_panel")
class TestDuplicates(HmrCrmCommon):
    def test_mexican_phone_variants_share_a_key(self):
        """B6: +52 55..., +52 1 55..., 55... (in Mexico), 044 55... and 52 1 55...
        are the same number; other countries keep theirs."""
        keys = {
            phone_key(number)
            for number in (
                "+52 55 1234 5678",
                "+52 1 55 1234 5678",
                "55 1234 5678",
                "(55) 1234-5678",
                "044 55 1234 5678",
                "01 55 1234 5678",
                "521 55 1234 5678",
                "0052 55 1234 5678",
            )
        }
        self.assertEqual(keys, {"+525512345678"})
        self.assertEqual(phone_key("612 345 678", "34"), "+34612345678")
        self.assertNotEqual(phone_key("+1 415 555 0100"), phone_key("415 555 0100"))
        self.assertFalse(phone_key(""))

    @users("hmr_exec")
    def test_flagged_on_the_form_and_in_a_filter(self):
        """B6: a prospect with the email or the phone (any Mexican variant) of another
        one, whoever holds it, is flagged on its form and found by the "Possible
        duplicates" filter; fixed, it is not anymore."""
        Lead = self.env["crm.lead"]
        phone_twin = Lead.create(
            {
                "first_name": "Bruno",
                "last_name": "Twin",
                "phone": self.lead_exec_2.phone.replace("+52 ", "+52 1 "),
                "user_id": self.user_executive.id,
            }
        )
        email_twin = Lead.create(
            {"first_name": "Ana", "last_name": "Twin", "email_from": "ANA@example.mx"}
        )
        single = Lead.create({"first_name": "Solo", "phone": "33 1111 2222"})
        self.assertTrue(phone_twin.hmr_is_duplicate)
        self.assertIn("Bruno García Ruiz (Ezra Exec)", phone_twin.hmr_duplicate_info)
        self.assertTrue(email_twin.hmr_is_duplicate)
        self.assertFalse(single.hmr_is_duplicate)
        flagged = Lead.search([("hmr_is_duplicate", "=", True)])
        self.assertIn(phone_twin, flagged)
        self.assertIn(email_twin, flagged)
        self.assertIn(self.lead_exec, flagged, "the original is flagged too")
        self.assertNotIn(single, flagged)
        self.assertIn(single, Lead.search([("hmr_is_duplicate", "=", False)]))
        phone_twin.phone = "+52 33 9999 0000"
        self.assertFalse(phone_twin.hmr_is_duplicate)
        self.assertNotIn(phone_twin, Lead.search([("hmr_is_duplicate", "=", True)]))

    @users("hmr_exec")
    def test_warning_while_typing_catches_variants(self):
        """B6, P1: the warning while capturing a prospect catches the +52 1 variant."""
        typed = self.env["crm.lead"].new(
            {"phone": self.lead_exec_2.phone.replace("+52 ", "+52 1 ")}
        )
        warning = typed._onchange_warn_duplicate_prospect()
        self.assertIn(self.lead_exec_2.display_name, warning["warning"]["message"])

import inspect

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import HmrTreatmentsCommon

PROJECT_MODULES = ("odoo.addons.hmr_crm_addon.", "odoo.addons.hmr_treatments_addon.")
# the values of the arguments a public method needs besides its records
METHOD_ARGUMENTS = {"vals": {}}


def project_public_methods(env):
    """{model: [method names]}: the public methods (callable over RPC: no leading
    underscore, not ``@api.private``) that the project's addons define or override on
    records (``@api.model`` methods take no records)."""
    methods = {}
    for model_name in sorted(env.registry):
        model_class = type(env[model_name])
        for name in dir(model_class):
            if name.startswith("_"):
                continue
            defined_by = [cls for cls in model_class.mro() if name in vars(cls)]
            if not any(cls.__module__.startswith(PROJECT_MODULES) for cls in defined_by):
                continue
            method = getattr(model_class, name)
            if not callable(method) or any(
                getattr(method, flag, False) for flag in ("_api_model", "_api_private")
            ):
                continue
            methods.setdefault(model_name, []).append(name)
    return methods


@tagged("hmr_portal_b2", "post_install", "-at_install")
class TestHmrPortalAccessErrors(HmrTreatmentsCommon):
    """B2, B3: every public method the project defines on records answers an access error
    to a user who may not read them (a portal prospect on another prospect's or the staff's
    records, an executive on another executive's): never a window action, ids or work
    done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal()
        case = cls.case
        photo = cls.env["hmr.case.photo"].create(cls.photo_values(cls.slots[0]))
        assessment = cls.env["hmr.assessment"].create(
            {"case_id": case.id, "doctor_id": cls.user_doctor.id}
        )
        call = cls.env["hmr.call"].create(
            {"lead_id": cls.lead_exec.id, "user_id": cls.user_executive.id}
        )
        order = cls.env["sale.order"].browse(case.action_create_quote()["res_id"])
        cls.lead_exec.message_post(
            body="Hola",
            partner_ids=cls.lead_exec.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        message = cls.env["hmr.crm.message"].search([("lead_id", "=", cls.lead_exec.id)], limit=1)
        composer = (
            cls.env["hmr.message.composer"]
            .with_user(cls.user_executive)
            .with_context(active_model="crm.lead", active_ids=cls.lead_exec.ids)
            .create({})
        )
        # the executive's prospect (Ana) and the staff's records around it
        cls.records = {
            "crm.lead": cls.lead_exec,
            "hmr.treatment.case": case,
            "hmr.case.photo": photo,
            "hmr.assessment": assessment,
            "hmr.call": call,
            "sale.order": order,
            "hmr.crm.message": message,
            "hmr.message.composer": composer.sudo(),
            "res.config.settings": cls.env["res.config.settings"].create({}),
            "res.users": cls.user_executive,
            "hmr.photo.access.log": cls.env["hmr.photo.access.log"].create(
                {"user_id": cls.user_executive.id, "photo_id": photo.id, "channel": "rpc"}
            ),
            "hmr.privacy.notice": cls.env["hmr.privacy.notice"]._hmr_get_current(),
            "hmr.consent.log": case.partner_id._hmr_give_consent(
                "marketing", "web_form"
            ).hmr_consent_log_ids[-1:],
            "hmr.arco.request": cls.env["hmr.arco.request"].create(
                {"lead_id": cls.lead_exec.id, "request_type": "access", "description": "Mis datos"}
            ),
        }

    def assert_every_method_refused(self, user, readable=()):
        """Every project method on ``self.records`` raises an AccessError for ``user``,
        but on the models in ``readable``, whose record the user may read."""
        methods = project_public_methods(self.env)
        self.assertIn("action_view_quotes", methods["hmr.treatment.case"])
        self.assertLessEqual(
            set(methods), set(self.records), "a model with public methods needs a record here"
        )
        for model, names in methods.items():
            records = self.records[model].with_user(user)
            self.assertTrue(records, model)
            if model in readable:
                self.assertTrue(records.has_access("read"), model)
                continue
            for name in names:
                method = getattr(records, name)
                parameters = [
                    parameter
                    for parameter in inspect.signature(method).parameters.values()
                    if parameter.default is parameter.empty
                    and parameter.kind is parameter.POSITIONAL_OR_KEYWORD
                ]
                missing = [p.name for p in parameters if p.name not in METHOD_ARGUMENTS]
                self.assertFalse(missing, f"{model}.{name}: give a value to {missing}")
                arguments = [METHOD_ARGUMENTS[parameter.name] for parameter in parameters]
                with self.subTest(model=model, method=name):
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        method(*arguments)

    def test_portal_prospect_on_others_records(self):
        """B2, B3: Bruno, a prospect with a portal account, calls every public method of
        the project on Ana's records and on the staff's: access errors only."""
        self.assert_every_method_refused(self.portal_bruno)

    def test_executive_on_another_executives_records(self):
        """B3, P4: the second executive, whom the rules keep from the first one's
        prospect, calls every public method of the project on its records: access errors
        only (the composer, a wizard, is not hidden by rules: Odoo's wizards are not)."""
        self.assertFalse(self.lead_exec.with_user(self.user_executive_2).has_access("read"))
        self.assert_every_method_refused(
            self.user_executive_2,
            # the notice is the clinic's public text; the consents' history, like Odoo's
            # contacts, is read by every member of the staff
            readable={"hmr.message.composer", "hmr.privacy.notice", "hmr.consent.log"},
        )

    def test_the_owner_still_works(self):
        """B3: the checks refuse only who may not read: the first executive opens the
        same actions on their own prospect."""
        lead = self.lead_exec.with_user(self.user_executive)
        self.assertEqual(lead.action_hmr_schedule_call()["res_model"], "hmr.call")
        self.assertEqual(lead.action_view_treatment_cases()["res_model"], "hmr.treatment.case")
        case = self.case.with_user(self.user_executive)
        self.assertEqual(case.action_view_quotes()["domain"], [("hmr_case_id", "=", case.id)])
        call = self.records["hmr.call"].with_user(self.user_executive)
        self.assertEqual(call.action_open_prospect()["res_id"], self.lead_exec.id)

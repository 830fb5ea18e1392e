from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Command

# the clinic roles, the strongest first: a user's role is the first one they hold
HMR_ROLE_GROUPS = {
    "manager": "hmr_crm_addon.group_hmr_manager",
    "doctor": "hmr_crm_addon.group_hmr_doctor",
    "executive": "hmr_crm_addon.group_hmr_executive",
}

# groups that only record a preference, no rights: Odoo writes them for whoever edits the
# user (mail: the notification choice, also on a new user)
HMR_PREFERENCE_GROUPS = ("mail.group_mail_notification_type_inbox",)


class ResUsers(models.Model):
    _inherit = "res.users"

    hmr_section_id = fields.Many2one("hmr.section", string="Clinic Section", index="btree_not_null")
    hmr_department_id = fields.Many2one(
        "hmr.department", string="Clinic Department", index="btree_not_null"
    )
    hmr_role = fields.Selection(
        [("executive", "Sales Executive"), ("doctor", "Diagnosis Doctor"), ("manager", "Manager")],
        string="Clinic Role",
        compute="_compute_hmr_role",
        inverse="_inverse_hmr_role",
        help="What the user does in the clinic: it gives them the HMR CRM access rights.",
    )

    @api.depends("all_group_ids")
    def _compute_hmr_role(self):
        roles = {role: self.env.ref(xmlid) for role, xmlid in HMR_ROLE_GROUPS.items()}
        for user in self:
            user.hmr_role = next(
                (role for role, group in roles.items() if group in user.all_group_ids), False
            )

    def _inverse_hmr_role(self):
        # the clinic's managers set roles without Odoo's Access Rights: the role is the
        # only group they change, hence sudo
        role_groups = self.env["res.groups"].browse(
            self.env.ref(xmlid).id for xmlid in HMR_ROLE_GROUPS.values()
        )
        for user in self.sudo():
            groups = user.group_ids - role_groups
            if user.hmr_role:
                groups |= self.env.ref(HMR_ROLE_GROUPS[user.hmr_role])
            user.group_ids = groups

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_may_change_groups(vals)
        if self._hmr_is_access_administrator():
            return super().create(vals_list)
        # Odoo's invitation e-mail (auth_signup) writes fields of the new user's contact
        # that only Access Rights users may write: once the clinic's manager was allowed
        # to create the user with these values, Odoo's creation runs as superuser
        self.check_access("create")
        for name in {name for vals in vals_list for name in vals}:
            self._check_field_access(self._fields[name], "write")
        return super(ResUsers, self.sudo()).create(vals_list).sudo(False)

    def write(self, vals):
        self._check_may_change_groups(vals)
        if not self._hmr_is_access_administrator():
            self._check_no_access_administrators()
        return super().write(vals)

    def _hmr_is_access_administrator(self):
        return self.env.su or self.env.user.has_group("base.group_erp_manager")

    def _check_may_change_groups(self, vals):
        """Only Odoo's Access Rights users give or take groups; the clinic's managers
        change a user's clinic role only (which writes the groups as superuser)."""
        if "group_ids" in vals and not self._hmr_is_access_administrator():
            preference_ids = {self.env.ref(xmlid).id for xmlid in HMR_PREFERENCE_GROUPS}
            if not all(
                isinstance(command, (list, tuple))
                and command[0] in (Command.LINK, Command.UNLINK)
                and command[1] in preference_ids
                for command in vals["group_ids"]
            ):
                raise AccessError(
                    self.env._("You may only change the clinic role of a user, not their groups.")
                )

    def _check_no_access_administrators(self):
        """The clinic's managers may not change the accounts of the Odoo administrators
        (their password, login or email would give the administrator's rights)."""
        if self.sudo().filtered(lambda user: user.has_group("base.group_erp_manager")):
            raise AccessError(
                self.env._("Only an Odoo administrator may change an administrator's account.")
            )

    def _hmr_get_non_executives(self):
        """The users of ``self`` who may not hold prospects: without the Sales Executive
        role (OdooBot, which runs the automations, excepted)."""
        return self.filtered(
            lambda user: (
                not user._is_superuser() and not user.has_group("hmr_crm_addon.group_hmr_executive")
            )
        )

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import email_normalize
from odoo.tools.misc import clean_context


class CrmLead(models.Model):
    """A prospect of the clinic is a crm.lead with a person behind it: first name,
    surnames, birth date, how we reach them and where they came from."""

    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    first_name = fields.Char(tracking=True)
    last_name = fields.Char(string="Surnames", tracking=True)
    birth_date = fields.Date(tracking=True)
    age = fields.Integer(compute="_compute_age", help="Age in years, from the birth date.")
    whatsapp = fields.Char(string="WhatsApp", help="Leave empty when it is the phone number.")  # pylint: disable=attribute-string-redundant
    contact_method_id = fields.Many2one("hmr.contact.method", tracking=True, index="btree_not_null")
    section_id = fields.Many2one(
        "hmr.section", string="Clinic Section", tracking=True, index="btree_not_null"
    )
    capture_date = fields.Date(
        default=fields.Date.context_today, copy=False, help="Day the prospect was captured."
    )
    doctor_ids = fields.Many2many(
        "res.users",
        "crm_lead_hmr_doctor_rel",
        "lead_id",
        "user_id",
        string="Assessing Doctors",
        copy=False,
        help="Diagnosis doctors given this prospect to assess: they may read it.",
    )
    source_id = fields.Many2one(string="Contact Source")

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("birth_date")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for lead in self:
            lead.age = relativedelta(today, lead.birth_date).years if lead.birth_date else 0

    # ------------------------------------------------------------
    # CONSTRAINTS AND ONCHANGE
    # ------------------------------------------------------------

    @api.constrains("birth_date")
    def _check_birth_date(self):
        today = fields.Date.context_today(self)
        if any(lead.birth_date and lead.birth_date > today for lead in self):
            raise ValidationError(self.env._("The birth date cannot be in the future."))

    @api.constrains("email_from")
    def _check_email_from(self):
        for lead in self:
            if lead.email_from and not email_normalize(lead.email_from, strict=False):
                raise ValidationError(
                    self.env._("“%(email)s” is not a valid email address.", email=lead.email_from)
                )

    @api.constrains("user_id")
    def _check_user_is_sales_executive(self):
        for user in self.user_id:
            if not user._is_superuser() and not user.has_group("hmr_crm_addon.group_hmr_executive"):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot be the sales executive of a prospect: "
                        "they lack the Sales Executive role.",
                        user=user.name,
                    )
                )

    @api.onchange("first_name", "last_name")
    def _onchange_prospect_names(self):
        full_name = self._get_prospect_full_name(self.first_name, self.last_name)
        if full_name:
            # the title follows the names unless someone typed another one
            if not self.name or self.name == self.contact_name:
                self.name = full_name
            self.contact_name = full_name

    @api.onchange("email_from", "phone")
    def _onchange_warn_duplicate_prospect(self):
        # sudo: a duplicate held by another executive must be flagged too
        duplicates = self.sudo().search(self._get_prospect_duplicate_domain(), limit=3)
        if duplicates:
            return {
                "warning": {
                    "title": self.env._("Possible duplicate"),
                    "message": self.env._(
                        "Other prospects share this email or phone: %(names)s",
                        names=", ".join(
                            f"{lead.display_name} ({lead.user_id.name or '-'})"
                            for lead in duplicates
                        ),
                    ),
                }
            }
        return None

    def _get_prospect_duplicate_domain(self):
        """Other prospects with the same normalized email or sanitized phone."""
        criteria = []
        if self.email_normalized:
            criteria.append(Domain("email_normalized", "=", self.email_normalized))
        if self.phone_sanitized:
            criteria.append(Domain("phone_sanitized", "=", self.phone_sanitized))
        if not criteria:
            return Domain.FALSE
        return Domain.OR(criteria) & Domain("id", "!=", self._origin.id or 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._prepare_prospect_names(vals)
        self._create_prospect_partners(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if {"first_name", "last_name"} & vals.keys() and len(self) == 1:
            vals = dict(vals)
            self._prepare_prospect_names(
                vals, vals.get("first_name", self.first_name), vals.get("last_name", self.last_name)
            )
            if self.partner_id and vals.get("contact_name"):
                self.partner_id.name = vals["contact_name"]
        return super().write(vals)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _hmr_disable_automatic_enrichment(self):
        self.env["ir.config_parameter"].sudo().set_param("crm.iap.lead.enrich.setting", "manual")
        cron = self.env.ref("crm_iap_enrich.ir_cron_lead_enrichment", raise_if_not_found=False)
        if cron:
            cron.sudo().active = False

    @api.model
    def _get_prospect_full_name(self, first_name, last_name):
        return " ".join(part.strip() for part in (first_name, last_name) if part and part.strip())

    @api.model
    def _prepare_prospect_names(self, vals, first_name=None, last_name=None):
        """Fill the lead title and contact name from first name and surnames."""
        full_name = self._get_prospect_full_name(
            first_name if first_name is not None else vals.get("first_name"),
            last_name if last_name is not None else vals.get("last_name"),
        )
        if full_name:
            vals["contact_name"] = full_name
            vals.setdefault("name", full_name)
        return vals

    @api.model
    def _prepare_prospect_partner_values(self, vals):
        return {
            "name": vals.get("contact_name") or vals.get("partner_name") or vals.get("email_from"),
            "email": vals.get("email_from"),
            "phone": vals.get("phone"),
            "is_company": False,
        }

    @api.model
    def _create_prospect_partners(self, vals_list):
        """Each prospect is its own individual contact, never a child of a company,
        so that no prospect can ever reach another one's quotes. Created in one batch."""
        todo = [
            vals
            for vals in vals_list
            if not vals.get("partner_id") and (vals.get("contact_name") or vals.get("email_from"))
        ]
        if not todo:
            return
        # clean_context drops the pipeline's defaults (default_type='opportunity' is no
        # partner type): replacing the context is the point here
        context = clean_context(self.env.context)
        partner_model = self.env["res.partner"].sudo().with_context(context)  # pylint: disable=context-overridden
        partners = partner_model.create(
            [self._prepare_prospect_partner_values(vals) for vals in todo]
        )
        for vals, partner in zip(todo, partners, strict=True):
            vals["partner_id"] = partner.id

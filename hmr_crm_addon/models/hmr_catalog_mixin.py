from odoo import api, models
from odoo.exceptions import UserError


class HmrCatalogMixin(models.AbstractModel):
    """Catalog records that prospects, treatments or users point to are never
    deleted while in use: deleting them would erase history, archiving keeps it."""

    _name = "hmr.catalog.mixin"
    _description = "HMR catalog (archived, never deleted while in use)"

    def _get_usage_fields(self):
        """Return ``[(model_name, field_name)]``: the fields that use this catalog."""
        return []

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        for model_name, field_name in self._get_usage_fields():
            users = self.env[model_name].sudo().with_context(active_test=False)
            groups = users._read_group([(field_name, "in", self.ids)], [field_name])
            used = self.browse([record.id for (record,) in groups])
            if used:
                records = ", ".join(used.mapped("display_name"))
                users = self.env["ir.model"]._get(model_name).name
                if "active" in self._fields:
                    message = self.env._(
                        "%(records)s cannot be deleted: %(users)s still use it. "
                        "Archive it instead, so that their history is kept.",
                        records=records,
                        users=users,
                    )
                else:
                    message = self.env._(
                        "%(records)s cannot be deleted: %(users)s still use it, "
                        "and their history must be kept.",
                        records=records,
                        users=users,
                    )
                raise UserError(message)

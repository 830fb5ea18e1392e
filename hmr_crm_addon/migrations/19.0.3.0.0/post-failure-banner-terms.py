from odoo import SUPERUSER_ID, api
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationImporter

# the records whose text changed in this version: an update keeps their old Spanish
# (matched to the new English term), which names the manager in the composer's banners
# and puts "Falla" on the failure type instead of the failure column
CHANGED = {
    "hmr_crm_addon.hmr_message_composer_view_form",
    "hmr_crm_addon.field_hmr_crm_message__failure",
    "hmr_crm_addon.field_hmr_crm_message__failure_type",
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    if "es_MX" not in dict(env["res.lang"].get_installed()):
        return
    importer = TranslationImporter(cr, verbose=False)
    importer.load_file(file_path("hmr_crm_addon/i18n/es_MX.po"), "es_MX", xmlids=CHANGED)
    importer.save(overwrite=True)

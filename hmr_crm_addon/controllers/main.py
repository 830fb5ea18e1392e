from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class HmrCrmExportController(http.Controller):
    @http.route(
        "/hmr_crm/export/crm.xlsx", type="http", auth="user", methods=["GET"], readonly=True
    )
    def hmr_crm_export_xlsx(self):
        """D9: download the CRM panel as an Excel workbook (the rows the user may read)."""
        try:
            content, filename = request.env["hmr.crm.export"]._export_crm_workbook()
        except AccessError as error:
            raise Forbidden(error.args[0]) from error
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Disposition", content_disposition(filename)),
                ("Cache-Control", "no-store"),
            ],
        )

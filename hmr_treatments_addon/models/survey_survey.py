from odoo import models


class SurveySurvey(models.Model):
    """Questionnaires (C9) are Odoo surveys; one a treatment asks for is kept."""

    _name = "survey.survey"
    _inherit = ["survey.survey", "hmr.catalog.mixin"]

    def _get_usage_fields(self):
        return [("hmr.treatment", "survey_id")]

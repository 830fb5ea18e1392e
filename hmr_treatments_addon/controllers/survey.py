from odoo import http

from odoo.addons.survey.controllers import main as survey_main

from .portal import hmr_no_store


class Survey(survey_main.Survey):
    """A questionnaire answered through its link: the pages carry the answer's token and
    show the answers (a prospect's medical history), so no cache keeps them."""

    @http.route()
    def survey_start(self, survey_token, answer_token=None, email=False, **post):
        hmr_no_store()
        return super().survey_start(survey_token, answer_token=answer_token, email=email, **post)

    @http.route()
    def survey_display_page(self, survey_token, answer_token, **post):
        hmr_no_store()
        return super().survey_display_page(survey_token, answer_token, **post)

import logging

from odoo.exceptions import ConcurrencyError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

HMR_RETRIED_ERRORS = (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError)
"""Concurrent updates: Odoo rolls back and serves the whole request again, so the routes
let them through instead of answering them as errors."""


def hmr_recover_from_error(action):
    """After an unexpected error in a route a visitor uses: log the traceback for the
    clinic, undo what the request wrote, and return the message the visitor reads instead
    (Odoo would send the traceback to the browser: in ``data.debug`` for JSON-RPC, on the
    error page in debug mode for HTTP).

    :param str action: what failed, for the log (e.g. "Accepting the quote 12")
    """
    _logger.exception("%s failed", action)
    request.env.cr.rollback()
    return request.env._(
        "Sorry, something went wrong on our side and nothing was saved. Please try again in a "
        "moment; if it happens again, please call or write to us."
    )

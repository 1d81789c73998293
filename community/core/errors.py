"""Domain errors raised by services, and the handlers that turn them into responses."""

from __future__ import annotations

import datetime as dt
import logging
import math
import time

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from community.extensions import db, limiter

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused the operation; ``status`` is its HTTP meaning."""

    status = 400
    code = "invalid"
    headers: tuple[tuple[str, str], ...] = ()

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 400
    code = "invalid_input"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    """Over a rate limit: 429, with ``Retry-After`` in whole seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, seconds: int) -> None:
        super().__init__(message)
        self.headers = (("Retry-After", str(seconds)),)


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def error_response(
    status: int, code: str, message: str, headers=None, field: str | None = None
) -> Response:
    """One error, as JSON for the API and as a friendly page otherwise."""
    if wants_json():
        error = {"code": code, "message": message}
        if field:
            error["field"] = field
        response = jsonify({"error": error})
    else:
        template = f"errors/{status}.html" if status in (400, 403, 404, 409, 429) else None
        html = render_template(template or "errors/generic.html", status=status, message=message)
        response = Response(html, mimetype="text/html")
    response.status_code = status
    if headers:
        for name, value in headers:
            response.headers[name] = value
    return response


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


def _http_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Please log in to continue."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist."),
        405: _("This action is not available here."),
        409: _("This conflicts with the current state. Please reload and try again."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait and try again later."),
    }
    return messages.get(status, _("Something went wrong."))


def retry_after() -> int | None:
    """In how many seconds the Flask-Limiter limit this request ran into (the login and
    sign-up limits) lets the client try again; None outside a limited request."""
    current = limiter.current_limit
    if current is None or not current.breached:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))


def in_seconds(seconds: int) -> str:
    """A wait in the reader's language ("in 42 seconds")."""
    return format_timedelta(dt.timedelta(seconds=seconds), add_direction=True, threshold=1.0)


def _rate_limited_message(description: str) -> str:
    seconds = retry_after()
    if seconds is None:
        return _("Too many attempts (%(limit)s). Please try again later.", limit=description)
    return _(
        "Too many attempts (%(limit)s). Please try again %(when)s.",
        limit=description,
        when=in_seconds(seconds),
    )


def register_error_handlers(app: Flask) -> None:
    """DomainError and HTTP errors become 4xx pages or JSON; anything else a plain 500."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        return error_response(
            error.status, error.code, error.message, error.headers, field=error.field
        )

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        message = _("The form has expired or did not come from this site. Please try again.")
        return error_response(400, "csrf_failed", message)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            return handle_unexpected(error)
        message = _http_message(status)
        description = getattr(error, "description", None)
        if status == 429 and description:
            message = _rate_limited_message(description)
        headers = [
            (k, v)
            for k, v in error.get_headers()
            if k.lower() not in ("content-type", "content-length")
        ]
        seconds = retry_after() if status == 429 else None
        if seconds is not None:
            headers.append(("Retry-After", str(seconds)))
        return error_response(status, _HTTP_CODES.get(status, "error"), message, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise error
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "server_error", _("Something went wrong on our side."))

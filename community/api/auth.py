"""Who is calling the API: a bearer token, or the browser session (then CSRF applies)."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts import services as accounts
from community.accounts.models import User
from community.core.errors import DomainError, PermissionDenied


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    headers = (("WWW-Authenticate", 'Bearer realm="mitmach"'),)


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, if one is sent."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def is_token_request() -> bool:
    """Whether this API request authenticates by token (and so is exempt from CSRF)."""
    return request.path.startswith("/api/") and bearer_token() is not None


def api_user() -> User:
    """The calling user; a sent token is the only credential looked at."""
    if "api_user" in g:
        return g.api_user
    if "Authorization" in request.headers:
        token = bearer_token()
        user = accounts.token_owner(token) if token else None
        if user is None or user.is_erased:
            raise Unauthorized(_("The API token is missing, invalid, expired or revoked."))
        if user.is_suspended:
            raise PermissionDenied(accounts.suspension_message(user))
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    else:
        raise Unauthorized(_("Send an API token: Authorization: Bearer <token>."))
    g.api_user = user
    return user


def reader() -> Any:
    """Who is reading a public endpoint: the token's or the session's user, else the
    anonymous visitor. No token is needed, but a token that is sent must be valid."""
    if "Authorization" in request.headers or current_user.is_authenticated:
        return api_user()
    return current_user

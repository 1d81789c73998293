"""Personal API tokens: shown once, stored hashed, expiring and revocable."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from community.accounts.models import ApiToken, User
from community.core.db import UTCDateTime, utcnow
from community.core.errors import InvalidInput, NotFound
from community.extensions import db

TOKEN_NAME_MAX = 64
_OWNERS = "mitmach.token_owners"


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal API token; the secret is returned once and only its hash is kept."""
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(_("Give the token a name of up to 64 characters."), field="name")
    days = days or current_app.config["API_TOKEN_DAYS"]
    if not 1 <= days <= 3650:
        raise InvalidInput(_("Choose between 1 and 3650 days."), field="days")
    secret = "mm_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_token_digest(secret),
        prefix=secret[:10],
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(stmt))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's is NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def token_owner(secret: str) -> User | None:
    """The owner of a usable (unexpired, unrevoked) token, whatever the account's state,
    or None; the API tells a suspended owner why instead of "invalid token". Looked up
    once per request (the rate limiter and the API both ask)."""
    if not secret.startswith("mm_"):
        return None
    # Kept in the WSGI environ: per request, also where one app context spans many.
    known = request.environ.setdefault(_OWNERS, {}) if has_request_context() else {}
    if secret not in known:
        params = {"digest": _token_digest(secret), "now": utcnow()}
        known[secret] = db.session.scalar(_owner_query(), params)
    return known[secret]


@functools.cache
def _owner_query() -> Any:
    """The owner of the token whose hash is bound as ``digest`` if it is usable at
    ``now`` (one query, built once: every API request asks it)."""
    return (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == bindparam("digest"),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > bindparam("now", type_=UTCDateTime()),
        )
    )


def user_for_token(secret: str) -> User | None:
    """The active user of a usable token, or None."""
    user = token_owner(secret)
    return user if user is not None and user.is_active else None

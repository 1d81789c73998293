"""An account's data: export everything, erase for good (anonymised, counts kept), and
take back what a sock-puppet account's votes gave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community.accounts.models import ApiToken, Role, User
from community.accounts.passwords import (
    verify_password,
)
from community.accounts.services.auth import end_sessions
from community.accounts.services.tokens import list_tokens
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput
from community.extensions import db

# ---------------------------------------------------------------- export and erasure

# Features register what they hold about a user: name -> function(user) -> JSON data.
_exporters: dict[str, Callable[[User], Any]] = {}
# And what erasure must do to their rows (anonymise, fix counts): function(user) -> None.
_erasers: list[Callable[[User], None]] = []


def register_exporter(name: str, export: Callable[[User], Any]) -> None:
    """Include ``export(user)`` under ``name`` in every account export."""
    _exporters[name] = export


def register_eraser(erase: Callable[[User], None]) -> None:
    """Run ``erase(user)`` in the transaction that erases an account."""
    if erase not in _erasers:
        _erasers.append(erase)


# What the reputation its votes gave must do when an account turns out to be a sock
# puppet: function(user) -> how many votes were reversed. Reputation registers it, so
# accounts and moderation need not import reputation.
_vote_reversers: list[Callable[[User], int]] = []


def register_vote_reverser(reverse: Callable[[User], int]) -> None:
    """Run ``reverse(user)`` when an account's votes are taken back (sock puppets)."""
    if reverse not in _vote_reversers:
        _vote_reversers.append(reverse)


def reverse_votes_of(user: User) -> int:
    """Take back the reputation every vote this account cast gave; returns how many votes
    were reversed (none twice)."""
    return sum(reverse(user) for reverse in _vote_reversers)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(user: User) -> dict[str, Any]:
    """Everything Mitmach holds about the user, as JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "id": user.id,
            "username": user.username,
            "email": user.email,
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "display_name": user.display_name,
            "bio": user.bio_source,
            "profile_hidden_reason": user.profile_hidden_reason,
            "role": user.role,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
        },
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "expires_at": _iso(t.expires_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in list_tokens(user)
        ],
    }
    for name, export in sorted(_exporters.items()):
        data[name] = export(user)
    data["exported_at"] = utcnow().isoformat()
    return data


def erase_account(user: User, password: str) -> None:
    """Anonymise the account for good; what the user wrote stays, counts stay right."""
    if not verify_password(user.password_hash, password):
        raise InvalidInput(_("This is not your current password."), field="password")
    if user.is_admin and _admin_count() <= 1:
        raise Conflict(_("The last administrator cannot erase their account."))
    anonymise(user)


def anonymise(user: User) -> None:
    """Strip personal data, revoke tokens and let every feature anonymise its rows."""
    for erase in _erasers:
        erase(user)
    now = utcnow()
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    user.username = f"deleted-{user.id}"
    user.username_key = f"deleted-{user.id}"
    user.email = f"deleted-{user.id}@invalid.invalid"
    user.display_name = ""
    user.bio_source = ""
    user.bio_html = ""
    user.profile_hidden_at = None
    user.profile_hidden_reason = None
    user.password_hash = "!"  # noqa: S105 - matches no password
    user.email_confirmed_at = None
    user.locale = None
    user.role = Role.MEMBER.value
    user.erased_at = now
    end_sessions(user)


def _admin_count() -> int:
    stmt = select(func.count(User.id)).where(User.role == Role.ADMIN, User.erased_at.is_(None))
    return db.session.scalar(stmt) or 0

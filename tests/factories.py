"""Test data through the real services: ``make_user(**overrides)``."""

from __future__ import annotations

import itertools
from typing import Any

from community.accounts import services as accounts
from community.accounts.models import Role, User
from community.extensions import db

PASSWORD = "correct horse battery"  # noqa: S105
_seq = itertools.count(1)


def make_user(**overrides: Any) -> User:
    """A confirmed member (or the role given) with the test password."""
    n = next(_seq)
    username = overrides.pop("username", f"user{n}")
    user = accounts.create_user(
        username,
        overrides.pop("email", f"{username.lower()}@example.com"),
        overrides.pop("password", PASSWORD),
        role=Role(overrides.pop("role", "member")),
        confirmed=overrides.pop("confirmed", True),
    )
    for key, value in overrides.items():
        setattr(user, key, value)
    db.session.flush()
    return user

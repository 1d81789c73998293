"""Reading penalties: a member's own, the team's view of a member's history; how
notifications link to a penalty and who may see it; the account export."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.accounts import services as accounts
from community.accounts.models import User
from community.core import subjects
from community.core.errors import PermissionDenied
from community.extensions import db
from community.moderation import policy
from community.moderation.models import Penalty

# ---------------------------------------------------------------- reading


def history(viewer: Any, user: User) -> list[Penalty]:
    """The member's penalties, newest first, with who gave them (the team only)."""
    if not policy.can_view_penalties(viewer):
        raise PermissionDenied(_("Only the team can see a member's penalties."))
    return _penalties_of(user, with_actor=True)


def own_penalties(user: User) -> list[Penalty]:
    """The member's own penalties, newest first (without who gave them: "the team")."""
    return _penalties_of(user, with_actor=False)


def _penalties_of(user: User, with_actor: bool) -> list[Penalty]:
    stmt = select(Penalty).where(Penalty.user_id == user.id).order_by(Penalty.id.desc())
    if with_actor:
        stmt = stmt.options(selectinload(Penalty.actor))
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- registries


def _penalty_urls(ids: set[int]) -> dict[int, str]:
    return {i: url_for("moderation.my_penalties", _anchor=f"penalty-{i}") for i in ids}


def _penalty_visible(viewer: Any, ids: set[int]) -> set[int]:
    if not getattr(viewer, "is_authenticated", False):
        return set()
    if viewer.is_team:
        return set(ids)
    return set(
        db.session.scalars(
            select(Penalty.id).where(Penalty.id.in_(ids), Penalty.user_id == viewer.id)
        )
    )


def _export(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Penalty).where(Penalty.user_id == user.id).order_by(Penalty.id)
    )
    return [
        {
            "kind": p.kind,
            "reason": p.reason,
            "created_at": p.created_at.isoformat(),
            "ends_at": p.ends_at.isoformat() if p.ends_at else None,
            "acknowledged_at": p.acknowledged_at.isoformat() if p.acknowledged_at else None,
            "lifted_at": p.lifted_at.isoformat() if p.lifted_at else None,
        }
        for p in rows
    ]


subjects.register("penalty", _penalty_urls, _penalty_visible)
accounts.register_exporter("penalties", _export)

"""The reactions on offer: the list members pick from, and the administrators' changes
to it (new reactions, labels, emoji, kind, availability, order; audited)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums import policy
from community.forums.models import ReactionType
from community.moderation.services import audit

NAME_RE = re.compile(r"[a-z0-9_]{1,30}")
LABEL_MAX = 64
EMOJI_MAX = 16


def reaction_types(active_only: bool = True) -> list[ReactionType]:
    """The reactions on offer (or all of them), in their admin-given order."""
    stmt = select(ReactionType).order_by(ReactionType.position, ReactionType.name)
    if active_only:
        stmt = stmt.where(ReactionType.is_active.is_(True))
    return list(db.session.scalars(stmt))


def _check_admin(actor: Any) -> None:
    if not policy.can_manage_reactions(actor):
        raise PermissionDenied(_("Only administrators can manage reactions."))


def _check_text(value: Any, field: str, limit: int) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        raise InvalidInput(_("Please write something."), field=field)
    if len(value) > limit:
        raise InvalidInput(_("At most %(n)d characters.", n=limit), field=field)
    return value


def create_reaction_type(
    actor: User, name: str, label: str, emoji: str, is_positive: bool = True
) -> ReactionType:
    """A new active reaction, offered after the existing ones (admin only, audited)."""
    _check_admin(actor)
    name = (name or "").strip()
    if not NAME_RE.fullmatch(name):
        raise InvalidInput(
            _("1 to 30 characters: lower-case letters, digits and _ only."), field="name"
        )
    label = _check_text(label, "label", LABEL_MAX)
    emoji = _check_text(emoji, "emoji", EMOJI_MAX)
    position = (db.session.scalar(select(func.max(ReactionType.position))) or 0) + 1
    reaction_type = ReactionType(
        name=name,
        label=label,
        emoji=emoji,
        is_positive=bool(is_positive),
        is_active=True,
        position=position,
    )
    try:
        with db.session.begin_nested():
            db.session.add(reaction_type)
    except IntegrityError as exc:
        raise Conflict(_("This reaction exists already."), field="name") from exc
    audit(
        actor,
        "forum.reaction_type.create",
        None,
        {"name": name, "label": label, "emoji": emoji, "is_positive": bool(is_positive)},
    )
    return reaction_type


def update_reaction_type(
    actor: User,
    name: str,
    label: str,
    emoji: str,
    is_positive: bool,
    is_active: bool,
    position: int,
) -> ReactionType:
    """Change a reaction's label, emoji, kind, availability or place (admin only,
    audited). Kudos already given stay as they are."""
    _check_admin(actor)
    reaction_type = db.session.get(ReactionType, name) if isinstance(name, str) else None
    if reaction_type is None:
        raise NotFound(_("There is no such reaction."))
    label = _check_text(label, "label", LABEL_MAX)
    emoji = _check_text(emoji, "emoji", EMOJI_MAX)
    try:
        position = int(position)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("Please enter a whole number."), field="position") from exc
    changes: dict[str, Any] = {}
    for field, value in (
        ("label", label),
        ("emoji", emoji),
        ("is_positive", bool(is_positive)),
        ("is_active", bool(is_active)),
        ("position", position),
    ):
        old = getattr(reaction_type, field)
        if old != value:
            changes[field] = [old, value]
            setattr(reaction_type, field, value)
    if changes:
        db.session.flush()
        audit(actor, "forum.reaction_type.update", None, {"name": name, **changes})
    return reaction_type

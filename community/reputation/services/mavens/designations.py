"""Monthly Market Maven designations per category, and the perks they bring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.core.db import utcnow
from community.extensions import db
from community.notifications.services import notify
from community.reputation.models import (
    MavenDesignation,
    MavenScore,
)
from community.reputation.models.ledger import NO_CATEGORY
from community.reputation.services.badges import award_if_missing
from community.reputation.services.ledger import category_of
from community.reputation.services.mavens.boards import (
    PERKS,
    Category,
    _on_boards,
    category_labels,
)
from community.reputation.services.mavens.score import compute_scores, members_to_score

# ---------------------------------------------------------------- designations


@dataclass
class DesignationReport:
    month: dt.date
    scored: int = 0
    granted: int = 0
    renewed: int = 0
    kept: int = 0
    revoked: int = 0

    def summary(self) -> str:
        return (
            f"Market Mavens for {self.month:%Y-%m}: {self.scored} members scored, "
            f"{self.granted} granted, {self.renewed} renewed, {self.kept} already held, "
            f"{self.revoked} revoked"
        )


def designate_mavens(
    now: dt.datetime | None = None, per_category: int | None = None
) -> DesignationReport:
    """Recompute the scores of members with activity, then make each category's top
    members by maven score (``MAVENS_PER_CATEGORY``, default 3) its Market Mavens for this
    month and revoke the designations that were not renewed, notifying each member.
    Idempotent: run again with the same ledger, it changes nothing."""
    now = now or utcnow()
    month = now.date().replace(day=1)
    if per_category is None:
        per_category = int(current_app.config.get("MAVENS_PER_CATEGORY", 3))
    report = DesignationReport(month)
    report.scored = compute_scores(members_to_score(), now)
    target = _top_per_category(per_category, now)
    d = MavenDesignation
    live = {
        (user_id, kind, category_id): latest
        for user_id, kind, category_id, latest in db.session.execute(
            select(d.user_id, d.category_type, d.category_id, func.max(d.month))
            .where(d.revoked_at.is_(None))
            .group_by(d.user_id, d.category_type, d.category_id)
        )
    }
    news: list[tuple[tuple[int, str, int], str]] = []
    for key in sorted(target):
        latest = live.get(key)
        if latest is not None and latest >= month:
            report.kept += 1
            continue
        if not _grant(key, month, now):
            report.kept += 1  # a concurrent run granted it
            continue
        if latest is None:
            report.granted += 1
            news.append((key, "granted"))
        else:
            report.renewed += 1
            news.append((key, "renewed"))
    for key in sorted(set(live) - target):
        user_id, kind, category_id = key
        db.session.execute(
            update(d)
            .where(
                d.user_id == user_id,
                d.category_type == kind,
                d.category_id == category_id,
                d.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        report.revoked += 1
        news.append((key, "revoked"))
    _tell_members(news, month)
    return report


def _grant(key: tuple[int, str, int], month: dt.date, now: dt.datetime) -> bool:
    user_id, kind, category_id = key
    designation = MavenDesignation(
        user_id=user_id, category_type=kind, category_id=category_id, month=month, granted_at=now
    )
    try:
        with db.session.begin_nested():
            db.session.add(designation)
    except IntegrityError:
        return False
    return True


def _tell_members(news: list[tuple[tuple[int, str, int], str]], month: dt.date) -> None:
    """Notify each member of the designations they gained, kept or lost, in their language."""
    if not news:
        return
    users = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_({user_id for (user_id, _k, _i), _what in news}))
        )
    }
    default_locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    for (user_id, kind, category_id), what in news:
        user = users[user_id]
        category = (kind, category_id)
        with force_locale(user.locale or default_locale):
            label = category_labels(user, [category])[category] or _(
                "%(kind)s #%(id)d", kind=kind, id=category_id
            )
            when = format_date(month, "MMMM yyyy")
            if what == "granted":
                award_if_missing(user, "market_maven", f"Market Maven of {label}, {when}")
                text = _(
                    "You are a Market Maven of %(category)s for %(month)s: your contributions "
                    "help other members most. Maven perks are yours.",
                    category=label,
                    month=when,
                )
            elif what == "renewed":
                text = _(
                    "You remain a Market Maven of %(category)s for %(month)s.",
                    category=label,
                    month=when,
                )
            else:
                text = _(
                    "You are no longer a Market Maven of %(category)s; its maven perks end.",
                    category=label,
                )
        notify(user, "maven", user, text)


def _top_per_category(n: int, now: dt.datetime) -> set[tuple[int, str, int]]:
    """The top ``n`` members by maven score in each category (members only: no team,
    erased or suspended accounts), ties broken by who joined first."""
    position = (
        func.row_number()
        .over(
            partition_by=(MavenScore.category_type, MavenScore.category_id),
            order_by=(MavenScore.score.desc(), MavenScore.user_id),
        )
        .label("position")
    )
    ranked = (
        select(MavenScore.user_id, MavenScore.category_type, MavenScore.category_id, position)
        .join(User, User.id == MavenScore.user_id)
        .where(
            MavenScore.category_type != NO_CATEGORY[0],
            MavenScore.score > 0,
            *_on_boards(),
            or_(User.suspended_until.is_(None), User.suspended_until <= now),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.user_id, ranked.c.category_type, ranked.c.category_id).where(
            ranked.c.position <= n
        )
    )
    return {(u, t, i) for u, t, i in rows}


# ---------------------------------------------------------------- perks and profiles


def is_maven(user: Any, category: Any = None) -> bool:
    """Whether the member holds a live Market Maven designation, in ``category`` (a model
    instance or ``(type, id)``) or, without one, in any category."""
    if not getattr(user, "is_authenticated", False) or user.is_erased:
        return False
    d = MavenDesignation
    stmt = select(d.id).where(d.user_id == user.id, d.revoked_at.is_(None))
    if category is not None:
        kind, category_id = category_of(category)
        stmt = stmt.where(d.category_type == kind, d.category_id == category_id)
    return db.session.scalar(stmt.limit(1)) is not None


def has_perk(user: Any, perk: str) -> bool:
    """Whether the user enjoys a maven perk (``early_access``, ``mavens_forum``): live
    Market Mavens do, and so does the team that runs them; suspended accounts do not."""
    if perk not in PERKS:
        raise KeyError(f"unknown maven perk {perk!r}; add it to PERKS in services/mavens.py")
    if not getattr(user, "is_authenticated", False) or user.is_erased or user.is_suspended:
        return False
    return bool(user.is_team) or is_maven(user)


def mavens_among(user_ids: Iterable[int], category: Any = None) -> set[int]:
    """Which of these members are live Market Mavens (in ``category``): one query, for
    lists that mark mavens."""
    ids = set(user_ids)
    if not ids:
        return set()
    d = MavenDesignation
    stmt = select(d.user_id).distinct().where(d.user_id.in_(ids), d.revoked_at.is_(None))
    if category is not None:
        kind, category_id = category_of(category)
        stmt = stmt.where(d.category_type == kind, d.category_id == category_id)
    return set(db.session.scalars(stmt))


@dataclass(frozen=True)
class Held:
    category: Category
    label: str
    since: dt.date


def held_designations(user: User, viewer: Any) -> list[Held]:
    """The categories the member is a live Market Maven of, since when (the first month of
    the unbroken run), that the viewer may see."""
    d = MavenDesignation
    rows = db.session.execute(
        select(d.category_type, d.category_id, func.min(d.month))
        .where(d.user_id == user.id, d.revoked_at.is_(None))
        .group_by(d.category_type, d.category_id)
        .order_by(d.category_type, d.category_id)
    ).all()
    labels = category_labels(viewer, [(kind, category_id) for kind, category_id, _m in rows])
    return [
        Held((kind, category_id), labels[(kind, category_id)], since)
        for kind, category_id, since in rows
        if labels[(kind, category_id)] is not None
    ]


def current_mavens(category: Category) -> list[User]:
    """The live Market Mavens of one category, by name."""
    d = MavenDesignation
    holders = select(d.user_id).where(
        d.category_type == category[0], d.category_id == category[1], d.revoked_at.is_(None)
    )
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(holders), User.erased_at.is_(None))
            .order_by(User.username_key)
        )
    )


def overall_score(user: User) -> MavenScore | None:
    """The member's stored overall maven score with its components, if computed."""
    return db.session.scalar(
        select(MavenScore)
        .where(
            MavenScore.user_id == user.id,
            MavenScore.category_type == NO_CATEGORY[0],
            MavenScore.category_id == NO_CATEGORY[1],
        )
        .execution_options(populate_existing=True)
    )

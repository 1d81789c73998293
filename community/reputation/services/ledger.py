"""The ledger: record and reverse reputation, keeping every stored total exact.

Every change is an appended event; totals (the user's, per category, per day) move by SQL
arithmetic in the same transaction, so concurrent awards never lose an update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.core import subjects
from community.core.db import add_to_counter, dialect_insert, utcnow
from community.extensions import db
from community.reputation.models import (
    CategoryReputation,
    DailyReputation,
    ReputationDay,
    ReputationEvent,
    standing,
)
from community.reputation.models.ledger import NO_CATEGORY
from community.reputation.rules import DAILY_CAP, rule
from community.reputation.services import badges

Category = tuple[str, int]


def category_of(category: Any) -> Category:
    """The stored ``(type, id)`` of a product or forum category (or of none)."""
    if category is None:
        return NO_CATEGORY
    if isinstance(category, tuple):
        return category
    kind, category_id = subjects.ref(category)
    return kind or "", category_id or 0


def record(
    user: User,
    reason: str,
    subject: Any,
    actor: User | None,
    category: Any = None,
    points: int | None = None,
) -> ReputationEvent | None:
    """Append an award by rule ``reason`` and move the stored totals with it.

    The rule's points apply unless ``points`` overrides them. Votes a member casts on
    their own work earn nothing (no event). Capped rules respect the daily cap: what is
    over it is recorded with 0 points, so the history explains it.
    """
    the_rule = rule(reason)
    if the_rule.vote and actor is not None and actor.id == user.id:
        return None
    requested = the_rule.points if points is None else points
    today = utcnow().date()
    granted = requested
    if the_rule.capped and requested > 0:
        granted = _take_from_daily_cap(user.id, today, requested)
    subject_type, subject_id = subjects.ref(subject)
    category_type, category_id = category_of(category)
    event = ReputationEvent(
        user_id=user.id,
        reason=reason,
        requested=requested,
        points=granted,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor.id if actor is not None else None,
        category_type=category_type,
        category_id=category_id,
        day=today,
    )
    db.session.add(event)
    db.session.flush()
    _move_totals(user.id, granted, today, (category_type, category_id))
    badges.after_event(user, event)
    return event


def _take_from_daily_cap(user_id: int, day: dt.date, requested: int) -> int:
    """Book ``requested`` capped points for the day; returns how many fit under the cap.

    One upsert decides it: concurrent awards are serialised by the row lock, and each
    reads back what it was granted.
    """
    table = ReputationDay.__table__
    first = min(requested, DAILY_CAP)
    insert = dialect_insert(table).values(
        user_id=user_id, day=day, capped_points=first, last_grant=first
    )
    over = table.c.capped_points + requested > DAILY_CAP
    stmt = insert.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.day],
        set_={
            "last_grant": case((over, DAILY_CAP - table.c.capped_points), else_=requested),
            "capped_points": case((over, DAILY_CAP), else_=table.c.capped_points + requested),
        },
    ).returning(table.c.last_grant)
    return db.session.execute(stmt).scalar_one()


def _move_totals(user_id: int, delta: int, day: dt.date, category: Category) -> None:
    if delta == 0:
        return
    db.session.execute(
        update(User).where(User.id == user_id).values(reputation=User.reputation + delta)
    )
    category_type, category_id = category
    if category != NO_CATEGORY:
        add_to_counter(
            CategoryReputation,
            "points",
            delta,
            user_id=user_id,
            category_type=category_type,
            category_id=category_id,
        )
    add_to_counter(
        DailyReputation,
        "points",
        delta,
        user_id=user_id,
        day=day,
        category_type=category_type,
        category_id=category_id,
    )


def _unreversed():
    return select(ReputationEvent).where(standing())


def reverse(
    subject: Any, reason: str, actor: User | None = None, by: User | None = None
) -> list[ReputationEvent]:
    """Cancel the standing awards for ``subject`` by rule ``reason`` (only those caused by
    ``actor`` when given) with opposite events; returns the reversals appended."""
    subject_type, subject_id = subjects.ref(subject)
    stmt = _unreversed().where(
        ReputationEvent.subject_type == subject_type,
        ReputationEvent.subject_id == subject_id,
        ReputationEvent.reason == reason,
    )
    if actor is not None:
        stmt = stmt.where(ReputationEvent.actor_id == actor.id)
    reversals = []
    for event in db.session.scalars(stmt.order_by(ReputationEvent.id)).all():
        reversal = reverse_event(event, by=by)
        if reversal is not None:
            reversals.append(reversal)
    return reversals


def reverse_event(
    event: ReputationEvent, reason: str | None = None, by: User | None = None
) -> ReputationEvent | None:
    """Append the opposite of one event (once: a second reversal returns None)."""
    reversal = ReputationEvent(
        user_id=event.user_id,
        reason=reason or event.reason,
        requested=-event.requested,
        points=-event.points,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        actor_id=by.id if by is not None else event.actor_id,
        category_type=event.category_type,
        category_id=event.category_id,
        day=utcnow().date(),
        reverses_id=event.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(reversal)
    except IntegrityError:
        return None  # reversed concurrently by someone else
    _move_totals(
        event.user_id, reversal.points, reversal.day, (event.category_type, event.category_id)
    )
    return reversal

"""The ledger: record and reverse reputation, keeping every stored total exact.

Every change is an appended event; totals (the user's, per category, per day) move by SQL
arithmetic in the same transaction, so concurrent awards never lose an update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, insert, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from community.accounts.models import User
from community.core import subjects
from community.core.db import counter_move, dialect_insert, utcnow, write_together
from community.extensions import db
from community.reputation.models import (
    CategoryReputation,
    DailyReputation,
    ReputationDay,
    ReputationEvent,
    standing,
)
from community.reputation.models.ledger import NO_CATEGORY
from community.reputation.models.periods import period_moves
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
    event = _append(
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
        reverses_id=None,
    )
    badges.after_event(user, event)
    return event


def _append(**values: Any) -> ReputationEvent:
    """Insert an award and move the stored totals with it, in one round trip where the
    database allows (``write_together``); returns the event, attached without a query."""
    values["created_at"] = utcnow()
    table = ReputationEvent.__table__
    event_id = write_together(
        *_total_moves(values["user_id"], values["points"], values["day"], _category(values)),
        insert(table).values(**values).returning(table.c.id),
    ).scalar_one()
    _forget_stored_reputation(values["user_id"], values["points"])
    return _attached(ReputationEvent(id=event_id, **values))


def _attached(event: ReputationEvent) -> ReputationEvent:
    make_transient_to_detached(event)  # the row exists: attach it without a query
    db.session.add(event)
    return event


def _category(values: dict[str, Any]) -> Category:
    return values["category_type"], values["category_id"]


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


def _total_moves(user_id: int, delta: int, day: dt.date, category: Category) -> list[Any]:
    """The statements that move a member's stored totals by ``delta``: their reputation,
    their points in the category, the day's roll-up and the week's, month's, year's and
    all time's (nothing for 0 points)."""
    if delta == 0:
        return []
    category_type, category_id = category
    moves = [update(User).where(User.id == user_id).values(reputation=User.reputation + delta)]
    if category != NO_CATEGORY:
        moves.append(
            counter_move(
                CategoryReputation,
                "points",
                delta,
                user_id=user_id,
                category_type=category_type,
                category_id=category_id,
            )
        )
    moves.append(
        counter_move(
            DailyReputation,
            "points",
            delta,
            user_id=user_id,
            day=day,
            category_type=category_type,
            category_id=category_id,
        )
    )
    moves.extend(period_moves(user_id, delta, day, category))  # the boards' roll-ups
    return moves


def _forget_stored_reputation(user_id: int, delta: int) -> None:
    """A loaded member's ``reputation`` is read again when next used (it just moved in
    the database, outside the session's view)."""
    user = db.session.identity_map.get(identity_key(User, user_id))
    if user is not None and delta:
        db.session.expire(user, ["reputation"])


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
    table = ReputationEvent.__table__
    values = {
        "user_id": event.user_id,
        "reason": reason or event.reason,
        "requested": -event.requested,
        "points": -event.points,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "actor_id": by.id if by is not None else event.actor_id,
        "category_type": event.category_type,
        "category_id": event.category_id,
        "day": utcnow().date(),
        "created_at": utcnow(),
        "reverses_id": event.id,
    }
    # reverses_id is unique: a concurrent reversal of the same event makes this a no-op.
    reversal_id = db.session.execute(
        dialect_insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    ).scalar()
    if reversal_id is None:
        return None
    write_together(*_total_moves(event.user_id, values["points"], values["day"], _category(values)))
    _forget_stored_reputation(event.user_id, values["points"])
    return _attached(ReputationEvent(id=reversal_id, **values))

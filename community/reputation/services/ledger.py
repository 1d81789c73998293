"""The ledger: record and reverse reputation, keeping every stored total exact.

Every change is an appended event; totals (the user's, per category, per day) move by SQL
arithmetic in the same transaction, so concurrent awards never lose an update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, String, bindparam, func, insert, select, true, update
from sqlalchemy.orm import make_transient_to_detached

from community.accounts.models import User
from community.core import subjects
from community.core.db import (
    BigId,
    counter_move,
    dialect_insert,
    dialect_name,
    expire_loaded,
    prepared,
    run_together,
    together,
    utcnow,
)
from community.extensions import db
from community.reputation.models import (
    CategoryReputation,
    DailyReputation,
    ReputationDay,
    ReputationEvent,
    standing,
)
from community.reputation.models.ledger import NO_CATEGORY
from community.reputation.models.periods import (
    PERIOD_KINDS,
    period_moves,
    period_starts,
)
from community.reputation.rules import DAILY_CAP, rule
from community.reputation.services import badge_rules

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
    """Append an award by rule ``reason`` and move the stored totals with it; award the
    badges it earns.

    The rule's points apply unless ``points`` overrides them. Votes a member casts on
    their own work earn nothing (no event). Capped rules respect the daily cap: what is
    over it is recorded with 0 points, so the history explains it.
    """
    the_rule = rule(reason)
    if the_rule.vote and actor is not None and actor.id == user.id:
        return None
    requested = the_rule.points if points is None else points
    subject_type, subject_id = subjects.ref(subject)
    category_type, category_id = category_of(category)
    values = {
        "user_id": user.id,
        "reason": reason,
        "requested": requested,
        "points": requested,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "actor_id": actor.id if actor is not None else None,
        "category_type": category_type,
        "category_id": category_id,
        "day": utcnow().date(),
        "created_at": utcnow(),
        "reverses_id": None,
    }
    capped = the_rule.capped and requested > 0
    if dialect_name() == "postgresql":
        candidates = badge_rules.candidates_for(user, reason)
        event, rule_state = _award_in_one_statement(values, capped, candidates)
        badge_rules.award_earned(user, candidates, rule_state, event_counted=False)
    else:
        if capped:
            values["points"] = _take_from_daily_cap(user.id, values["day"], requested)
        event = _append(**values)
        badge_rules.after_event(user, event)
    return event


def _award_in_one_statement(
    values: dict[str, Any], capped: bool, candidates: tuple[Any, ...]
) -> tuple[ReputationEvent, list[tuple[str, int]]]:
    """PostgreSQL: the daily cap, the event, the totals' moves and the member's badge
    rule state (read before the event) in one statement; returns the event, attached,
    and the rule state's rows."""
    category = _category(values)
    params = {f"e_{column}": value for column, value in values.items()}
    totals = _CAPPED if capped else _MOVED if values["points"] else _UNMOVED
    if totals != _UNMOVED:
        params.update(_total_params(values["user_id"], values["points"], values["day"], category))
    if capped:
        params.update(_cap_params(values["user_id"], values["day"], values["requested"]))
    keys = tuple(badge.key for badge in candidates)
    if keys:
        params["b_user"] = values["user_id"]
    rows = run_together(_award_writes(totals, category != NO_CATEGORY, keys), params).all()
    values["points"] = rows[0][1]
    _forget_stored_reputation(values["user_id"], values["points"])
    event = _attached(ReputationEvent(id=rows[0][0], **values))
    return event, [(row[2], row[3]) for row in rows if keys and row[2] is not None]


def _append(**values: Any) -> ReputationEvent:
    """Insert an award and move the stored totals with it (see ``_append_writes``);
    returns the event, attached without a query."""
    category = _category(values)
    points = values["points"]
    params = {f"e_{column}": value for column, value in values.items()}
    if points:
        params.update(_total_params(values["user_id"], points, values["day"], category))
    writes = _append_writes(bool(points), category != NO_CATEGORY)
    event_id = run_together(writes, params).scalar_one()
    _forget_stored_reputation(values["user_id"], points)
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
    params = _cap_params(user_id, day, requested)
    return db.session.execute(_daily_cap_write(), params).scalar_one()


def _cap_params(user_id: int, day: dt.date, requested: int) -> dict[str, Any]:
    return {
        "c_user": user_id,
        "c_day": day,
        "c_wanted": requested,
        "c_first": min(requested, DAILY_CAP),
    }


@prepared
def _daily_cap_write() -> Any:
    """The day's capped points booked (the ``c_...`` parameters), returning the grant."""
    table = ReputationDay.__table__
    wanted = bindparam("c_wanted", type_=Integer())
    first = bindparam("c_first", type_=Integer())
    insert = dialect_insert(table).values(
        user_id=bindparam("c_user", type_=BigId),
        day=bindparam("c_day", type_=Date()),
        capped_points=first,
        last_grant=first,
    )
    least = func.least if dialect_name() == "postgresql" else func.min  # SQLite's min(a, b)
    return insert.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.day],
        set_={
            "last_grant": least(wanted, DAILY_CAP - table.c.capped_points),
            "capped_points": least(table.c.capped_points + wanted, DAILY_CAP),
        },
    ).returning(table.c.last_grant)


# ---------------------------------------------------------------- prepared writes
# Each award writes the same statements with other values: they are built once
# (``prepared``) from bound parameters named ``e_<column>`` (the event) and ``t_...``
# (the totals), which ``_total_params`` fills.


def _total_params(user_id: int, delta: int, day: dt.date, category: Category) -> dict[str, Any]:
    params = {"t_user": user_id, "t_delta": delta, "t_day": day}
    params["t_ctype"], params["t_cid"] = category
    params.update({f"t_{period}": start for period, start in period_starts(day).items()})
    return params


def _total_moves(with_category: bool, granted: Any = None) -> list[Any]:
    """The statements that move a member's stored totals by the parameter ``t_delta``
    or, for a capped award on PostgreSQL, by ``granted`` (the daily cap's CTE column:
    nothing moves when it is 0): their reputation, their points in the category
    (``with_category``), the day's roll-up and the week's, month's, year's and all
    time's, overall and in the category."""
    user_id = bindparam("t_user", type_=BigId)
    delta, when = bindparam("t_delta", type_=Integer()), None
    category = (bindparam("t_ctype", type_=String()), bindparam("t_cid", type_=BigId))
    users = User.__table__
    reputation = update(users).where(users.c.id == user_id)
    if granted is None:
        moves = [reputation.values(reputation=users.c.reputation + delta)]
    else:
        delta, when = granted, granted != 0
        # The UPDATE reads the grant through a subquery: FROM the CTE would be a cartesian
        # product (one row, but SQLAlchemy warns of it).
        amount = select(granted).scalar_subquery()
        moves = [reputation.where(amount != 0).values(reputation=users.c.reputation + amount)]
    if with_category:
        moves.append(
            counter_move(
                CategoryReputation,
                "points",
                delta,
                when,
                user_id=user_id,
                category_type=category[0],
                category_id=category[1],
            )
        )
    moves.append(
        counter_move(
            DailyReputation,
            "points",
            delta,
            when,
            user_id=user_id,
            day=bindparam("t_day", type_=Date()),
            category_type=category[0],
            category_id=category[1],
        )
    )
    starts = {period: bindparam(f"t_{period}", type_=Date()) for period in PERIOD_KINDS}
    # The boards' roll-ups:
    moves.extend(period_moves(user_id, delta, starts, category if with_category else None, when))
    return moves


@prepared
def _total_writes(with_category: bool) -> tuple[Any, ...]:
    return together(*_total_moves(with_category))


@prepared
def _append_writes(moves_totals: bool, with_category: bool) -> tuple[Any, ...]:
    """The event's INSERT (returning its id), after the totals' moves when it has points."""
    table = ReputationEvent.__table__
    event = insert(table).values(
        {column: bindparam(f"e_{column}", type_=table.c[column].type) for column in EVENT_COLUMNS}
    )
    moves = _total_moves(with_category) if moves_totals else []
    return together(*moves, event.returning(table.c.id))


# How an award moves the totals: by the daily cap's grant, by its points, or not at all.
_CAPPED, _MOVED, _UNMOVED = "capped", "moved", "unmoved"


@prepared
def _award_writes(totals: str, with_category: bool, badge_keys: tuple[str, ...]) -> Any:
    """PostgreSQL: ``_award_in_one_statement``'s statement. A capped award books the
    day's cap first (a CTE) and its grant is the event's points and the totals' delta,
    which move only when it is not 0. Rows: the event's id and points, with each row of
    the badge rule state (``badge_rules.rule_state_query``) when there are ``badge_keys``."""
    table = ReputationEvent.__table__
    event_values = {  # an award reverses nothing: reverses_id stays NULL
        column: bindparam(f"e_{column}", type_=table.c[column].type)
        for column in EVENT_COLUMNS
        if column != "reverses_id"
    }
    moves: list[Any] = []
    if totals == _CAPPED:
        granted = _daily_cap_write().cte("cap").c.last_grant
        moves = _total_moves(with_category, granted)
        event_values["points"] = select(granted).scalar_subquery()
    elif totals == _MOVED:
        moves = _total_moves(with_category)
    event = insert(table).values(event_values).returning(table.c.id, table.c.points)
    if not badge_keys:
        return together(*moves, event)
    written = event.cte("new_event")
    state = badge_rules.rule_state_query(badge_keys).subquery("state")
    rows = select(written.c.id, written.c.points, state.c.key, state.c.n).select_from(
        written.outerjoin(state, true())
    )
    return together(*moves, rows)


EVENT_COLUMNS = (
    "user_id",
    "reason",
    "requested",
    "points",
    "subject_type",
    "subject_id",
    "actor_id",
    "category_type",
    "category_id",
    "day",
    "reverses_id",
    "created_at",
)


def _forget_stored_reputation(user_id: int, delta: int) -> None:
    if delta:
        expire_loaded(User, user_id, ["reputation"])


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
    if values["points"]:
        params = _total_params(event.user_id, values["points"], values["day"], _category(values))
        run_together(_total_writes(_category(values) != NO_CATEGORY), params)
    _forget_stored_reputation(event.user_id, values["points"])
    return _attached(ReputationEvent(id=reversal_id, **values))

"""The patterns the anti-gaming review looks for, found in SQL and decided in Python:
self votes, serial voting beyond the allowance, vote rings."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right

from sqlalchemy import and_, case, false, func, or_, select

from community.extensions import db
from community.reputation.models import ReputationEvent
from community.reputation.services.antigaming.ledger_votes import (
    DAY,
    MONTH,
    Pair,
    VoteReview,
    batches,
    events_of,
    lag,
    reverse,
    seconds_of,
    standing_votes,
)

# The SQL pass only preselects pairs; Python decides on exact timestamps. The slack keeps
# floating-point epoch arithmetic in SQL from ever missing a pair Python would flag.
_SLACK_SECONDS = 1.0


# ---------------------------------------------------------------- finding suspects


def suspects(
    per_day: int, per_month: int, ring_min: int
) -> tuple[dict[Pair, int], dict[Pair, int], dict[Pair, int]]:
    """Self-voting pairs, serial-voting suspects and pairs with ``ring_min`` votes inside
    some 30 days, each with its number of standing votes.

    Two passes over the ledger, both in SQL: a GROUP BY voter and author keeps the pairs
    with enough votes at all; a window function over their votes then compares each
    vote's time with that of the ``per_day``-th, ``per_month``-th and ``ring_min - 1``-th
    vote before it. Only the pairs found come back; Python decides on their votes.
    """
    E = ReputationEvent  # noqa: N806
    floor = min(per_day, per_month, max(ring_min - 1, 0))
    candidates = (
        select(E.actor_id, E.user_id)
        .where(*standing_votes())
        .group_by(E.actor_id, E.user_id)
        .having(or_(func.count() > floor, E.actor_id == E.user_id))
        .subquery()
    )
    seconds = seconds_of(E.created_at)
    w = (
        select(
            E.actor_id,
            E.user_id,
            func.count().over(partition_by=(E.actor_id, E.user_id)).label("n"),
            seconds.label("t"),
            lag(seconds, per_day).label("t_day"),
            lag(seconds, per_month).label("t_month"),
            lag(seconds, max(ring_min - 1, 0)).label("t_ring"),
        )
        .join(
            candidates,
            and_(candidates.c.actor_id == E.actor_id, candidates.c.user_id == E.user_id),
        )
        .where(*standing_votes())
        .subquery()
    )
    day, month = DAY.total_seconds() + _SLACK_SECONDS, MONTH.total_seconds() + _SLACK_SECONDS
    serial_hit = or_(w.c.t - w.c.t_day < day, w.c.t - w.c.t_month < month)
    ring_hit = w.c.t - w.c.t_ring < month if ring_min >= 1 else false()
    rows = db.session.execute(
        select(
            w.c.actor_id,
            w.c.user_id,
            func.max(w.c.n),
            func.max(case((serial_hit, 1), else_=0)),
            func.max(case((ring_hit, 1), else_=0)),
        )
        .where(or_(w.c.actor_id == w.c.user_id, serial_hit, ring_hit))
        .group_by(w.c.actor_id, w.c.user_id)
    )
    own: dict[Pair, int] = {}
    serial: dict[Pair, int] = {}
    dense: dict[Pair, int] = {}
    for voter, author, votes, is_serial, is_dense in rows:
        if voter == author:
            own[(voter, author)] = votes
            continue
        if is_serial:
            serial[(voter, author)] = votes
        if is_dense:
            dense[(voter, author)] = votes
    return own, serial, dense


# ---------------------------------------------------------------- self votes


def reverse_self_votes(review: VoteReview, pairs: dict[Pair, int]) -> None:
    # ``record`` refuses them; this catches any that reached the ledger another way.
    for chunk in batches(pairs):
        events = [e for pair_events in events_of(chunk).values() for e in pair_events]
        review.self_votes += reverse(review, events, "self")


# ---------------------------------------------------------------- serial voting


def reverse_serial_voting(
    review: VoteReview, suspects: dict[Pair, int], per_day: int, per_month: int
) -> None:
    for chunk in batches(suspects):
        excess: list[ReputationEvent] = []
        for events in events_of(chunk).values():
            over = _over_allowance(events, per_day, per_month)
            if over:
                review.serial_pairs += 1
                excess.extend(over)
        reverse(review, excess, "serial")


def _over_allowance(
    events: list[ReputationEvent], per_day: int, per_month: int
) -> list[ReputationEvent]:
    """The votes beyond the allowance, keeping the earliest: after removing them, no 24
    hours hold more than ``per_day`` and no 30 days more than ``per_month``."""
    kept: list[dt.datetime] = []
    over = []
    for event in events:
        at = event.created_at
        in_day = len(kept) - bisect_right(kept, at - DAY)
        in_month = len(kept) - bisect_right(kept, at - MONTH)
        if in_day < per_day and in_month < per_month:
            kept.append(at)
        else:
            over.append(event)
    return over


# ---------------------------------------------------------------- vote rings


def reverse_rings(review: VoteReview, dense: dict[Pair, int], ring_min: int) -> None:
    # Each pair of members once, lower id first, when both directions are dense.
    mutual = {
        (a, b): votes + dense[(b, a)]
        for (a, b), votes in dense.items()
        if a < b and (b, a) in dense
    }
    for chunk in batches(mutual):
        by_pair = events_of([*chunk, *((b, a) for a, b in chunk)])
        in_rings: list[ReputationEvent] = []
        for a, b in chunk:
            found = _in_ring(by_pair.get((a, b), []), by_pair.get((b, a), []), ring_min)
            if found:
                review.rings += 1
                in_rings.extend(found)
        reverse(review, in_rings, "ring")


def _in_ring(
    forth: list[ReputationEvent], back: list[ReputationEvent], ring_min: int
) -> list[ReputationEvent]:
    """The votes of two members for each other that lie in some 30 days in which each
    voted for the other at least ``ring_min`` times."""
    events = sorted([*forth, *back], key=lambda e: (e.created_at, e.id))
    if len(forth) < ring_min or len(back) < ring_min:
        return []
    first_voter = forth[0].actor_id
    # prefix[i] = votes in the forth direction among events[:i]
    prefix = [0]
    for event in events:
        prefix.append(prefix[-1] + (event.actor_id == first_voter))
    marked = [0] * (len(events) + 1)  # difference array over event indexes
    end = 0
    for start, event in enumerate(events):
        # A window starting at each vote is enough: any window can slide right to its
        # first vote and still hold everything it held.
        end = max(end, start)
        while end + 1 < len(events) and events[end + 1].created_at - event.created_at < MONTH:
            end += 1
        forth_count = prefix[end + 1] - prefix[start]
        back_count = (end + 1 - start) - forth_count
        if forth_count >= ring_min and back_count >= ring_min:
            marked[start] += 1
            marked[end + 1] -= 1
    found = []
    running = 0
    for index, event in enumerate(events):
        running += marked[index]
        if running > 0:
            found.append(event)
    return found

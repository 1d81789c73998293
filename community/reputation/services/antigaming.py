"""Anti-gaming: take back reputation that votes were not meant to give.

``review_votes()`` (``flask --app wsgi reputation review-votes``, safe from cron) reads the
ledger's standing vote events, i.e. one member's judgement of another's work by any
``vote=True`` rule in ``reputation/rules.py``, so it covers every kind of vote, present
and future. It finds

- self votes that slipped into the ledger (``record`` already refuses them);
- serial voting: more than ``SERIAL_VOTES_PER_DAY`` votes from one voter to one author
  within 24 hours, or more than ``SERIAL_VOTES_PER_30_DAYS`` within 30 days;
- vote rings: two members who each voted for the other at least ``VOTE_RING_MIN`` times
  within the same 30 days;

and reverses the excess through the ledger with reason ``serial_voting_reversed``, writing
one audit entry per voter and author. Reversed events are no longer standing, so a second
run finds nothing new: the review is idempotent.

``reverse_votes_by(actor)`` takes back everything a (sock-puppet) account's votes gave;
accounts calls it through ``register_vote_reverser`` when moderation suspends or erases
one as a sock puppet.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import (
    and_,
    case,
    exists,
    extract,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import aliased

from community.accounts.models import User
from community.accounts.services.lifecycle import register_vote_reverser
from community.extensions import db
from community.moderation.services import audit
from community.reputation.models import ReputationEvent
from community.reputation.rules import VOTE_REASONS
from community.reputation.services.ledger import reverse_event

REVERSAL_REASON = "serial_voting_reversed"
AUDIT_ACTION = "reputation.serial_voting_reversed"

DAY = dt.timedelta(days=1)
MONTH = dt.timedelta(days=30)
# The SQL pass only preselects pairs; Python decides on exact timestamps. The slack keeps
# floating-point epoch arithmetic in SQL from ever missing a pair Python would flag.
_SLACK_SECONDS = 1.0

# Flagged pairs' events are loaded and reversed in batches of about this many events:
# few queries, and a small session (the ledger's UPDATEs scan the identity map).
EVENTS_PER_BATCH = 500

Pair = tuple[int, int]  # (voter id, author id)


@dataclass
class VoteReview:
    """What one run of ``review_votes`` found and reversed."""

    self_votes: int = 0
    serial_pairs: int = 0
    rings: int = 0
    votes_reversed: int = 0
    # The change to the authors' totals (negative when points were taken back).
    points_changed: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text)

    def summary(self) -> str:
        """One line for the command line (and cron mail), then up to 20 examples."""
        if not self.votes_reversed:
            return "reviewed votes: nothing to reverse"
        lines = [
            f"reviewed votes: {self.votes_reversed} votes reversed "
            f"({self.points_changed:+d} points): {self.serial_pairs} serial-voting pairs, "
            f"{self.rings} vote rings, {self.self_votes} self votes"
        ]
        lines.extend(f"  {line}" for line in self.examples)
        return "\n".join(lines)


def _limits() -> tuple[int, int, int]:
    config = current_app.config
    return (
        int(config.get("SERIAL_VOTES_PER_DAY", 5)),
        int(config.get("SERIAL_VOTES_PER_30_DAYS", 20)),
        int(config.get("VOTE_RING_MIN", 5)),
    )


def review_votes() -> VoteReview:
    """Reverse self votes, serial voting beyond the allowance and vote rings (idempotent:
    a second run reverses nothing); flushes, the caller commits."""
    per_day, per_month, ring_min = _limits()
    review = VoteReview()
    own, serial, dense = _suspects(per_day, per_month, ring_min)
    _reverse_self_votes(review, own)
    _reverse_serial_voting(review, serial, per_day, per_month)
    # Reversing serial votes only thins pairs out, so the pairs that were dense before
    # still include every ring that is left; _in_ring decides on what still stands.
    _reverse_rings(review, dense, ring_min)
    return review


def reverse_votes_by(actor: User) -> int:
    """Reverse every standing vote ``actor`` cast (each keeps its reason, so histories
    read "Reversed: ..."); returns how many were reversed."""
    reversed_votes = 0
    after = 0
    while True:  # in batches, keeping the session small
        events = db.session.scalars(
            select(ReputationEvent)
            .where(
                *_standing_votes(),
                ReputationEvent.actor_id == actor.id,
                ReputationEvent.id > after,
            )
            .order_by(ReputationEvent.id)
            .limit(EVENTS_PER_BATCH)
        ).all()
        if not events:
            return reversed_votes
        reversed_votes += sum(1 for event in events if reverse_event(event) is not None)
        after = events[-1].id


register_vote_reverser(reverse_votes_by)


# ---------------------------------------------------------------- what is a standing vote


def _standing_votes() -> tuple[Any, ...]:
    """Vote events from one member to another that are neither reversals nor reversed."""
    reversal = aliased(ReputationEvent)
    return (
        ReputationEvent.reason.in_(sorted(VOTE_REASONS)),
        ReputationEvent.actor_id.is_not(None),
        # Not "reverses_id IS NULL": SQLite would walk the unique index on reverses_id
        # for it, which is no filter at all, instead of the (actor_id, user_id) index.
        func.coalesce(ReputationEvent.reverses_id, 0) == 0,
        ~exists().where(reversal.reverses_id == ReputationEvent.id),
    )


def _seconds(column: Any) -> Any:
    """A timestamp column as seconds (for differences inside SQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return extract("epoch", column)
    return func.julianday(column) * 86400.0


def _lag(value: Any, offset: int) -> Any:
    """``value`` of the ``offset``-th earlier vote by the same voter to the same author."""
    return func.lag(value, literal_column(str(int(offset)))).over(
        partition_by=(ReputationEvent.actor_id, ReputationEvent.user_id),
        order_by=(ReputationEvent.created_at, ReputationEvent.id),
    )


def _batches(pairs: dict[Pair, int]) -> Iterator[list[Pair]]:
    """Pairs (with their number of standing events) in batches of about
    ``EVENTS_PER_BATCH`` events (a larger pair alone), in a stable order."""
    batch: list[Pair] = []
    size = 0
    for pair, events in sorted(pairs.items()):
        if batch and size + events > EVENTS_PER_BATCH:
            yield batch
            batch, size = [], 0
        batch.append(pair)
        size += events
    if batch:
        yield batch


def _events_of(pairs: list[Pair]) -> dict[Pair, list[ReputationEvent]]:
    """The standing vote events of these pairs (one query), oldest first, by pair."""
    rows = db.session.scalars(
        select(ReputationEvent)
        .where(
            *_standing_votes(),
            tuple_(ReputationEvent.actor_id, ReputationEvent.user_id).in_(pairs),
            # Redundant, but lets SQLite use the (actor_id, user_id) index for row values.
            ReputationEvent.actor_id.in_({voter for voter, _author in pairs}),
            ReputationEvent.user_id.in_({author for _voter, author in pairs}),
        )
        .order_by(ReputationEvent.created_at, ReputationEvent.id)
    )
    by_pair: dict[Pair, list[ReputationEvent]] = defaultdict(list)
    for event in rows:
        by_pair[(event.actor_id, event.user_id)].append(event)  # type: ignore[index]
    return by_pair


# ---------------------------------------------------------------- reversing and auditing


def _reverse(review: VoteReview, events: Iterable[ReputationEvent], pattern: str) -> int:
    """Reverse ``events`` and audit once per voter and author; returns how many votes
    were reversed. Keeps only numbers of the reversals, so that with the batches the
    session's identity map (which every ledger UPDATE scans) stays small."""
    done: dict[Pair, list[int]] = defaultdict(list)  # pair -> points of each reversal
    for event in sorted(events, key=lambda e: e.id):
        reversal = reverse_event(event, reason=REVERSAL_REASON)
        if reversal is not None:
            done[(event.actor_id, event.user_id)].append(reversal.points)  # type: ignore[index]
    authors = _users({author for _voter, author in done})
    for (voter, author), points in sorted(done.items()):
        review.votes_reversed += len(points)
        review.points_changed += sum(points)
        audit(
            None,
            AUDIT_ACTION,
            authors[author],
            {"voter": voter, "votes": len(points), "points": sum(points), "pattern": pattern},
        )
        review.note(f"{pattern}: voter {voter} -> author {author}: {len(points)} votes")
    return sum(len(points) for points in done.values())


def _users(ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


# ---------------------------------------------------------------- finding suspects


def _suspects(
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
        .where(*_standing_votes())
        .group_by(E.actor_id, E.user_id)
        .having(or_(func.count() > floor, E.actor_id == E.user_id))
        .subquery()
    )
    seconds = _seconds(E.created_at)
    w = (
        select(
            E.actor_id,
            E.user_id,
            func.count().over(partition_by=(E.actor_id, E.user_id)).label("n"),
            seconds.label("t"),
            _lag(seconds, per_day).label("t_day"),
            _lag(seconds, per_month).label("t_month"),
            _lag(seconds, max(ring_min - 1, 0)).label("t_ring"),
        )
        .join(
            candidates,
            and_(candidates.c.actor_id == E.actor_id, candidates.c.user_id == E.user_id),
        )
        .where(*_standing_votes())
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


def _reverse_self_votes(review: VoteReview, pairs: dict[Pair, int]) -> None:
    # ``record`` refuses them; this catches any that reached the ledger another way.
    for chunk in _batches(pairs):
        events = [e for pair_events in _events_of(chunk).values() for e in pair_events]
        review.self_votes += _reverse(review, events, "self")


# ---------------------------------------------------------------- serial voting


def _reverse_serial_voting(
    review: VoteReview, suspects: dict[Pair, int], per_day: int, per_month: int
) -> None:
    for chunk in _batches(suspects):
        excess: list[ReputationEvent] = []
        for events in _events_of(chunk).values():
            over = _over_allowance(events, per_day, per_month)
            if over:
                review.serial_pairs += 1
                excess.extend(over)
        _reverse(review, excess, "serial")


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


def _reverse_rings(review: VoteReview, dense: dict[Pair, int], ring_min: int) -> None:
    # Each pair of members once, lower id first, when both directions are dense.
    mutual = {
        (a, b): votes + dense[(b, a)]
        for (a, b), votes in dense.items()
        if a < b and (b, a) in dense
    }
    for chunk in _batches(mutual):
        by_pair = _events_of([*chunk, *((b, a) for a, b in chunk)])
        in_rings: list[ReputationEvent] = []
        for a, b in chunk:
            found = _in_ring(by_pair.get((a, b), []), by_pair.get((b, a), []), ring_min)
            if found:
                review.rings += 1
                in_rings.extend(found)
        _reverse(review, in_rings, "ring")


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

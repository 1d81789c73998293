"""The ledger's vote events as the anti-gaming review reads and reverses them: which are
standing, in batches by voter and author, reversed through the ledger with one audit entry
per voter and author."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import extract, func, literal_column, select, tuple_

from community.accounts.models import User
from community.extensions import db
from community.moderation.services import audit
from community.reputation.models import ReputationEvent, standing
from community.reputation.rules import VOTE_REASONS
from community.reputation.services.ledger import reverse_event

REVERSAL_REASON = "serial_voting_reversed"
AUDIT_ACTION = "reputation.serial_voting_reversed"

DAY = dt.timedelta(days=1)
MONTH = dt.timedelta(days=30)
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


# ---------------------------------------------------------------- what is a standing vote


def standing_votes() -> tuple[Any, ...]:
    """Vote events from one member to another that are neither reversals nor reversed."""
    return (
        ReputationEvent.reason.in_(sorted(VOTE_REASONS)),
        ReputationEvent.actor_id.is_not(None),
        standing(),
    )


def seconds_of(column: Any) -> Any:
    """A timestamp column as seconds (for differences inside SQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return extract("epoch", column)
    return func.julianday(column) * 86400.0


def lag(value: Any, offset: int) -> Any:
    """``value`` of the ``offset``-th earlier vote by the same voter to the same author."""
    return func.lag(value, literal_column(str(int(offset)))).over(
        partition_by=(ReputationEvent.actor_id, ReputationEvent.user_id),
        order_by=(ReputationEvent.created_at, ReputationEvent.id),
    )


def batches(pairs: dict[Pair, int]) -> Iterator[list[Pair]]:
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


def events_of(pairs: list[Pair]) -> dict[Pair, list[ReputationEvent]]:
    """The standing vote events of these pairs (one query), oldest first, by pair."""
    rows = db.session.scalars(
        select(ReputationEvent)
        .where(
            *standing_votes(),
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


def reverse(review: VoteReview, events: Iterable[ReputationEvent], pattern: str) -> int:
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

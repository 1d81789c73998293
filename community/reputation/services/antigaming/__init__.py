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

from flask import current_app
from sqlalchemy import select

from community.accounts.models import User
from community.accounts.services.lifecycle import register_vote_reverser
from community.extensions import db
from community.reputation.models import ReputationEvent
from community.reputation.services.antigaming.ledger_votes import (
    AUDIT_ACTION,
    EVENTS_PER_BATCH,
    REVERSAL_REASON,
    VoteReview,
    standing_votes,
)
from community.reputation.services.antigaming.patterns import (
    reverse_rings,
    reverse_self_votes,
    reverse_serial_voting,
    suspects,
)
from community.reputation.services.ledger import reverse_event

__all__ = ["AUDIT_ACTION", "REVERSAL_REASON", "VoteReview", "reverse_votes_by", "review_votes"]


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
    own, serial, dense = suspects(per_day, per_month, ring_min)
    reverse_self_votes(review, own)
    reverse_serial_voting(review, serial, per_day, per_month)
    # Reversing serial votes only thins pairs out, so the pairs that were dense before
    # still include every ring that is left; _in_ring decides on what still stands.
    reverse_rings(review, dense, ring_min)
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
                *standing_votes(),
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

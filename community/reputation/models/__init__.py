"""Reputation models, one module per responsibility."""

from community.reputation.models.badges import *  # noqa: F403
from community.reputation.models.ledger import (
    CategoryReputation,
    DailyReputation,
    ReputationDay,
    ReputationEvent,
    standing,
)
from community.reputation.models.mavens import *  # noqa: F403

__all__ = [
    "CategoryReputation",
    "DailyReputation",
    "ReputationDay",
    "ReputationEvent",
    "standing",
]

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
from community.reputation.models.periods import (
    ALL_CATEGORIES,
    ALL_TIME,
    PERIOD_KINDS,
    PeriodLadder,
    PeriodReputation,
    period_key,
    period_moves,
    period_start,
    period_starts,
)

__all__ = [
    "ALL_CATEGORIES",
    "ALL_TIME",
    "PERIOD_KINDS",
    "CategoryReputation",
    "DailyReputation",
    "PeriodLadder",
    "PeriodReputation",
    "ReputationDay",
    "ReputationEvent",
    "period_key",
    "period_moves",
    "period_start",
    "period_starts",
    "standing",
]

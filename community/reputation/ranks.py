"""The rank ladder: from points and tenure, computed from what the user row stores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from community.core.db import utcnow


@dataclass(frozen=True)
class Rank:
    key: str
    label: str
    min_points: int
    min_days: int


# Lowest first. A member holds the highest rank whose points and days they both reach.
LADDER: tuple[Rank, ...] = (
    Rank("newcomer", _l("Newcomer"), 0, 0),
    Rank("contributor", _l("Contributor"), 50, 7),
    Rank("regular", _l("Regular"), 250, 30),
    Rank("expert", _l("Expert"), 1000, 90),
    Rank("maven", _l("Market Maven"), 3000, 180),
)


def rank_of(user: Any, now: dt.datetime | None = None) -> Rank:
    """The member's rank (no query: points and join date are on the user row)."""
    created = getattr(user, "created_at", None)
    days = ((now or utcnow()) - created).days if created else 0
    points = getattr(user, "reputation", 0) or 0
    current = LADDER[0]
    for rank in LADDER:
        if points >= rank.min_points and days >= rank.min_days:
            current = rank
    return current


def next_rank(user: Any) -> Rank | None:
    """The next rung up, or None at the top."""
    index = LADDER.index(rank_of(user))
    return LADDER[index + 1] if index + 1 < len(LADDER) else None

"""Market mavens: leaderboards, "top x%", the maven score, monthly designations, perks.

Boards for a week, month or year add up the daily roll-ups (never the raw ledger); the
all-time boards read the stored totals. The maven score is computed from the ledger by
``designate-mavens`` (monthly, from cron) and stored; pages only read it.
"""

from community.reputation.services.mavens.boards import (
    BOARD_SIZE,
    PERIODS,
    PERKS,
    RECENT_DAYS,
    Board,
    BoardEntry,
    Category,
    board,
    category_labels,
    known_categories,
    parse_category,
    parse_period,
    period_start,
    top_percent,
)
from community.reputation.services.mavens.designations import (
    DesignationReport,
    Held,
    current_mavens,
    designate_mavens,
    has_perk,
    held_designations,
    is_maven,
    mavens_among,
    overall_score,
)
from community.reputation.services.mavens.score import (
    compute_scores,
    maven_score,
    members_to_score,
)

__all__ = [
    "BOARD_SIZE",
    "PERIODS",
    "PERKS",
    "RECENT_DAYS",
    "Board",
    "BoardEntry",
    "Category",
    "DesignationReport",
    "Held",
    "board",
    "category_labels",
    "compute_scores",
    "current_mavens",
    "designate_mavens",
    "has_perk",
    "held_designations",
    "is_maven",
    "known_categories",
    "maven_score",
    "mavens_among",
    "members_to_score",
    "overall_score",
    "parse_category",
    "parse_period",
    "period_start",
    "top_percent",
]

"""Market mavens: leaderboards, "top x%", the maven score, monthly designations, perks.

Every board (week, month, year, all time; overall or per category) reads the period
roll-ups the ledger keeps (``PeriodReputation``): the top is an index walk, a place is
counted on the period's ladder (``places``; ``settle_places`` keeps it cheap). The maven
score is computed from the ledger by ``designate-mavens`` (monthly, from cron) and
stored; pages only read it.
"""

from community.reputation.models import period_start
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
from community.reputation.services.mavens.places import settle_places
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
    "settle_places",
    "top_percent",
]

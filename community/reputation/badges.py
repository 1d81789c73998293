"""The badges: one table, the only place a badge is defined.

Each badge has a tier (bronze, silver, gold) and may have an automatic rule that the
ledger evaluates when one of its events happens (``services.badge_rules.after_event``). Badges
without a rule are awarded by a feature when its moment comes
(``services.badges.award_if_missing(user, key, reason)``) or by the team by hand.

Keys are stored (awards, a member's title): rename a badge's name freely, never its key.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from community.reputation.rules import RULES

BRONZE, SILVER, GOLD = "bronze", "silver", "gold"
# Shown highest first.
TIERS: tuple[str, ...] = (GOLD, SILVER, BRONZE)
TIER_LABELS = {GOLD: _l("Gold"), SILVER: _l("Silver"), BRONZE: _l("Bronze")}


@dataclass(frozen=True)
class EventCount:
    """Met when the member has at least ``at_least`` standing (not reversed) ledger events
    of ``reason``; evaluated only when an event of that reason happens."""

    reason: str
    at_least: int = 1


@dataclass(frozen=True)
class Tenure:
    """Met when a ledger event happens to a member of at least ``days`` days (so they have
    at least one event); evaluated on every event, without a query."""

    days: int


Rule = EventCount | Tenure


@dataclass(frozen=True)
class Badge:
    key: str
    name: str
    description: str
    tier: str
    rule: Rule | None = None


BADGES: dict[str, Badge] = {
    badge.key: badge
    for badge in (
        Badge(
            "first_idea",
            _l("First idea"),
            _l("Shared a first idea."),
            BRONZE,
        ),
        Badge(
            "first_answer",
            _l("First accepted answer"),
            _l("Gave an answer that was accepted."),
            BRONZE,
            EventCount("answer_accepted"),
        ),
        Badge(
            "first_kudos",
            _l("First kudos"),
            _l("Received kudos for a post."),
            BRONZE,
            EventCount("post_kudos"),
        ),
        Badge(
            "days_100",
            _l("100 days"),
            _l("Active in the community after 100 days of membership."),
            BRONZE,
            Tenure(100),
        ),
        Badge(
            "helpful_reviewer",
            _l("Helpful reviewer"),
            _l("Reviews marked helpful ten times."),
            SILVER,
            EventCount("review_helpful", 10),
        ),
        Badge(
            "idea_shipped",
            _l("Idea shipped"),
            _l("An idea of theirs became part of a product."),
            SILVER,
            EventCount("idea_shipped_author"),
        ),
        Badge(
            "challenge_winner",
            _l("Challenge winner"),
            _l("An idea of theirs won a co-creation challenge."),
            SILVER,
            EventCount("challenge_won"),
        ),
        Badge(
            "elected",
            _l("Elected to parliament"),
            _l("Elected to the customer parliament."),
            SILVER,
        ),
        Badge(
            "kudos_100",
            _l("Community favourite"),
            _l("Received kudos for posts a hundred times."),
            GOLD,
            EventCount("post_kudos", 100),
        ),
        Badge(
            "motion_adopted",
            _l("Motion adopted"),
            _l("A motion of theirs was adopted by the parliament."),
            GOLD,
            EventCount("motion_adopted"),
        ),
        Badge(
            "market_maven",
            _l("Market Maven"),
            _l("Among the top members of a category by maven score this month."),
            GOLD,
        ),
    )
}


def _rules_by_reason() -> dict[str, tuple[Badge, ...]]:
    found: dict[str, tuple[Badge, ...]] = {}
    for badge in BADGES.values():
        if isinstance(badge.rule, EventCount):
            if badge.rule.reason not in RULES:
                raise KeyError(f"badge {badge.key!r} counts an unknown reputation rule")
            found[badge.rule.reason] = (*found.get(badge.rule.reason, ()), badge)
    return found


# The automatic rules, found by the reason of the event that can meet them.
RULES_BY_REASON: dict[str, tuple[Badge, ...]] = _rules_by_reason()
TENURE_BADGES: tuple[Badge, ...] = tuple(b for b in BADGES.values() if isinstance(b.rule, Tenure))


def by_tier(keys: list[str] | None = None) -> list[tuple[str, list[Badge]]]:
    """Badges (all, or those of ``keys``) grouped by tier, highest tier first."""
    chosen = list(BADGES.values()) if keys is None else [BADGES[k] for k in keys if k in BADGES]
    return [(tier, [b for b in chosen if b.tier == tier]) for tier in TIERS]

"""The point rules: one table, the only place a number of points is written down.

Features award by rule name (``record(user, "idea_upvoted", ...)``); changing a number
here changes nothing else. ``capped`` rules count towards the daily cap (votes and
kudos, as on Stack Exchange); ``vote`` rules are one member judging another's work,
which the anti-gaming review reads; ``helpful`` marks outcomes that count as having
helped someone for the maven score.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# At most this many points per member per UTC day come from capped rules.
DAILY_CAP = 200


@dataclass(frozen=True)
class Rule:
    name: str
    points: int
    label: str
    capped: bool = False
    vote: bool = False
    helpful: bool = False


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("idea_upvoted", 10, _l("Idea upvoted"), capped=True, vote=True, helpful=True),
        Rule("idea_shipped_author", 50, _l("Your idea shipped"), helpful=True),
        Rule("idea_shipped_voter", 2, _l("An idea you voted for shipped")),
        Rule("challenge_won", 25, _l("Your idea won a challenge"), helpful=True),
        Rule("answer_accepted", 15, _l("Answer accepted"), helpful=True),
        Rule("post_kudos", 5, _l("Kudos on a post"), capped=True, vote=True, helpful=True),
        Rule(
            "review_helpful", 5, _l("Review marked helpful"), capped=True, vote=True, helpful=True
        ),
        Rule("review_unhelpful", -1, _l("Review marked unhelpful"), capped=True, vote=True),
        Rule("flag_agreed", 2, _l("Flag agreed with by the team")),
        Rule("motion_adopted", 25, _l("Your motion was adopted"), helpful=True),
        Rule("survey_completed", 5, _l("Survey completed")),
        Rule("referral_active", 10, _l("A member you invited became active")),
        # Not awarded by features: what the anti-gaming review writes when it reverses.
        Rule("serial_voting_reversed", 0, _l("Serial voting reversed")),
    )
}


def rule(name: str) -> Rule:
    """The rule of this name; an unknown name is a programming error."""
    try:
        return RULES[name]
    except KeyError as exc:
        raise KeyError(f"unknown reputation rule {name!r}; add it to reputation/rules.py") from exc


VOTE_REASONS = frozenset(r.name for r in RULES.values() if r.vote)
HELPFUL_REASONS = frozenset(r.name for r in RULES.values() if r.helpful)

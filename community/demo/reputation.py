"""The demo's reputation: who helped whom, so members start with points and ranks.

Forum kudos and accepted answers come from the demo forums themselves.
"""

from __future__ import annotations

from community.accounts.models import User
from community.reputation import services as reputation

# Who helped whom: (receiver, rule, giver). Until ideas and reviews exist, the subject of
# these awards is the giver's profile.
DEMO_REPUTATION = [
    ("mia", "review_helpful", "sam"),
    ("jonas", "idea_upvoted", "mia"),
    ("jonas", "idea_upvoted", "lea"),
    ("jonas", "idea_upvoted", "sam"),
    ("jonas", "idea_shipped_author", None),
    ("lea", "review_helpful", "mia"),
    ("lea", "review_helpful", "jonas"),
    ("lea", "review_unhelpful", "sam"),
    ("lea", "survey_completed", None),
    ("sam", "post_kudos", "mia"),
]


def seed_reputation(users: dict[str, User]) -> None:
    """Record each award in ``DEMO_REPUTATION``, in order, through the reputation ledger."""
    for receiver, reason, giver in DEMO_REPUTATION:
        actor = users[giver] if giver else None
        reputation.record(users[receiver], reason, actor, actor)

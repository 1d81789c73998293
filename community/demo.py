"""A small, believable demo community for ``flask --app wsgi seed-demo``.

Every feature adds its own part here when it lands.
"""

from __future__ import annotations

from community.accounts import services as accounts
from community.accounts.models import Role
from community.moderation import services as moderation
from community.notifications.services import notify
from community.reputation import services as reputation

DEMO_PASSWORD = "mitmach-demo"  # noqa: S105 - printed and documented on purpose

DEMO_USERS = [
    ("ada", "ada@example.com", Role.ADMIN, "Ada Admin", "Runs this community."),
    (
        "tom",
        "tom@example.com",
        Role.TEAM,
        "Tom from the product team",
        "Product manager. I read every idea and answer in the forums.",
    ),
    (
        "mia",
        "mia@example.com",
        Role.MEMBER,
        "Mia",
        "Customer since 2019. I use the **mobile app** daily and love keyboard shortcuts.",
    ),
    ("jonas", "jonas@example.com", Role.MEMBER, "Jonas", "Small-business owner, power user."),
    ("lea", "lea@example.com", Role.MEMBER, "Lea", "Photographer. Ask me about exports!"),
    ("sam", "sam@example.com", Role.MEMBER, "", ""),
]


def seed() -> dict:
    """Create the demo members, profiles, notifications and audit entries; no commit."""
    users = {}
    for username, email, role, _display_name, _bio in DEMO_USERS:
        users[username] = accounts.create_user(
            username, email, DEMO_PASSWORD, role=role, confirmed=True
        )
    for username, _email, _role, display_name, bio in DEMO_USERS:
        accounts.update_profile(users[username], display_name, bio)
    accounts.update_profile(
        users["tom"],
        "Tom from the product team",
        "Product manager. I read every idea. Thanks @mia and @jonas for the great feedback!",
    )
    moderation.audit(users["ada"], "site.seed", None, {"users": len(users)})
    _seed_reputation(users)
    notify(users["mia"], "welcome", users["tom"], "Tom from the product team mentioned you.")
    notify(users["jonas"], "welcome", users["tom"], "Tom from the product team mentioned you.")
    return {
        "password": DEMO_PASSWORD,
        "users": [(u.username, u.role) for u in users.values()],
    }


# Who helped whom: (receiver, rule, giver). Until forums and ideas exist, the subject of
# each award is the giver's profile.
DEMO_REPUTATION = [
    *[("mia", "post_kudos", giver) for giver in ("jonas", "lea", "sam", "tom")],
    ("mia", "answer_accepted", "jonas"),
    ("mia", "answer_accepted", "lea"),
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


def _seed_reputation(users: dict) -> None:
    for receiver, reason, giver in DEMO_REPUTATION:
        actor = users[giver] if giver else None
        reputation.record(users[receiver], reason, actor, actor)

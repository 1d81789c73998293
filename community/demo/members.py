"""The demo's members: accounts, profiles, the seed's audit entry and the mentions.

Every member logs in with ``DEMO_PASSWORD``; olli's profile is an advertisement that
``moderation`` flags.
"""

from __future__ import annotations

from community.accounts import services as accounts
from community.accounts.models import Role, User
from community.moderation import services as moderation
from community.notifications.services import notify

DEMO_PASSWORD = "mitmach-demo"  # noqa: S105 - printed and documented on purpose

# (username, email, role, display name, bio)
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
    (
        "olli",
        "olli@example.com",
        Role.MEMBER,
        "Paper Deals Olli",
        "Cheapest photo paper online: https://cheap-paper.example",
    ),
]

MENTION = "Tom from the product team mentioned you."


def seed_members() -> dict[str, User]:
    """Create every demo account, then their profiles; tom edits his to mention two."""
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
    return users


def audit_seed(users: dict[str, User]) -> None:
    """Record in the audit log that the admin seeded the site, and with how many members."""
    moderation.audit(users["ada"], "site.seed", None, {"users": len(users)})


def notify_mentions(users: dict[str, User]) -> None:
    """Tell mia and jonas that tom's profile mentions them."""
    notify(users["mia"], "welcome", users["tom"], MENTION)
    notify(users["jonas"], "welcome", users["tom"], MENTION)

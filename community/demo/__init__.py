"""A small, believable demo community for ``flask --app wsgi seed-demo``.

Every feature adds its own part here when it lands: one module per feature (members,
reputation, catalog, forums, moderation, ideas), called in order by ``seed()``. The order
is part of the data: later parts use what earlier ones made (points that lift members out
of the new-member sandbox, products, the forum topic that the spam replies to).
"""

from __future__ import annotations

from community.demo.catalog import seed_products
from community.demo.forums import seed_forums
from community.demo.ideas import seed_ideas
from community.demo.members import DEMO_PASSWORD, audit_seed, notify_mentions, seed_members
from community.demo.moderation import seed_moderation
from community.demo.reputation import seed_reputation

__all__ = ["seed"]


def seed() -> dict:
    """Create the demo members, profiles, notifications and audit entries; no commit."""
    users = seed_members()
    audit_seed(users)
    seed_reputation(users)
    products = seed_products(users)
    seed_forums(users, products)
    seed_moderation(users)
    seed_ideas(users, products)
    notify_mentions(users)
    return {
        "password": DEMO_PASSWORD,
        "users": [(u.username, u.role) for u in users.values()],
    }

"""The demo's moderation: spam from a brand-new member waiting in the review queue.

Runs after ``forums`` (the spam replies to the paper question) and after ``reputation``.
"""

from __future__ import annotations

from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from community.forums.models import Topic
from community.forums.services import topics, visibility
from community.moderation.services import flags

PAPER_TOPIC_SLUG = "which-paper-works-best-with-the-p1"


def seed_moderation(users: dict[str, User]) -> None:
    """A brand-new member's first post, full of links, waits in the review queue with two
    members' spam flags (below the hide threshold) and its risk reasons; their profile,
    an advertisement, is flagged too."""
    paper = select(Topic.id).where(Topic.slug == PAPER_TOPIC_SLUG)
    topic = visibility.get_topic(users["olli"], db.session.scalar(paper))
    spam = topics.reply(
        users["olli"],
        topic,
        "Best paper deals!!! https://cheap-paper.example https://paper-deals.example",
    )
    for flagger in ("mia", "jonas"):
        flags.flag(users[flagger], "forum_post", spam.id, "spam")
    flags.flag(users["mia"], "user_account", users["olli"].id, "spam")

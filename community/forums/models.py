"""Forum categories, topics, posts and what members do with them.

Counters shown on pages are stored and moved by SQL arithmetic in the transaction that
changes them; they count only what members may see (hidden topics and posts are left
out). ``flask forums recount`` recomputes every one of them from the rows.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    UniqueConstraint,
    event,
    insert,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.catalog.models import Product
from community.core.db import BigId, UTCDateTime, intpk, str64, str200, timestamp, utcnow
from community.extensions import db


class CategoryKind(enum.StrEnum):
    DISCUSSION = "discussion"
    QA = "qa"


class Level(enum.IntEnum):
    """How closely a member follows a topic or category (Discourse's levels)."""

    MUTED = 0  # no notifications at all, not even mentions
    NORMAL = 1  # mentions and direct replies only
    TRACKING = 2  # as normal, and unread counts in lists (default for topics you posted in)
    WATCHING = 3  # a notification for every new reply (and, for a category, new topic)


class ForumCategory(db.Model):
    __tablename__ = "forum_category"

    id: Mapped[intpk]
    slug: Mapped[str64] = mapped_column(unique=True)
    name: Mapped[str64]
    description: Mapped[str] = mapped_column(default="")
    kind: Mapped[str] = mapped_column(String(16), default=CategoryKind.DISCUSSION.value)
    # A private category is a focus group: only its members, the team and admins see it.
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    product_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("product.id"))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[timestamp]
    # Stored, visible-only counters and the latest activity.
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_posted_at: Mapped[dt.datetime | None]
    last_topic_id: Mapped[int | None] = mapped_column(BigId)

    product: Mapped[Product | None] = relationship(lazy="raise_on_sql")

    @property
    def is_qa(self) -> bool:
        return self.kind == CategoryKind.QA

    def __repr__(self) -> str:
        return f"<ForumCategory {self.id} {self.slug}>"


class FocusGroupMember(db.Model):
    """An invited member of a private category (focus group)."""

    __tablename__ = "focus_group_member"
    __table_args__ = (
        PrimaryKeyConstraint("category_id", "user_id"),
        Index("ix_focus_group_member_user_id", "user_id"),
    )

    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_category.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    invited_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    created_at: Mapped[timestamp]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")


class Topic(db.Model):
    __tablename__ = "forum_topic"
    __table_args__ = (
        # The category page: pinned first, then latest activity (keyset on both).
        Index(
            "ix_forum_topic_category_latest",
            "category_id",
            "is_pinned",
            "last_posted_at",
            "id",
        ),
        # "Top" (by reactions) and the newest topics.
        Index("ix_forum_topic_category_reactions", "category_id", "reaction_count", "id"),
        Index("ix_forum_topic_category_created", "category_id", "created_at"),
        Index("ix_forum_topic_author_id", "author_id", "id"),
    )

    id: Mapped[intpk]
    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_category.id"))
    author_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    title: Mapped[str200]
    slug: Mapped[str200]
    created_at: Mapped[timestamp]
    last_posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_post_id: Mapped[int | None] = mapped_column(BigId)
    last_poster_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    # Numbers given to posts so far (hidden ones included): the next post gets +1.
    highest_number: Mapped[int] = mapped_column(default=0)
    # Visible posts, the first one included; replies = post_count - 1.
    post_count: Mapped[int] = mapped_column(default=0)
    # Reactions on its visible posts ("top" sorts by it).
    reaction_count: Mapped[int] = mapped_column(default=0)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted_post_id: Mapped[int | None] = mapped_column(BigId)
    # An official team reply pinned under the first post.
    pinned_official_post_id: Mapped[int | None] = mapped_column(BigId)
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None]

    category: Mapped[ForumCategory] = relationship(lazy="raise_on_sql")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    last_poster: Mapped[User | None] = relationship(
        foreign_keys=[last_poster_id], lazy="raise_on_sql"
    )
    tags: Mapped[list[Tag]] = relationship(
        secondary="forum_topic_tag", order_by="Tag.name", lazy="raise_on_sql"
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    def __repr__(self) -> str:
        return f"<Topic {self.id} {self.slug}>"


class Post(db.Model):
    __tablename__ = "forum_post"
    __table_args__ = (
        UniqueConstraint("topic_id", "number"),
        # A double submit carries the same key: one post.
        UniqueConstraint("author_id", "client_key"),
        Index("ix_forum_post_author_id", "author_id", "id"),
    )

    id: Mapped[intpk]
    topic_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_topic.id"))
    author_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    # 1 is the topic's first post; pages hold numbers 1-20, 21-40, ...
    number: Mapped[int] = mapped_column(Integer)
    reply_to_post_id: Mapped[int | None] = mapped_column(BigId)
    body_source: Mapped[str]
    body_html: Mapped[str]
    client_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[timestamp]
    edited_at: Mapped[dt.datetime | None]
    revision_count: Mapped[int] = mapped_column(default=0)
    reaction_count: Mapped[int] = mapped_column(default=0)
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None]

    topic: Mapped[Topic] = relationship(lazy="raise_on_sql")
    author: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_first(self) -> bool:
        return self.number == 1

    def __repr__(self) -> str:
        return f"<Post {self.id} #{self.number} of topic {self.topic_id}>"


class PostRevision(db.Model):
    """One version of a post. Written on the first edit for the original (number 1) and
    on every edit after; a revert writes the reverted-to text as a new revision."""

    __tablename__ = "forum_post_revision"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_post.id"))
    number: Mapped[int] = mapped_column(Integer)
    editor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    body_source: Mapped[str]
    # The topic's title with this version (first posts only).
    title: Mapped[str | None] = mapped_column(String(200))
    # Set when this revision restores an earlier one.
    reverted_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[timestamp]

    editor: Mapped[User | None] = relationship(lazy="raise_on_sql")


class Tag(db.Model):
    __tablename__ = "forum_tag"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(30), unique=True)
    topic_count: Mapped[int] = mapped_column(default=0)


class TopicTag(db.Model):
    __tablename__ = "forum_topic_tag"
    __table_args__ = (
        PrimaryKeyConstraint("topic_id", "tag_id"),
        Index("ix_forum_topic_tag_tag_id", "tag_id", "topic_id"),
    )

    topic_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_topic.id"))
    tag_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_tag.id"))


class ReactionType(db.Model):
    """The reactions admins offer; ``positive`` ones give the author "post kudos"."""

    __tablename__ = "forum_reaction_type"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str64]
    emoji: Mapped[str] = mapped_column(String(16))
    is_positive: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(default=0)


# name, English label (translated when shown), emoji, positive, position
DEFAULT_REACTIONS = [
    ("like", "Like", "👍", True, 1),
    ("thanks", "Thanks", "🙏", True, 2),
    ("insightful", "Insightful", "💡", True, 3),
    ("confused", "Confused", "😕", False, 4),
]


@event.listens_for(ReactionType.__table__, "after_create")
def _insert_default_reactions(target, connection, **kw) -> None:
    # create_all (tests, first run) gets the same defaults the migration inserts.
    connection.execute(
        insert(target),
        [
            {
                "name": n,
                "label": label,
                "emoji": emoji,
                "is_positive": pos,
                "is_active": True,
                "position": p,
            }
            for n, label, emoji, pos, p in DEFAULT_REACTIONS
        ],
    )


class Reaction(db.Model):
    """One member's reaction to one post (one per member per post)."""

    __tablename__ = "forum_reaction"
    __table_args__ = (
        PrimaryKeyConstraint("post_id", "user_id"),
        Index("ix_forum_reaction_user_id", "user_id"),
    )

    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_post.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(30), ForeignKey("forum_reaction_type.name"))
    created_at: Mapped[timestamp]


class PostReactionCount(db.Model):
    """How many of each reaction a post has (stored, SQL arithmetic)."""

    __tablename__ = "forum_post_reaction_count"
    __table_args__ = (PrimaryKeyConstraint("post_id", "name"),)

    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_post.id"))
    name: Mapped[str] = mapped_column(String(30))
    count: Mapped[int] = mapped_column(default=0)


class PostMention(db.Model):
    """Who a post has notified of a mention: once per member per post, edits included."""

    __tablename__ = "forum_post_mention"
    __table_args__ = (PrimaryKeyConstraint("post_id", "user_id"),)

    post_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_post.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))


class TopicUser(db.Model):
    """A member's state in a topic: how closely they follow it and what they have read."""

    __tablename__ = "forum_topic_user"
    __table_args__ = (
        PrimaryKeyConstraint("topic_id", "user_id"),
        Index("ix_forum_topic_user_user_id", "user_id"),
        Index("ix_forum_topic_user_watching", "topic_id", "level"),
    )

    topic_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_topic.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    # None: follow the category's level (or normal); set by the member or by posting.
    level: Mapped[int | None] = mapped_column(SmallInteger)
    last_read_number: Mapped[int] = mapped_column(default=0)
    last_read_at: Mapped[dt.datetime | None]


class CategoryUser(db.Model):
    """How closely a member follows a whole category."""

    __tablename__ = "forum_category_user"
    __table_args__ = (
        PrimaryKeyConstraint("category_id", "user_id"),
        Index("ix_forum_category_user_user_id", "user_id"),
    )

    category_id: Mapped[int] = mapped_column(BigId, ForeignKey("forum_category.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    level: Mapped[int] = mapped_column(SmallInteger)


class ForumVisit(db.Model):
    """When a member was last in the forums, and the visit before: "new since your last
    visit" is measured from ``previous_seen_at``."""

    __tablename__ = "forum_visit"

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), primary_key=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    previous_seen_at: Mapped[dt.datetime | None]


__all__ = [
    "DEFAULT_REACTIONS",
    "CategoryKind",
    "CategoryUser",
    "FocusGroupMember",
    "ForumCategory",
    "ForumVisit",
    "Level",
    "Post",
    "PostMention",
    "PostReactionCount",
    "PostRevision",
    "Reaction",
    "ReactionType",
    "Tag",
    "Topic",
    "TopicTag",
    "TopicUser",
]

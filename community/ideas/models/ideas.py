"""Ideas themselves: status, tags, status history, comments, follows, challenges and
the answers after shipping."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.catalog.models import Product
from community.core.db import BigId, intpk, str64, str200, timestamp
from community.extensions import db

TITLE_MAX = 150


class IdeaStatus(enum.StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    DECLINED = "declined"
    MERGED = "merged"


# Ideas in these statuses take no votes; their votes no longer use the voters' budget.
CLOSED_STATUSES = frozenset({IdeaStatus.SHIPPED, IdeaStatus.DECLINED, IdeaStatus.MERGED})


class Importance(enum.IntEnum):
    """How much a vote says the idea matters to the voter (weights the weighted votes)."""

    NICE_TO_HAVE = 1
    IMPORTANT = 2
    CRITICAL = 3


class FeedbackAnswer(enum.StrEnum):
    """The answers to "Did this solve it for you?", asked after an idea shipped."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class Challenge(db.Model):
    """A co-creation campaign: the team asks a question for a time window (optionally
    about one product); members submit ideas into it; the team picks winners."""

    __tablename__ = "idea_challenge"

    id: Mapped[intpk]
    slug: Mapped[str64] = mapped_column(unique=True)
    title: Mapped[str200]
    body_source: Mapped[str] = mapped_column(default="")
    body_html: Mapped[str] = mapped_column(default="")
    product_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("product.id"))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    # Set when the team picked the winners (the challenge is then decided).
    decided_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    created_at: Mapped[timestamp]
    idea_count: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product | None] = relationship(lazy="raise_on_sql")


class Idea(db.Model):
    __tablename__ = "idea"
    __table_args__ = (
        # The lists: trending, top and newest, all or by status, product or challenge.
        Index("ix_idea_hot", "hot", "id"),
        Index("ix_idea_votes", "vote_count", "id"),
        Index("ix_idea_status_hot", "status", "hot", "id"),
        Index("ix_idea_product_hot", "product_id", "hot", "id"),
        Index("ix_idea_status_shipped", "status", "shipped_at", "id"),
        Index("ix_idea_challenge", "challenge_id", "vote_count", "id"),
        Index("ix_idea_author_id", "author_id", "id"),
        # The team's prioritisation table, by value score or weighted votes.
        Index("ix_idea_value", "value_score", "id"),
        Index("ix_idea_weighted", "weighted_votes", "id"),
        # Merged ideas only: the lists' "merged_into_id IS NULL" must not pick it (on SQLite
        # a full index took every idea and sorted them, 100 ms at 20,000 ideas).
        Index(
            "ix_idea_merged_into_id",
            "merged_into_id",
            postgresql_where=text("merged_into_id IS NOT NULL"),
            sqlite_where=text("merged_into_id IS NOT NULL"),
        ),
    )

    id: Mapped[intpk]
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("product.id"))
    challenge_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("idea_challenge.id"))
    author_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    slug: Mapped[str200]
    body_source: Mapped[str] = mapped_column(default="")
    body_html: Mapped[str] = mapped_column(default="")
    status: Mapped[str] = mapped_column(String(20), default=IdeaStatus.OPEN.value)
    status_changed_at: Mapped[dt.datetime | None]
    shipped_at: Mapped[dt.datetime | None]
    # When the voters were asked "Did this solve it for you?" (once per shipping).
    feedback_asked_at: Mapped[dt.datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("idea.id"))
    pinned_comment_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[timestamp]
    # Stored counters: live votes (one per member), votes weighted by importance, the
    # value score (each vote's importance times its voter's customer value),
    # visible comments, and the answers to the question after shipping.
    vote_count: Mapped[int] = mapped_column(default=0)
    weighted_votes: Mapped[int] = mapped_column(default=0)
    value_score: Mapped[int] = mapped_column(BigInteger, default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    feedback_yes: Mapped[int] = mapped_column(default=0)
    feedback_partly: Mapped[int] = mapped_column(default=0)
    feedback_no: Mapped[int] = mapped_column(default=0)
    # "Trending": votes decayed by age, as a score that needs no recomputing over time
    # (newer ideas start higher; see services.listing.hot_score).
    hot: Mapped[float] = mapped_column(Float, default=0.0)
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None]

    product: Mapped[Product] = relationship(lazy="raise_on_sql")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")
    challenge: Mapped[Challenge | None] = relationship(lazy="raise_on_sql")
    tags: Mapped[list[IdeaTag]] = relationship(
        secondary="idea_tag_link", order_by="IdeaTag.name", lazy="raise_on_sql"
    )

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.status}>"


class IdeaTag(db.Model):
    __tablename__ = "idea_tag"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(30), unique=True)
    # Visible ideas with this tag.
    idea_count: Mapped[int] = mapped_column(default=0)


class IdeaTagLink(db.Model):
    __tablename__ = "idea_tag_link"
    __table_args__ = (
        PrimaryKeyConstraint("idea_id", "tag_id"),
        Index("ix_idea_tag_link_tag_id", "tag_id", "idea_id"),
    )

    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    tag_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea_tag.id"))


class IdeaStatusChange(db.Model):
    """One step of an idea's status history, with the team's note."""

    __tablename__ = "idea_status_change"
    __table_args__ = (Index("ix_idea_status_change_idea_id", "idea_id", "id"),)

    id: Mapped[intpk]
    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note_source: Mapped[str] = mapped_column(default="")
    note_html: Mapped[str] = mapped_column(default="")
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    created_at: Mapped[timestamp]

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise_on_sql")


class IdeaComment(db.Model):
    __tablename__ = "idea_comment"
    __table_args__ = (
        Index("ix_idea_comment_idea_id", "idea_id", "id"),
        Index("ix_idea_comment_author_id", "author_id", "id"),
    )

    id: Mapped[intpk]
    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    author_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    body_source: Mapped[str]
    body_html: Mapped[str]
    # Written by the team as the team's answer (badged on the page).
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[timestamp]
    edited_at: Mapped[dt.datetime | None]
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None]

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class IdeaFollow(db.Model):
    """Whether a member follows an idea. Voters, the author and commenters follow by
    default; ``following`` False remembers an unfollow, so voting again does not undo it."""

    __tablename__ = "idea_follow"
    __table_args__ = (
        PrimaryKeyConstraint("idea_id", "user_id"),
        Index("ix_idea_follow_user_id", "user_id"),
    )

    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    following: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[timestamp]


class ChallengeWinner(db.Model):
    __tablename__ = "idea_challenge_winner"
    __table_args__ = (PrimaryKeyConstraint("challenge_id", "idea_id"),)

    challenge_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea_challenge.id"))
    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    place: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[timestamp]


class ShipFeedback(db.Model):
    """A voter's answer to "Did this solve it for you?" after the idea shipped."""

    __tablename__ = "idea_ship_feedback"
    __table_args__ = (PrimaryKeyConstraint("idea_id", "user_id"),)

    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    answer: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[timestamp]

"""Product ideas: submitted and voted on by members, triaged and shipped by the team.

Counters shown on pages are stored and moved by SQL arithmetic in the transaction that
changes them (``vote_count``, ``weighted_votes``, ``comment_count``, a member's
``open_votes``); ``flask ideas recount`` recomputes every one of them from the rows.
A merge keeps what it moved (``IdeaMerge`` and its rows) so an unmerge restores exactly
the state before.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    SmallInteger,
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
    # value score (each vote's importance times its voter's value, services.priorities),
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


class IdeaVote(db.Model):
    """One member's vote on one idea. A proxy vote was recorded by a team member on the
    member's behalf (``proxy_by_id``): labelled, notified, withdrawable, outside the
    member's budget."""

    __tablename__ = "idea_vote"
    __table_args__ = (
        PrimaryKeyConstraint("idea_id", "user_id"),
        Index("ix_idea_vote_user_id", "user_id", "idea_id"),
        Index("ix_idea_vote_idea_created", "idea_id", "created_at"),
    )

    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    importance: Mapped[int] = mapped_column(SmallInteger, default=Importance.IMPORTANT.value)
    proxy_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    created_at: Mapped[timestamp]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")


class IdeaVoteDay(db.Model):
    """An idea's votes cast on one (UTC) day, of those it has now: the prioritisation
    table's trend (votes of the last 30 days) sums at most 30 of these rows per idea.
    Moved with every vote (``vote_counts``), rebuilt for both ideas of a merge."""

    __tablename__ = "idea_vote_day"
    __table_args__ = (Index("ix_idea_vote_day_day", "day", "idea_id"),)

    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    votes: Mapped[int] = mapped_column(default=0)


class IdeaVoter(db.Model):
    """A member's stored vote balance: their own (not proxy) votes on ideas that are not
    closed, which the vote budget limits; and the weight of their votes in the ideas'
    value scores (their customer value, 1 without one). Every change to a member's votes
    locks this row first and reads the weight from it (``vote_counts.voter_weight``),
    and a change of their customer value locks it before moving the scores: the two
    never miss each other."""

    __tablename__ = "idea_voter"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id"), primary_key=True, autoincrement=False
    )
    open_votes: Mapped[int] = mapped_column(default=0)
    value: Mapped[int] = mapped_column(BigInteger, default=1)


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


class IdeaMerge(db.Model):
    """A duplicate merged into another idea; ``undone_at`` once unmerged. Its rows keep
    what moved, so the unmerge restores the state before exactly."""

    __tablename__ = "idea_merge"
    __table_args__ = (Index("ix_idea_merge_source_id", "source_id", "id"),)

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    target_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea.id"))
    # The duplicate's status before the merge, restored by the unmerge.
    source_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    created_at: Mapped[timestamp]
    undone_at: Mapped[dt.datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))


class IdeaMergeVote(db.Model):
    """A vote the duplicate had when merged; ``moved``: it became a vote on the target
    (False: the member had voted for the target already, so it counts once)."""

    __tablename__ = "idea_merge_vote"
    __table_args__ = (PrimaryKeyConstraint("merge_id", "user_id"),)

    merge_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea_merge.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    importance: Mapped[int] = mapped_column(SmallInteger)
    proxy_by_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[dt.datetime]
    moved: Mapped[bool] = mapped_column(Boolean)


class IdeaMergeFollow(db.Model):
    """A follow row of the duplicate when merged; ``moved``: it was added to the target."""

    __tablename__ = "idea_merge_follow"
    __table_args__ = (PrimaryKeyConstraint("merge_id", "user_id"),)

    merge_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea_merge.id"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    following: Mapped[bool] = mapped_column(Boolean)
    moved: Mapped[bool] = mapped_column(Boolean)


class IdeaMergeComment(db.Model):
    """A comment moved from the duplicate to the target by a merge."""

    __tablename__ = "idea_merge_comment"
    __table_args__ = (PrimaryKeyConstraint("merge_id", "comment_id"),)

    merge_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea_merge.id"))
    comment_id: Mapped[int] = mapped_column(BigId, ForeignKey("idea_comment.id"))


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


class CustomerValue(db.Model):
    """What a member is worth to the business, set by the team (by hand or CSV): the
    value weights their votes in the prioritisation table; the segment (e.g. their plan)
    groups them."""

    __tablename__ = "customer_value"
    __table_args__ = (Index("ix_customer_value_segment", "segment"),)

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("user_account.id"), primary_key=True, autoincrement=False
    )
    value: Mapped[int] = mapped_column(default=0)
    segment: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[timestamp]
    updated_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))


__all__ = [
    "CLOSED_STATUSES",
    "TITLE_MAX",
    "Challenge",
    "ChallengeWinner",
    "CustomerValue",
    "FeedbackAnswer",
    "Idea",
    "IdeaComment",
    "IdeaFollow",
    "IdeaMerge",
    "IdeaMergeComment",
    "IdeaMergeFollow",
    "IdeaMergeVote",
    "IdeaStatus",
    "IdeaStatusChange",
    "IdeaTag",
    "IdeaTagLink",
    "IdeaVote",
    "IdeaVoteDay",
    "IdeaVoter",
    "Importance",
    "ShipFeedback",
]

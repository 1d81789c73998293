"""Votes: one row per member and idea, the votes per day, each voter's budget balance and
weight, and the customer value the team sets (the weight's source)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import BigId, timestamp
from community.extensions import db
from community.ideas.models.ideas import Importance


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

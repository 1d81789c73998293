"""Merges: a duplicate merged into another idea keeps what moved (votes, follows,
comments), so an unmerge restores the state before exactly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, PrimaryKeyConstraint, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.db import BigId, intpk, timestamp
from community.extensions import db


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

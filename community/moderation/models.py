"""The append-only audit log, flags, the review queue and penalties."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DDL, JSON, Boolean, Float, ForeignKey, Index, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import BigId, intpk, timestamp, utcnow
from community.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_actor_id_id", "actor_id", "id"),
        Index("ix_audit_entry_action_id", "action", "id"),
    )

    id: Mapped[intpk]
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(BigId)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[timestamp]

    actor: Mapped[User | None] = relationship(lazy="raise_on_sql")


# The database itself refuses to change or delete audit rows; migrations create the same.
APPEND_ONLY_SQLITE = [
    DDL(
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    ),
    DDL(
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    ),
]
APPEND_ONLY_POSTGRESQL = [
    DDL(
        "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$ LANGUAGE plpgsql"
    ),
    DDL(
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
    ),
]
for _ddl in APPEND_ONLY_SQLITE:
    event.listen(AuditEntry.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))
for _ddl in APPEND_ONLY_POSTGRESQL:
    event.listen(AuditEntry.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    OTHER = "other"  # needs a text


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    AGREED = "agreed"  # the team hid the item
    DISMISSED = "dismissed"  # the team approved the item


class Flag(db.Model):
    """One member's report of one item (one per member per item)."""

    __tablename__ = "flag"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "flagger_id"),
        Index("ix_flag_flagger_id", "flagger_id", "id"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigId)
    flagger_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(default="")
    # The flagger's weight when they flagged (grows with their agreed flags).
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    status: Mapped[str] = mapped_column(String(16), default=FlagStatus.OPEN.value)
    created_at: Mapped[timestamp]

    flagger: Mapped[User] = relationship(lazy="raise_on_sql")


class FlaggerRecord(db.Model):
    """How often a member's flags were agreed with or dismissed (their flag weight)."""

    __tablename__ = "flagger_record"

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), primary_key=True)
    agreed: Mapped[int] = mapped_column(default=0)
    dismissed: Mapped[int] = mapped_column(default=0)


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    RESOLVED = "resolved"


class ReviewItem(db.Model):
    """An item in the review queue: one row per reviewed thing, reopened when it comes
    back (a new flag, an author's edit asking for review)."""

    __tablename__ = "review_item"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id"),
        # The queue: pending items, oldest first, by kind.
        Index("ix_review_item_status_queued", "status", "queued_at", "id"),
        Index("ix_review_item_author_id", "author_id"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigId)
    author_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.PENDING.value)
    # Why it is in the queue: "flagged", "held" (fraud or spam checks), "first_post"
    # (a sandboxed member's first post), "edited" (the author asks for another look).
    source: Mapped[str] = mapped_column(String(16))
    # The main flag reason, for the filter (None when not flagged).
    reason: Mapped[str | None] = mapped_column(String(32))
    flag_weight: Mapped[float] = mapped_column(Float, default=0.0)
    risk_score: Mapped[int] = mapped_column(default=0)
    risk_reasons: Mapped[list] = mapped_column(JSON, default=list)
    # Hidden by the flag threshold, pending review (restored when approved).
    auto_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # The author used their one edit to ask for review.
    author_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    queued_at: Mapped[timestamp]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    resolution: Mapped[str | None] = mapped_column(String(32))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="raise_on_sql")


class PenaltyKind(enum.StrEnum):
    WARN = "warn"  # a private message the member must acknowledge
    SILENCE = "silence"  # read-only until it ends
    SUSPEND = "suspend"  # cannot log in until it ends


class Penalty(db.Model):
    """A penalty given to a member, kept as their history for the team."""

    __tablename__ = "penalty"
    __table_args__ = (Index("ix_penalty_user_id", "user_id", "id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str]
    # The reviewed item it answers, if any.
    review_item_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("review_item.id"))
    created_at: Mapped[timestamp]
    ends_at: Mapped[dt.datetime | None]
    acknowledged_at: Mapped[dt.datetime | None]
    lifted_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise_on_sql")

    @property
    def is_running(self) -> bool:
        """In force: not lifted, and (a silence or suspension) not over yet; a warning is
        in force until acknowledged."""
        if self.lifted_at is not None:
            return False
        if self.kind == PenaltyKind.WARN:
            return self.acknowledged_at is None
        return self.ends_at is not None and self.ends_at > utcnow()

"""The append-only audit log of team and admin actions."""

from __future__ import annotations

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import BigId, intpk, timestamp
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

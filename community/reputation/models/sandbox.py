"""The new-member sandbox: how much a member created while their first limits applied."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.db import BigId
from community.extensions import db


class SandboxUsage(db.Model):
    """How many creations of one kind (``topic``, ``post``) a sandboxed member has made.

    Moved only by a conditional ``UPDATE ... SET used = used + 1 WHERE used < limit``, so
    concurrent requests can never go past the limit. Rows are only read while the member
    is in the sandbox; afterwards they are harmless history.
    """

    __tablename__ = "sandbox_usage"

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    used: Mapped[int] = mapped_column(default=0)

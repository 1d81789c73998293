"""Users and their API tokens."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.db import BigId, intpk, str30, str64, str255, timestamp, utcnow
from community.extensions import db


class Role(enum.StrEnum):
    MEMBER = "member"
    TEAM = "team"
    ADMIN = "admin"


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[intpk]
    username: Mapped[str30]
    # Lower-cased username: uniqueness ignores case.
    username_key: Mapped[str30] = mapped_column(unique=True)
    email: Mapped[str255] = mapped_column(unique=True)
    email_confirmed_at: Mapped[dt.datetime | None]
    password_hash: Mapped[str255]
    display_name: Mapped[str64] = mapped_column(default="")
    bio_source: Mapped[str] = mapped_column(default="")
    bio_html: Mapped[str] = mapped_column(default="")
    # Moderation hid the profile's own text (display name and bio): others see only the
    # username; the member and the team see it marked hidden with the reason.
    profile_hidden_at: Mapped[dt.datetime | None]
    profile_hidden_reason: Mapped[str | None]
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[timestamp]
    # Bumped on logout, password change, role change and suspension: old sessions die.
    session_version: Mapped[int] = mapped_column(default=1)
    suspended_until: Mapped[dt.datetime | None]
    suspension_reason: Mapped[str | None]
    # Moderation penalties kept on the row, so every request knows them without a query:
    # a silenced member reads but cannot write; warnings wait to be acknowledged.
    silenced_until: Mapped[dt.datetime | None]
    unacknowledged_warnings: Mapped[int] = mapped_column(default=0, server_default="0")
    erased_at: Mapped[dt.datetime | None]
    unread_notifications: Mapped[int] = mapped_column(default=0)
    # Kept by the reputation ledger (SQL arithmetic), stored here because every author
    # name shows a rank and a title: no extra query per name.
    # Not indexed: boards and places read the period roll-ups, and every award moves it
    # (an index would be written with each of them).
    reputation: Mapped[int] = mapped_column(default=0)
    title_badge: Mapped[str | None] = mapped_column(String(40))

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", order_by="ApiToken.id.desc()", lazy="raise_on_sql"
    )

    # Flask-Login's protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_active(self) -> bool:
        return self.erased_at is None and not self.is_suspended

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > utcnow()

    @property
    def is_silenced(self) -> bool:
        return self.silenced_until is not None and self.silenced_until > utcnow()

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_team(self) -> bool:
        return self.role in (Role.TEAM, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_profile_hidden(self) -> bool:
        return self.profile_hidden_at is not None

    @property
    def public_display_name(self) -> str:
        """The display name as others may see it: empty while moderation hides it."""
        return "" if self.is_profile_hidden else self.display_name

    @property
    def name(self) -> str:
        """What to print as the author's name (a hidden display name never shows)."""
        return self.public_display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class ApiToken(db.Model):
    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_user_id", "user_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    name: Mapped[str64]
    # sha256 of the secret; the secret itself is shown once and never stored.
    token_hash: Mapped[str64] = mapped_column(unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[timestamp]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()


class AnonymousUser:
    """The visitor who is not logged in; answers the same questions as User."""

    id = None
    role = None
    locale = None
    username = ""
    unread_notifications = 0
    reputation = 0
    title_badge = None
    is_authenticated = False
    is_anonymous = True
    is_active = False
    is_team = False
    is_admin = False
    is_suspended = False
    is_silenced = False
    unacknowledged_warnings = 0
    is_erased = False
    email_confirmed_at = None

    def get_id(self) -> None:
        return None

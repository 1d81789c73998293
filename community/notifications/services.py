"""Notify members and keep their stored unread count exact."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, String, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import make_transient_to_detached

from community.accounts import services as accounts
from community.accounts.models import User
from community.core import subjects
from community.core.db import (
    BigId,
    UTCDateTime,
    expire_loaded,
    prepared,
    run_together,
    together,
    utcnow,
)
from community.core.errors import NotFound
from community.core.pagination import newest_first
from community.extensions import db
from community.notifications import policy
from community.notifications.models import Notification

TEXT_MAX = 200
PER_PAGE = 30


def notify(
    user: User, kind: str, subject: Any, text: str, seen_checked: bool = False
) -> Notification | None:
    """Tell ``user`` about ``subject``; erased accounts, and users who cannot see the
    subject, get nothing. ``seen_checked``: the caller has just checked, by the same
    rules, that ``user`` may see ``subject`` (in Python, for many members at once), so
    the check's query is left out."""
    if user.is_erased:
        return None
    subject_type, subject_id = subjects.ref(subject)
    if not seen_checked and not subjects.is_visible(subject_type, subject_id, user):
        return None
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    values = {
        "user_id": user.id,
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "text": text,
        "created_at": utcnow(),
    }
    params = {f"n_{column}": value for column, value in values.items()}
    params["u_delta"] = 1
    notification_id = run_together(_notify_writes(), params).scalar_one()
    _forget_unread(user.id)
    notification = Notification(id=notification_id, read_at=None, **values)
    make_transient_to_detached(notification)  # the row exists: attach it without a query
    db.session.add(notification)
    return notification


@prepared
def _notify_writes() -> tuple[Any, ...]:
    """The notification's INSERT (returning its id) and the member's unread count + 1,
    in one round trip where the database allows: every write that notifies runs them."""
    table = Notification.__table__
    notification = insert(table).values(
        user_id=bindparam("n_user_id", type_=BigId),
        kind=bindparam("n_kind", type_=String()),
        subject_type=bindparam("n_subject_type", type_=String()),
        subject_id=bindparam("n_subject_id", type_=BigId),
        text=bindparam("n_text", type_=String()),
        created_at=bindparam("n_created_at", type_=UTCDateTime()),
    )
    return together(_unread_move(), notification.returning(table.c.id))


def _unread_move() -> Any:
    """The member ``n_user_id``'s stored unread count moved by ``u_delta``."""
    users = User.__table__
    return (
        update(users)
        .where(users.c.id == bindparam("n_user_id", type_=BigId))
        .values(
            unread_notifications=users.c.unread_notifications
            + bindparam("u_delta", type_=Integer())
        )
    )


@prepared
def _unread_writes() -> tuple[Any, ...]:
    return together(_unread_move())


def _bump_unread(user_id: int, delta: int) -> None:
    run_together(_unread_writes(), {"n_user_id": user_id, "u_delta": delta})
    _forget_unread(user_id)


def _forget_unread(user_id: int) -> None:
    expire_loaded(User, user_id, ["unread_notifications"])


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    next_cursor: int | None
    # notification id -> where it leads (None: no link, or its subject is gone)
    links: dict[int, str | None]


def list_for(user: User, cursor: int | None, per_page: int = PER_PAGE) -> NotificationPage:
    """The user's notifications, newest first, with their links, leaving out those whose
    subject they can no longer see; one query per subject kind, not per row."""
    page = newest_first(
        select(Notification).where(Notification.user_id == user.id),
        Notification.id,
        cursor,
        per_page,
    )
    resolved = subjects.resolve(user, [(n.subject_type, n.subject_id) for n in page.items])
    visible = [n for n in page.items if resolved.is_visible(n.subject_type, n.subject_id)]
    return NotificationPage(
        items=visible,
        next_cursor=page.next_cursor,
        links={n.id: resolved.url(n.subject_type, n.subject_id) for n in visible},
    )


def link(notification: Notification, viewer: User) -> str | None:
    """Where one notification leads, if its subject is still visible to the viewer."""
    kind, subject_id = notification.subject_type, notification.subject_id
    return subjects.resolve(viewer, [(kind, subject_id)]).url(kind, subject_id)


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; the unread count follows."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or not policy.can_read(user, notification):
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        changed = db.session.execute(
            update(Notification)
            .where(Notification.id == notification.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        ).rowcount
        if changed:
            _bump_unread(user.id, -changed)
        db.session.refresh(notification, ["read_at"])
    return notification


def mark_all_read(user: User) -> int:
    """Mark every notification of the user read; returns how many changed."""
    changed = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
    if changed:
        _bump_unread(user.id, -changed)
    return changed


def recount_unread(user: User) -> int:
    """Set the stored unread count from the rows; returns the true count."""
    count = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )
    db.session.execute(update(User).where(User.id == user.id).values(unread_notifications=count))
    return count or 0


def _export(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [
        {
            "kind": n.kind,
            "text": n.text,
            "subject": [n.subject_type, n.subject_id] if n.subject_type else None,
            "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None,
        }
        for n in rows
    ]


def _erase(user: User) -> None:
    # Notifications are private to their addressee; nobody else counts them.
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(update(User).where(User.id == user.id).values(unread_notifications=0))


accounts.register_exporter("notifications", _export)
accounts.register_eraser(_erase)

"""The audit log and the account actions the team and admins take."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from community.accounts import services as accounts
from community.accounts.models import Role, User
from community.accounts.services.lifecycle import reverse_votes_of
from community.core import subjects
from community.core.db import utcnow
from community.core.errors import InvalidInput, PermissionDenied
from community.core.pagination import Page, newest_first
from community.extensions import db
from community.moderation import policy
from community.moderation.models import AuditEntry, Penalty, PenaltyKind
from community.notifications.services import notify

PER_PAGE = 50
SUSPENSION_MAX_DAYS = 3650


def audit(actor: User | None, action: str, subject: Any, details: dict | None = None) -> AuditEntry:
    """Append one entry to the audit log; entries are never changed or deleted."""
    subject_type, subject_id = subjects.ref(subject)
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details or {},
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def list_audit(
    viewer: User, actor: str | None, action: str | None, cursor: int | None
) -> Page[AuditEntry]:
    """The audit log, newest first, filtered by actor username and action."""
    if not policy.can_view_audit(viewer):
        raise PermissionDenied(_("Only administrators can read the audit log."))
    stmt = select(AuditEntry).options(selectinload(AuditEntry.actor))
    if actor:
        stmt = stmt.join(User, AuditEntry.actor_id == User.id).where(
            User.username_key == actor.strip().lower()
        )
    if action:
        stmt = stmt.where(AuditEntry.action == action.strip())
    return newest_first(stmt, AuditEntry.id, cursor, PER_PAGE)


def audit_actions() -> list[str]:
    """Every action name that occurs in the log, for the filter."""
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by("action")))


def change_role(actor: User, user: User, role: str) -> None:
    """Give ``user`` a new role (audited); their sessions end."""
    if not policy.can_change_role(actor, user):
        raise PermissionDenied(_("You cannot change this member's role."))
    old = user.role
    accounts.set_role(user, role)
    if old != user.role:
        audit(actor, "user.role", user, {"from": old, "to": user.role})
        notify(user, "role", user, _("Your role is now: %(role)s", role=role_label(user.role)))


def role_label(role: str) -> str:
    """The translated name of a role."""
    return {
        Role.MEMBER: _("Member"),
        Role.TEAM: _("Product team"),
        Role.ADMIN: _("Administrator"),
    }.get(Role(role), role)


def suspend(actor: User, user: User, days: int, reason: str, sock_puppet: bool = False) -> int:
    """Suspend ``user`` for ``days`` days with a reason (audited); they are logged out and
    their API tokens stop working. A sock puppet's votes are also reversed, taking back
    the reputation they gave; returns how many votes were reversed."""
    if not policy.can_suspend(actor, user):
        raise PermissionDenied(_("You cannot suspend this member."))
    if not 1 <= days <= SUSPENSION_MAX_DAYS:
        raise InvalidInput(_("Choose between 1 and 3650 days."), field="days")
    reason = _required_reason(reason)
    until = utcnow() + dt.timedelta(days=days)
    accounts.set_suspension(user, until, reason)
    # In the member's penalty history too, where later penalties escalate from it.
    penalty = Penalty(
        user_id=user.id,
        actor_id=actor.id,
        kind=PenaltyKind.SUSPEND.value,
        reason=reason,
        ends_at=until,
    )
    db.session.add(penalty)
    db.session.flush()
    details: dict[str, Any] = {
        "until": until.isoformat(),
        "reason": reason,
        "penalty_id": penalty.id,
    }
    reversed_votes = 0
    if sock_puppet:
        reversed_votes = reverse_votes_of(user)
        details.update(sock_puppet=True, votes_reversed=reversed_votes)
    audit(actor, "user.suspend", user, details)
    return reversed_votes


def erase_sock_puppet(actor: User, user: User, reason: str) -> int:
    """Erase a sock-puppet account for good (audited): its votes are reversed first, then
    it is anonymised, so what it wrote stays readable as "deleted user". Returns how many
    votes were reversed."""
    if not policy.can_suspend(actor, user):
        raise PermissionDenied(_("You cannot erase this account."))
    reason = _required_reason(reason)
    reversed_votes = reverse_votes_of(user)
    accounts.anonymise(user)
    audit(
        actor,
        "user.erase",
        user,
        {"reason": reason, "sock_puppet": True, "votes_reversed": reversed_votes},
    )
    return reversed_votes


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason."), field="reason")
    return reason


def lift_suspension(actor: User, user: User) -> None:
    """End a suspension early (audited)."""
    if not policy.can_manage_users(actor):
        raise PermissionDenied(_("You cannot lift this suspension."))
    if user.suspended_until is None:
        return
    accounts.set_suspension(user, None, None)
    now = utcnow()
    db.session.execute(
        update(Penalty)
        .where(
            Penalty.user_id == user.id,
            Penalty.kind == PenaltyKind.SUSPEND.value,
            Penalty.lifted_at.is_(None),
            Penalty.ends_at > now,
        )
        .values(lifted_at=now),
        execution_options={"synchronize_session": False},
    )
    audit(actor, "user.unsuspend", user, {})


def list_users(viewer: User, query: str | None, cursor: int | None) -> Page[User]:
    """Accounts for the admin, newest first, optionally by username or email prefix."""
    if not policy.can_manage_users(viewer):
        raise PermissionDenied(_("Only administrators can manage members."))
    stmt = select(User).where(User.erased_at.is_(None))
    if query:
        needle = query.strip().lower().replace("%", "").replace("_", r"\_") + "%"
        stmt = stmt.where(
            User.username_key.like(needle, escape="\\") | User.email.like(needle, escape="\\")
        )
    return newest_first(stmt, User.id, cursor, PER_PAGE)


def _export(user: User) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)
    )
    return [
        {
            "action": e.action,
            "subject": [e.subject_type, e.subject_id] if e.subject_type else None,
            "details": e.details,
            "created_at": e.created_at.isoformat(),
        }
        for e in rows
    ]


accounts.register_exporter("audit_actions", _export)

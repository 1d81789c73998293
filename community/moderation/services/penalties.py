"""Penalties the team gives members: warnings, silences and suspensions.

A warning is a private message the member must acknowledge (a banner asks until they
do). A silence makes the member read-only until it ends: every writing service starts
with ``check_can_write``. A suspension keeps them from logging in until it ends; the
login page tells them why and until when.

Escalating defaults: when no number of days is given, a member's first silence lasts
``SILENCE_DAYS[0]`` days, the second ``SILENCE_DAYS[1]`` and every later one the last
step; suspensions likewise with ``SUSPENSION_DAYS``. Earlier penalties of the same kind
count unless they were lifted (a lifted penalty was withdrawn). The team may give any
number of days instead; a reason is always required and shown to the member.

Each penalty is a ``Penalty`` row (the member's history for the team), audited as
``penalty.<kind>`` on the member, and the member is notified in their language. The
state every request needs is kept on the user row: ``silenced_until`` (the latest end of
their silences), ``suspended_until`` and ``unacknowledged_warnings`` (moved by SQL
arithmetic).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import case, func, literal, select, update

from community.accounts import services as accounts
from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.moderation import policy
from community.moderation.models import Penalty, PenaltyKind, ReviewItem
from community.moderation.services import SUSPENSION_MAX_DAYS, audit
from community.notifications.services import notify

SILENCE_DAYS = (1, 7, 30)
SUSPENSION_DAYS = (7, 30, 365)
MAX_DAYS = SUSPENSION_MAX_DAYS
REASON_MAX = 500
NOTIFICATION_KIND = "penalty"

_STEPS = {PenaltyKind.SILENCE: SILENCE_DAYS, PenaltyKind.SUSPEND: SUSPENSION_DAYS}


# ---------------------------------------------------------------- the read-only check


def check_can_write(user: Any) -> None:
    """Refuse a silenced member (PermissionDenied naming when the silence ends); call it
    first in every service that writes content, reacts or flags."""
    if getattr(user, "is_silenced", False):
        raise PermissionDenied(
            _(
                "You are silenced until %(until)s: you can read but not post.",
                until=format_datetime(user.silenced_until, "short"),
            )
        )


# ---------------------------------------------------------------- giving penalties


def default_days(user: User, kind: str) -> int:
    """The escalating default length of the member's next silence or suspension: the
    step after the number of earlier (not lifted) penalties of that kind."""
    steps = _STEPS[PenaltyKind(kind)]
    earlier = (
        db.session.scalar(
            select(func.count(Penalty.id)).where(
                Penalty.user_id == user.id,
                Penalty.kind == PenaltyKind(kind).value,
                Penalty.lifted_at.is_(None),
            )
        )
        or 0
    )
    return steps[min(earlier, len(steps) - 1)]


def warn(actor: User, user: User, reason: str, item: ReviewItem | None = None) -> Penalty:
    """Send the member a warning they must acknowledge (team; audited; notified)."""
    penalty = _give(actor, user, PenaltyKind.WARN, reason, None, item)
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(unacknowledged_warnings=User.unacknowledged_warnings + 1)
    )
    db.session.refresh(user, ["unacknowledged_warnings"])
    _tell(
        user,
        penalty,
        lambda: _(
            "The team sent you a warning. Please read it and confirm that you have: %(reason)s",
            reason=penalty.reason,
        ),
    )
    return penalty


def silence(
    actor: User,
    user: User,
    reason: str,
    days: int | None = None,
    item: ReviewItem | None = None,
) -> Penalty:
    """Make the member read-only for ``days`` days (or the escalating default: 1, 7, then
    30) (team; audited; notified); a longer silence already running stays."""
    penalty = _give(actor, user, PenaltyKind.SILENCE, reason, days, item)
    until = penalty.ends_at
    new_end = literal(until, type_=User.__table__.c.silenced_until.type)
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            silenced_until=case(
                (User.silenced_until.is_(None), new_end),
                (User.silenced_until < new_end, new_end),
                else_=User.silenced_until,
            )
        )
    )
    db.session.refresh(user, ["silenced_until"])
    _tell(
        user,
        penalty,
        lambda: _(
            "You are silenced until %(until)s: you can read but not post. Reason: %(reason)s",
            until=format_datetime(until, "short"),
            reason=penalty.reason,
        ),
    )
    return penalty


def suspend_member(
    actor: User,
    user: User,
    reason: str,
    days: int | None = None,
    item: ReviewItem | None = None,
) -> Penalty:
    """Suspend the member for ``days`` days (or the escalating default: 7, 30, then 365)
    (team; audited; notified): they are logged out, their API tokens stop working, and
    the login page tells them why and until when. A longer suspension already running
    stays."""
    penalty = _give(actor, user, PenaltyKind.SUSPEND, reason, days, item)
    until = penalty.ends_at
    assert until is not None
    if not user.is_suspended or user.suspended_until is None or user.suspended_until < until:
        accounts.set_suspension(user, until, penalty.reason)
    else:
        accounts.end_sessions(user)
    _tell(
        user,
        penalty,
        lambda: _(
            "Your account is suspended until %(until)s. Reason: %(reason)s",
            until=format_datetime(until, "short"),
            reason=penalty.reason,
        ),
    )
    return penalty


def _give(
    actor: User,
    user: User,
    kind: PenaltyKind,
    reason: str,
    days: int | None,
    item: ReviewItem | None,
) -> Penalty:
    if not policy.can_penalize(actor, user):
        raise PermissionDenied(_("You cannot give this member a penalty."))
    reason = check_reason(reason)
    details: dict[str, Any] = {"reason": reason}
    now = utcnow()
    ends_at = None
    if kind != PenaltyKind.WARN:
        usual = default_days(user, kind)
        days = usual if days is None else check_days(days)
        ends_at = now + dt.timedelta(days=days)
        details.update(days=days, default_days=usual, until=ends_at.isoformat())
    penalty = Penalty(
        user_id=user.id,
        actor_id=actor.id,
        kind=kind.value,
        reason=reason,
        review_item_id=item.id if item is not None else None,
        created_at=now,
        ends_at=ends_at,
    )
    db.session.add(penalty)
    db.session.flush()
    details["penalty_id"] = penalty.id
    if item is not None:
        details["review_item_id"] = item.id
    audit(actor, f"penalty.{kind.value}", user, details)
    return penalty


def check_reason(reason: Any) -> str:
    """The stripped reason; InvalidInput on field "reason" when empty or too long."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput(_("Please give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=REASON_MAX), field="reason")
    return reason


def check_days(days: Any) -> int:
    """A whole number of days from 1 to 3650; InvalidInput on field "days" otherwise."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput(_("Please enter a whole number."), field="days") from None
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(_("Choose between 1 and 3650 days."), field="days")
    return days


def _tell(user: User, penalty: Penalty, text: Any) -> None:
    # A notification is stored as text: in the member's language, not the actor's.
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        notify(user, NOTIFICATION_KIND, penalty, text())


# ---------------------------------------------------------------- acknowledging, lifting


def get_penalty(penalty_id: int) -> Penalty:
    """The penalty, or NotFound."""
    penalty = db.session.get(Penalty, penalty_id)
    if penalty is None:
        raise NotFound(_("No such penalty."))
    return penalty


def get_review_item(item_id: int) -> ReviewItem:
    """The review item a penalty answers, or NotFound."""
    item = db.session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(_("No such item."))
    return item


def acknowledge(user: User, penalty: Penalty) -> None:
    """The member confirms they read their warning; the banner count drops once, however
    often they confirm. Someone else's penalty is NotFound."""
    if penalty.user_id != user.id:
        raise NotFound(_("No such penalty."))
    if penalty.kind != PenaltyKind.WARN:
        raise Conflict(_("Only warnings need to be acknowledged."))
    changed = db.session.execute(
        update(Penalty)
        .where(
            Penalty.id == penalty.id,
            Penalty.acknowledged_at.is_(None),
            Penalty.lifted_at.is_(None),
        )
        .values(acknowledged_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.expire(penalty, ["acknowledged_at"])
    if changed:
        _move_warnings(user, -1)


def _move_warnings(user: User, delta: int) -> None:
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(unacknowledged_warnings=User.unacknowledged_warnings + delta)
    )
    db.session.refresh(user, ["unacknowledged_warnings"])


def lift(actor: User, penalty: Penalty) -> None:
    """Withdraw a penalty (team; audited; the member is told): a silence or suspension
    ends unless another one runs longer, a pending warning no longer waits, and a lifted
    penalty no longer counts for escalation. Conflict when already lifted."""
    if not policy.can_lift_penalty(actor):
        raise PermissionDenied(_("You cannot lift penalties."))
    # One conditional UPDATE: two moderators lifting at once, or the member acknowledging
    # meanwhile, move the warning count exactly once.
    row = db.session.execute(
        update(Penalty)
        .where(Penalty.id == penalty.id, Penalty.lifted_at.is_(None))
        .values(lifted_at=utcnow())
        .returning(Penalty.acknowledged_at),
        execution_options={"synchronize_session": False},
    ).one_or_none()
    db.session.expire(penalty, ["lifted_at", "acknowledged_at"])
    if row is None:
        raise Conflict(_("This penalty is already lifted."))
    user = db.session.get(User, penalty.user_id)
    assert user is not None
    kind = PenaltyKind(penalty.kind)
    if kind == PenaltyKind.WARN and row.acknowledged_at is None:
        _move_warnings(user, -1)
    elif kind == PenaltyKind.SILENCE:
        longest = _longest_running(user, PenaltyKind.SILENCE)
        user.silenced_until = longest.ends_at if longest is not None else None
    elif kind == PenaltyKind.SUSPEND and _keeps_out(user, penalty):
        longest = _longest_running(user, PenaltyKind.SUSPEND)
        if longest is None:
            accounts.set_suspension(user, None, None)
        else:
            accounts.set_suspension(user, longest.ends_at, longest.reason)
    db.session.flush()
    audit(actor, "penalty.lift", user, {"penalty_id": penalty.id, "kind": kind.value})
    given = penalty.created_at
    messages = {
        PenaltyKind.WARN: lambda: _(
            "The warning of %(date)s was withdrawn.", date=format_datetime(given, "short")
        ),
        PenaltyKind.SILENCE: lambda: _(
            "Your silence of %(date)s was lifted.", date=format_datetime(given, "short")
        ),
        PenaltyKind.SUSPEND: lambda: _(
            "Your suspension of %(date)s was lifted.", date=format_datetime(given, "short")
        ),
    }
    _tell(user, penalty, messages[kind])


def _keeps_out(user: User, penalty: Penalty) -> bool:
    """Whether this suspension is the one keeping the member out (none runs longer)."""
    return (
        user.is_suspended
        and user.suspended_until is not None
        and penalty.ends_at is not None
        and user.suspended_until <= penalty.ends_at
    )


def _longest_running(user: User, kind: PenaltyKind) -> Penalty | None:
    return db.session.scalar(
        select(Penalty)
        .where(
            Penalty.user_id == user.id,
            Penalty.kind == kind.value,
            Penalty.lifted_at.is_(None),
            Penalty.ends_at > utcnow(),
        )
        .order_by(Penalty.ends_at.desc(), Penalty.id.desc())
        .limit(1)
    )

"""Badges: awards (automatic ones by ``badge_rules`` and features, and by the team),
revocations by the team, titles.

A member holds a badge while a live (not revoked) award of it exists; the database allows
one live award per member and badge, so concurrent awards cannot double it. The number of
holders per badge is stored and moved by SQL arithmetic on every award and revocation.

Features award the badges that have no ledger rule with ``award_if_missing``. A badge the
team revoked is not given back automatically (by a rule or a feature); only the team gives
it again. One revoked automatically (``revoke_badge(None, ...)``) may come back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import joinedload, make_transient_to_detached

from community.accounts import services as accounts
from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core.db import add_to_counter, dialect_insert, prepared, utcnow
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.core.pagination import Page, newest_first
from community.extensions import db
from community.moderation.services import audit
from community.notifications.services import notify
from community.reputation.badges import (
    BADGES,
    Badge,
)
from community.reputation.models import BadgeAward, BadgeCount

HOLDERS_PER_PAGE = 50
REASON_MAX = 500


def can_manage_badges(viewer: Any) -> bool:
    """The team awards and revokes badges by hand."""
    return bool(viewer.is_authenticated and viewer.is_team)


def get_badge(key: str) -> Badge:
    """The badge of this key, or NotFound."""
    badge = BADGES.get(key)
    if badge is None:
        raise NotFound(_("No such badge."))
    return badge


def badge_title(key: str) -> str | None:
    """The name of a badge shown as a member's title (None for an unknown key)."""
    badge = BADGES.get(key) if key else None
    return str(badge.name) if badge is not None else None


# ---------------------------------------------------------------- automatic awards


def award_if_missing(user: User, key: str, reason: str = "") -> BadgeAward | None:
    """Award badge ``key`` automatically unless the member holds it (or the team took it
    from them); returns the new award, or None. For features: ``elected``, ``first_idea``,
    ``market_maven``."""
    badge = BADGES.get(key)
    if badge is None:
        raise KeyError(f"unknown badge {key!r}; add it to reputation/badges.py")
    if _blocked_keys(user.id, [key]):
        return None
    return grant(user, badge, None, reason.strip()[:REASON_MAX])


def blocking(award: Any = BadgeAward) -> Any:
    """An award (``BadgeAward`` or an alias) that stops an automatic one: live, or revoked
    by the team."""
    return or_(award.revoked_at.is_(None), award.revoked_by_id.is_not(None))


def _blocked_keys(user_id: int, keys: Iterable[str]) -> set[str]:
    """Of ``keys``, those the member holds or the team revoked from them (one query)."""
    return set(
        db.session.scalars(
            select(BadgeAward.badge_key)
            .where(BadgeAward.user_id == user_id, BadgeAward.badge_key.in_(list(keys)), blocking())
            .distinct()
        )
    )


# ---------------------------------------------------------------- awards by the team


def award_badge(actor: User, key: str, username: str, reason: str) -> BadgeAward:
    """Give badge ``key`` to the member ``username`` with a reason (team only, audited,
    the member is notified); Conflict when they already hold it."""
    if not can_manage_badges(actor):
        raise PermissionDenied(_("Only the team awards badges."))
    badge = get_badge(key)
    reason = _required_reason(reason)
    try:
        user = accounts.get_by_username((username or "").strip())
    except NotFound:
        raise InvalidInput(_("There is no member with this username."), field="username") from None
    award = grant(user, badge, actor, reason)
    if award is None:
        raise Conflict(
            _("%(name)s already holds this badge.", name=user.username), field="username"
        )
    audit(actor, "badge.award", user, {"badge": key, "reason": reason, "award": award.id})
    return award


def revoke_badge(actor: User | None, user: User, key: str, reason: str) -> BadgeAward:
    """Take badge ``key`` from the member with a reason: the award is kept as revoked, the
    holders count drops, a title showing it is cleared, the member is notified. By the team
    (audited, and not given back automatically) or, with ``actor`` None, by a feature."""
    if actor is not None and not can_manage_badges(actor):
        raise PermissionDenied(_("Only the team revokes badges."))
    badge = get_badge(key)
    reason = _required_reason(reason) if actor is not None else reason.strip()[:REASON_MAX]
    award = db.session.scalars(
        update(BadgeAward)
        .where(
            BadgeAward.user_id == user.id,
            BadgeAward.badge_key == key,
            BadgeAward.revoked_at.is_(None),
        )
        .values(
            revoked_at=utcnow(),
            revoked_by_id=actor.id if actor is not None else None,
            revoke_reason=reason,
        )
        .returning(BadgeAward),
        execution_options={"synchronize_session": "fetch"},
    ).one_or_none()
    if award is None:
        raise Conflict(_("%(name)s does not hold this badge.", name=user.username))
    _move_holders(key, -1)
    # The award row is locked first, then the user row, as in choose_title: no deadlock,
    # and a title chosen concurrently cannot outlive the revocation.
    db.session.execute(
        update(User)
        .where(User.id == user.id, User.title_badge == key)
        .values(title_badge=None)
        .execution_options(synchronize_session="fetch")
    )
    with in_language_of(user):
        text = (
            _("Your badge %(name)s was removed: %(reason)s", name=badge.name, reason=reason)
            if reason
            else _("Your badge %(name)s was removed.", name=badge.name)
        )
    notify(user, "badge", award, text)
    if actor is not None:
        audit(actor, "badge.revoke", user, {"badge": key, "reason": reason, "award": award.id})
    return award


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("At most 500 characters, please."), field="reason")
    return reason


def grant(user: User, badge: Badge, actor: User | None, reason: str) -> BadgeAward | None:
    """Insert a live award unless the database already has one; count it, notify."""
    values = {
        "user_id": user.id,
        "badge_key": badge.key,
        "awarded_at": utcnow(),
        "awarded_by_id": actor.id if actor is not None else None,
        "reason": reason,
    }
    # One statement: a live award already there (perhaps awarded concurrently) wins.
    params = {f"a_{column}": value for column, value in values.items()}
    award_id = db.session.execute(_award_insert(), params).scalar()
    if award_id is None:
        return None
    award = BadgeAward(id=award_id, **values, **_NOT_REVOKED)
    make_transient_to_detached(award)  # the row exists: attach it without a query
    db.session.add(award)
    _move_holders(badge.key, 1)
    with in_language_of(user):
        if actor is not None and reason:
            text = _("You received the badge %(name)s: %(reason)s", name=badge.name, reason=reason)
        else:
            text = _("You earned the badge %(name)s.", name=badge.name)
    notify(user, "badge", award, text)
    return award


@prepared
def _award_insert() -> Any:
    """A live award (the ``a_<column>`` parameters) returning its id, unless one is live."""
    table = BadgeAward.__table__
    values = ("user_id", "badge_key", "awarded_at", "awarded_by_id", "reason")
    return (
        dialect_insert(table)
        .values({column: bindparam(f"a_{column}", type_=table.c[column].type) for column in values})
        .on_conflict_do_nothing(
            index_elements=[table.c.user_id, table.c.badge_key],
            index_where=table.c.revoked_at.is_(None),
        )
        .returning(table.c.id)
    )


_NOT_REVOKED = {"revoked_at": None, "revoked_by_id": None, "revoke_reason": None}


def _move_holders(key: str, delta: int) -> None:
    add_to_counter(BadgeCount, "holders", delta, badge_key=key)


# ---------------------------------------------------------------- titles


def choose_title(user: User, key: str | None) -> None:
    """Show badge ``key`` as the member's title, or none; only a badge they hold."""
    if not key:
        user.title_badge = None
        db.session.flush()
        return
    if key not in BADGES:
        raise InvalidInput(_("You can only show a badge you hold."), field="badge")
    # Lock the live award (PostgreSQL): a concurrent revocation either waits for this
    # choice and then clears it, or has already revoked and this finds nothing.
    held = db.session.scalar(
        select(BadgeAward.id)
        .where(
            BadgeAward.user_id == user.id,
            BadgeAward.badge_key == key,
            BadgeAward.revoked_at.is_(None),
        )
        .with_for_update()
    )
    if held is None:
        raise InvalidInput(_("You can only show a badge you hold."), field="badge")
    user.title_badge = key
    db.session.flush()


# ---------------------------------------------------------------- reading


def holder_counts() -> dict[str, int]:
    """How many members hold each badge (stored; badges nobody held are absent)."""
    return dict(db.session.execute(select(BadgeCount.badge_key, BadgeCount.holders)).all())


def held_keys(user: Any) -> set[str]:
    """The keys of the badges the member holds now (none for a visitor)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(BadgeAward.badge_key).where(
                BadgeAward.user_id == user.id, BadgeAward.revoked_at.is_(None)
            )
        )
    )


def live_awards(user: User) -> list[BadgeAward]:
    """The member's live awards of known badges, oldest first (one query)."""
    rows = db.session.scalars(
        select(BadgeAward)
        .where(BadgeAward.user_id == user.id, BadgeAward.revoked_at.is_(None))
        .order_by(BadgeAward.awarded_at, BadgeAward.id)
    )
    return [award for award in rows if award.badge_key in BADGES]


def live_badges(user: User) -> list[dict[str, str]]:
    """The member's live badges as plain data (for the API and exports)."""
    return [
        {
            "key": award.badge_key,
            "name": str(BADGES[award.badge_key].name),
            "tier": BADGES[award.badge_key].tier,
            "awarded_at": award.awarded_at.isoformat(),
        }
        for award in live_awards(user)
    ]


def recent_holders(key: str, cursor: int | None) -> Page[BadgeAward]:
    """The live awards of a badge, newest first, with their members (one query a page)."""
    return newest_first(
        select(BadgeAward)
        .options(joinedload(BadgeAward.user))
        .where(BadgeAward.badge_key == key, BadgeAward.revoked_at.is_(None)),
        BadgeAward.id,
        cursor,
        HOLDERS_PER_PAGE,
    )

"""The one review queue: flagged items, items held by checks, sandboxed members' first
posts and authors' requests for another look, each with its risk score
(community/moderation/risk.py), and the reviewers' actions on them: approve, hide with a
reason, restore. Each action is audited (on the review item) and tells those it concerns
in their own language: the author, and the members whose flags it settles. Hiding and
restoring go through the item's feature (community/moderation/targets.py), so its
counters and search follow. The queue's pages read it through ``queue_reading.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core import subjects
from community.core.db import insert_ignore, utcnow
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.moderation import policy, targets
from community.moderation.models import Flag, FlagStatus, ReviewItem, ReviewStatus
from community.moderation.services import audit, flags, review_content
from community.notifications.services import notify

REASON_MAX = 500
NOTIFY_KIND = "moderation_review"

# Why an item is in the queue; a stronger source replaces a weaker one on a pending item.
SOURCES: dict[str, int] = {"first_post": 1, "edited": 2, "held": 3, "flagged": 4}
# How a review ends (ReviewItem.resolution).
RESOLUTION_APPROVED = "approved"
RESOLUTION_HIDDEN = "hidden"
RESOLUTION_RESTORED = "restored"
RESOLUTION_GONE = "gone"


# ---------------------------------------------------------------- putting items in the queue


def enqueue(
    kind: str,
    subject_id: int,
    author_id: int | None,
    source: str,
    reason: str | None = None,
    weight: float = 0.0,
) -> ReviewItem:
    """Put an item in the queue (one row per item, by INSERT-or-ignore then one UPDATE, so
    concurrent flags add up): a resolved item is pending again, ``weight`` adds to its
    flag weight, the first reason and the strongest source stay, a pending item keeps its
    place; its risk score is computed afresh. Returns the item with its new totals."""
    if source not in SOURCES:
        raise ValueError(f"unknown review source {source!r}; use one of {sorted(SOURCES)}")
    targets.get(kind)  # an unknown kind is bad input
    now = utcnow()
    insert_ignore(
        ReviewItem,
        kind=kind,
        subject_id=subject_id,
        author_id=author_id,
        status=ReviewStatus.PENDING.value,
        source=source,
        reason=reason,
        flag_weight=0.0,
        risk_score=0,
        risk_reasons=[],
        auto_hidden=False,
        author_edited=False,
        queued_at=now,
    )
    resolved = ReviewItem.status == ReviewStatus.RESOLVED.value
    rank = case(SOURCES, value=ReviewItem.source, else_=0)
    db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.kind == kind, ReviewItem.subject_id == subject_id)
        .values(
            status=ReviewStatus.PENDING.value,
            source=case(
                (resolved, source), (rank < SOURCES[source], source), else_=ReviewItem.source
            ),
            reason=case((resolved, reason), else_=func.coalesce(ReviewItem.reason, reason)),
            # Flags settled by the last review no longer count.
            flag_weight=case((resolved, weight), else_=ReviewItem.flag_weight + weight),
            queued_at=case((resolved, now), else_=ReviewItem.queued_at),
            auto_hidden=case((resolved, False), else_=ReviewItem.auto_hidden),
            author_id=func.coalesce(ReviewItem.author_id, author_id),
            resolved_at=None,
            resolved_by_id=None,
            resolution=None,
        ),
        execution_options={"synchronize_session": False},
    )
    item = db.session.scalars(
        select(ReviewItem)
        .where(ReviewItem.kind == kind, ReviewItem.subject_id == subject_id)
        .execution_options(populate_existing=True)
    ).one()
    review_content.refresh_risk(item)
    return item


# ---------------------------------------------------------------- the reviewers' actions


def require_reviewer(viewer: Any) -> None:
    """PermissionDenied unless ``viewer`` is on the team or holds "review_queue"."""
    if not policy.can_review(viewer):
        raise PermissionDenied(
            _("Only the team and members with the review queue privilege can review.")
        )


def get_item(viewer: Any, item_id: int) -> ReviewItem:
    """A review item for the team or a reviewer (NotFound when there is none)."""
    require_reviewer(viewer)
    item = db.session.scalar(
        select(ReviewItem).options(selectinload(ReviewItem.author)).where(ReviewItem.id == item_id)
    )
    if item is None:
        raise NotFound(_("No such item in the review queue."))
    return item


def approve(actor: User, item: ReviewItem) -> None:
    """Keep a pending item (audited): its open flags are dismissed (their flaggers'
    accuracy moves), an item the flags hid is shown again, the author and flaggers are
    told. An item that no longer exists is just resolved."""
    require_reviewer(actor)
    info = review_content.load_info(item)
    was_auto_hidden = item.auto_hidden
    if info is None:
        _resolve(actor, item, RESOLUTION_GONE)
        audit(actor, "review.approve", item, _details(item, gone=True))
        return
    restored = was_auto_hidden and info.is_hidden
    if restored and not actor.is_team:
        raise PermissionDenied(_("Only the team can show a hidden item again."))
    _resolve(actor, item, RESOLUTION_APPROVED)
    if restored:
        # The feature's restore tells the author their item is visible again.
        targets.get(item.kind).restore(actor, item.subject_id)
    flaggers = _settle(item, agreed=False)
    audit(
        actor,
        "review.approve",
        item,
        _details(item, restored=restored, flags_dismissed=len(flaggers)),
    )
    author = _author(item)
    if author is not None and not restored:
        _tell(
            [author],
            item,
            _content(item),
            lambda title: _("%(title)s: the team reviewed it and it stays visible.", title=title),
        )
    _tell(
        flaggers,
        item,
        _content(item),
        lambda title: _("%(title)s: the team reviewed your flag and kept it visible.", title=title),
    )


def hide(actor: User, item: ReviewItem, reason: str) -> None:
    """Hide a pending item with a reason shown to its author (audited): its open flags
    are agreed with (their flaggers' accuracy moves), the author and flaggers are told."""
    require_reviewer(actor)
    reason = _check_reason(reason)
    info = review_content.load_info(item)
    if info is None:
        raise Conflict(_("This item no longer exists: approve it to close it."))
    _resolve(actor, item, RESOLUTION_HIDDEN)
    author = _author(item)
    if info.is_hidden:
        message = _stays_hidden_text
    elif actor.is_team:
        # The feature's hide audits it and tells the author why.
        targets.get(item.kind).hide(actor, item.subject_id, reason)
        message = None
    else:
        # A reviewer from the community hides the way the community's flags do (the
        # feature's hide without a team actor); this review's audit entry names them.
        targets.get(item.kind).hide(None, item.subject_id, reason)
        message = _hidden_text
    if author is not None and message is not None:
        _tell([author], item, _content(item), lambda title: message(title, reason))
    flaggers = _settle(item, agreed=True)
    audit(
        actor,
        "review.hide",
        item,
        _details(item, reason=reason, flags_agreed=len(flaggers)),
    )
    # The item is hidden now: the flaggers' notification links nowhere.
    _tell(
        flaggers,
        item,
        None,
        lambda title: _(
            "%(title)s: the team agreed with your flag and hid it. Thank you.", title=title
        ),
    )


def restore(actor: User, item: ReviewItem) -> None:
    """Show a hidden item again (audited; the feature tells the author); a pending item
    is resolved and its open flags dismissed."""
    require_reviewer(actor)
    info = review_content.load_info(item)
    if info is None:
        raise Conflict(_("This item no longer exists: approve it to close it."))
    if not info.is_hidden:
        raise Conflict(_("This item is not hidden."))
    if not actor.is_team:
        raise PermissionDenied(_("Only the team can show a hidden item again."))
    was_pending = item.status == ReviewStatus.PENDING.value
    _resolve(actor, item, RESOLUTION_RESTORED, pending_only=False)
    targets.get(item.kind).restore(actor, item.subject_id)
    flaggers = _settle(item, agreed=False) if was_pending else []
    audit(
        actor,
        "review.restore",
        item,
        _details(item, flags_dismissed=len(flaggers)),
    )
    _tell(
        flaggers,
        item,
        _content(item),
        lambda title: _("%(title)s: the team reviewed your flag and kept it visible.", title=title),
    )


def _stays_hidden_text(title: str, reason: str) -> str:
    return _(
        "%(title)s: the team reviewed it and it stays hidden: %(reason)s",
        title=title,
        reason=reason,
    )


def _hidden_text(title: str, reason: str) -> str:
    return _("%(title)s was hidden after review: %(reason)s", title=title, reason=reason)


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=REASON_MAX), field="reason")
    return reason


def _resolve(actor: User, item: ReviewItem, resolution: str, pending_only: bool = True) -> None:
    """Close the item by one conditional UPDATE, so two reviewers acting at once act
    once; Conflict for the second."""
    stmt = update(ReviewItem).where(ReviewItem.id == item.id)
    if pending_only:
        stmt = stmt.where(ReviewItem.status == ReviewStatus.PENDING.value)
    result = db.session.execute(
        stmt.values(
            status=ReviewStatus.RESOLVED.value,
            resolution=resolution,
            resolved_at=utcnow(),
            resolved_by_id=actor.id,
            auto_hidden=False,
        ),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("Someone has already reviewed this item."))
    # Columns only: the author stays loaded.
    db.session.refresh(item, [column.key for column in ReviewItem.__table__.columns])


def _settle(item: ReviewItem, agreed: bool) -> list[User]:
    """Settle the item's open flags; returns their flaggers."""
    flaggers = list(
        db.session.scalars(
            select(User)
            .join(Flag, Flag.flagger_id == User.id)
            .where(
                Flag.kind == item.kind,
                Flag.subject_id == item.subject_id,
                Flag.status == FlagStatus.OPEN.value,
            )
        )
    )
    flags.settle_flags(item, agreed)
    return flaggers


def _details(item: ReviewItem, **extra: Any) -> dict[str, Any]:
    return {"kind": item.kind, "subject_id": item.subject_id, "source": item.source, **extra}


def _author(item: ReviewItem) -> User | None:
    return db.session.get(User, item.author_id) if item.author_id is not None else None


def _content(item: ReviewItem) -> tuple[str, int]:
    """The reviewed content as the ledgers take a subject: (kind, id)."""
    return item.kind, item.subject_id


def _tell(
    users: Iterable[User], item: ReviewItem, subject: Any, text: Callable[[str], str]
) -> None:
    """Notify each of ``users`` in their own language, naming the item in it too."""
    titles: dict[str, str] = {}
    for user in users:
        with in_language_of(user):
            key = user.locale or ""
            if key not in titles:
                info = review_content.load_info(item)
                titles[key] = info.title if info is not None else _("An item")
            notify(user, NOTIFY_KIND, subject, text(titles[key]))


def _review_item_urls(ids: set[int]) -> dict[int, str]:
    return {i: url_for("moderation.queue_item", item_id=i) for i in ids}


def _review_item_visible(viewer: Any, ids: set[int]) -> set[int]:
    return ids if policy.can_review(viewer) else set()


# Audit entries about a review item link to its page, for those who may review.
subjects.register("review_item", _review_item_urls, _review_item_visible)

"""Flags: members report content that breaks the rules; weighted flags hide it at once.

Each flag counts with its flagger's weight, taken when they flag (``flagger_weight``, the
one formula, below). When the open flags on an item weigh ``FLAG_HIDE_THRESHOLD`` (a
setting, default 3) or more, the item is hidden pending review: its author is told the
reason (never who flagged) and that they may edit it once to ask for another look. The
review queue settles the flags (``settle_flags``): agreed flags raise their flaggers'
weight and earn reputation, dismissed ones lower it. A flagger only ever sees their own
flag.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core import subjects
from community.core.db import expire_loaded, insert_ignore
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.moderation import targets
from community.moderation.models import (
    Flag,
    FlaggerRecord,
    FlagReason,
    FlagStatus,
    ReviewItem,
    ReviewStatus,
)
from community.moderation.services import queue
from community.moderation.services.penalties import check_can_write
from community.moderation.targets import TargetInfo
from community.notifications.services import notify
from community.reputation import privileges
from community.reputation import services as reputation

TEXT_MAX = 500
DEFAULT_HIDE_THRESHOLD = 3.0
AUTO_HIDDEN = "moderation_auto_hidden"

# The flagger weight: 1 + (agreed - dismissed) / WEIGHT_STEP, kept within
# [MIN_WEIGHT, MAX_WEIGHT]. A new flagger weighs 1; every 5 flags the team agreed with
# (net of those it dismissed) add 1. MAX_WEIGHT stays below the default threshold, so no
# single member hides anything alone; the team's flags weigh the whole threshold.
WEIGHT_STEP = 5
MIN_WEIGHT = 0.5
MAX_WEIGHT = 2.5

REASONS: dict[str, tuple[Any, Any]] = {
    FlagReason.SPAM.value: (
        _l("Spam"),
        _l("Advertising, or written only to promote something."),
    ),
    FlagReason.OFFENSIVE.value: (
        _l("Offensive"),
        _l("Rude, abusive or hateful, or a personal attack."),
    ),
    FlagReason.OFF_TOPIC.value: (
        _l("Off-topic"),
        _l("Does not belong in this discussion."),
    ),
    FlagReason.CONFLICT_OF_INTEREST.value: (
        _l("Conflict of interest"),
        _l("Praise or criticism from someone tied to what they write about, who does not say so."),
    ),
    FlagReason.OTHER.value: (
        _l("Something else"),
        _l("Tell the team what is wrong."),
    ),
}


def reason_label(reason: str) -> str:
    """A flag reason in words, in the current language."""
    entry = REASONS.get(reason)
    return str(entry[0]) if entry else reason


def hide_threshold() -> float:
    """The weight of open flags that hides an item pending review (``FLAG_HIDE_THRESHOLD``)."""
    return float(current_app.config.get("FLAG_HIDE_THRESHOLD", DEFAULT_HIDE_THRESHOLD))


def weight_for(agreed: int, dismissed: int) -> float:
    """The flag weight of a member whose earlier flags were ``agreed`` with and
    ``dismissed`` so many times (see the module docstring)."""
    return min(MAX_WEIGHT, max(MIN_WEIGHT, 1 + (agreed - dismissed) / WEIGHT_STEP))


def flagger_weight(user: User) -> float:
    """How much a flag of ``user`` counts now: the team's hide at once."""
    if user.is_team:
        return hide_threshold()
    record = db.session.get(FlaggerRecord, user.id)
    if record is None:
        return weight_for(0, 0)
    return weight_for(record.agreed, record.dismissed)


def can_flag(user: Any, author_id: int | None) -> bool:
    """Whether ``user`` may flag content written by ``author_id`` (no query): templates
    show the Flag link by it; ``flag`` enforces the same and more."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and not user.is_erased
        and not user.is_silenced
        and user.id != author_id
        and privileges.has_privilege(user, "flag")
    )


# ---------------------------------------------------------------- flagging


def flaggable(flagger: User, kind: str, subject_id: int) -> TargetInfo:
    """The item ``flagger`` may flag: they hold the "flag" privilege (PermissionDenied),
    the kind is flaggable (InvalidInput), the item exists and they may see it (NotFound),
    and they did not write it (PermissionDenied)."""
    privileges.require(flagger, "flag")
    target = targets.get(kind)
    info = None
    if subjects.is_visible(kind, subject_id, flagger):
        info = target.load({subject_id}).get(subject_id)
    if info is None:
        raise NotFound(_("There is no such item."))
    if info.author_id == flagger.id:
        raise PermissionDenied(_("You cannot flag what you wrote yourself."))
    return info


def my_flag(flagger: User, kind: str, subject_id: int) -> Flag | None:
    """The flag ``flagger`` put on the item, if any (nobody learns of others' flags)."""
    return db.session.scalar(
        select(Flag).where(
            Flag.kind == kind, Flag.subject_id == subject_id, Flag.flagger_id == flagger.id
        )
    )


def check_reason(reason: str | None, text: str | None) -> tuple[str, str]:
    """A known reason (InvalidInput on "reason") and the text, at most ``TEXT_MAX``
    characters and required for "other" (InvalidInput on "text")."""
    try:
        reason = FlagReason((reason or "").strip()).value
    except ValueError:
        raise InvalidInput(_("Choose a reason."), field="reason") from None
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=TEXT_MAX), field="text")
    if reason == FlagReason.OTHER.value and not text:
        raise InvalidInput(_("Please tell the team what is wrong."), field="text")
    return reason, text


def flag(flagger: User, kind: str, subject_id: int, reason: str, text: str = "") -> Flag:
    """Flag an item with a reason (one flag per member per item: Conflict for a second).
    The item enters the review queue; when its open flags weigh the hide threshold, it
    is hidden pending review and its author is told why."""
    check_can_write(flagger)
    info = flaggable(flagger, kind, subject_id)
    reason, text = check_reason(reason, text)
    weight = flagger_weight(flagger)
    new_flag = Flag(
        kind=kind,
        subject_id=subject_id,
        flagger_id=flagger.id,
        reason=reason,
        text=text,
        weight=weight,
        status=FlagStatus.OPEN.value,
    )
    try:
        with db.session.begin_nested():
            db.session.add(new_flag)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("You have already flagged this.")) from None
    # The queue row's UPDATE serialises concurrent flags: its total includes every
    # flag committed before this one.
    item = queue.enqueue(
        kind, subject_id, info.author_id, source="flagged", reason=reason, weight=weight
    )
    if not info.is_hidden and item.flag_weight >= hide_threshold():
        _hide_pending_review(item, info)
    return new_flag


def _hide_pending_review(item: ReviewItem, info: TargetInfo) -> None:
    """Hide the item through its feature (no human actor: the community's flags) and
    tell its author the reason, and that one edit asks for another look."""
    target = targets.get(item.kind)
    author = db.session.get(User, info.author_id) if info.author_id is not None else None
    reason = item.reason or FlagReason.OTHER.value
    with in_language_of(author):
        hidden_reason = _(
            "flagged as “%(reason)s” by members; waiting for the team's review",
            reason=reason_label(reason),
        )
    try:
        with db.session.begin_nested():
            target.hide(None, item.subject_id, hidden_reason)
    except Conflict:
        return  # hidden meanwhile, by the team or by a flag at the same moment
    # Each time the flags hide it, the author has one edit to ask for another look.
    db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id)
        .values(auto_hidden=True, author_edited=False),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(item, ["auto_hidden", "author_edited"])
    if author is None:
        return
    with in_language_of(author):
        shown = target.load({item.subject_id}).get(item.subject_id) or info
        notify(
            author,
            AUTO_HIDDEN,
            (item.kind, item.subject_id),
            _(
                "%(title)s is hidden: members flagged it as “%(reason)s”. The team will "
                "review it; you may edit it once to ask for another look.",
                title=shown.title,
                reason=reason_label(reason),
            ),
        )


# ---------------------------------------------------------------- settling and editing


def settle_flags(item: ReviewItem, agreed: bool) -> int:
    """Mark the item's open flags agreed with (or dismissed) and move each flagger's
    record, so their weight follows; agreed flags earn the "flag_agreed" reputation.
    Returns how many flags were settled. The queue's actions tell the flaggers."""
    status = FlagStatus.AGREED if agreed else FlagStatus.DISMISSED
    flagger_ids = list(
        db.session.scalars(
            update(Flag)
            .where(
                Flag.kind == item.kind,
                Flag.subject_id == item.subject_id,
                Flag.status == FlagStatus.OPEN.value,
            )
            .values(status=status.value)
            .returning(Flag.flagger_id),
            execution_options={"synchronize_session": "fetch"},
        )
    )
    if not flagger_ids:
        return 0
    for user_id in flagger_ids:
        insert_ignore(FlaggerRecord, user_id=user_id, agreed=0, dismissed=0)
    column = FlaggerRecord.agreed if agreed else FlaggerRecord.dismissed
    db.session.execute(
        update(FlaggerRecord)
        .where(FlaggerRecord.user_id.in_(flagger_ids))
        .values({column.key: column + 1}),
        execution_options={"synchronize_session": False},
    )
    for user_id in flagger_ids:
        expire_loaded(FlaggerRecord, user_id)
    if agreed:
        flaggers = db.session.scalars(
            select(User).where(User.id.in_(flagger_ids)).order_by(User.id)
        )
        for flagger in flaggers:
            reputation.record(flagger, "flag_agreed", (item.kind, item.subject_id), None)
    return len(flagger_ids)


def author_edited(kind: str, subject_id: int, author: User) -> ReviewItem | None:
    """The author of an item the flags hid edited it: that asks once for another review
    (the item stays pending, its source "edited", its risk computed on the new text).
    A second edit while it waits is refused (Conflict). No-op for other items."""
    item = db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.kind == kind,
            ReviewItem.subject_id == subject_id,
            ReviewItem.status == ReviewStatus.PENDING.value,
            ReviewItem.auto_hidden.is_(True),
        )
    )
    if item is None or item.author_id != author.id:
        return None
    # One conditional UPDATE: two edits at the same moment ask once.
    result = db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id, ReviewItem.author_edited == false())
        .values(author_edited=True, source="edited"),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            _(
                "You have already edited this once to ask for another review. "
                "Please wait for the team's decision."
            )
        )
    return queue.enqueue(kind, subject_id, author.id, source="edited")

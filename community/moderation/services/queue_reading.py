"""Reading the review queue: the pending items page by page, and one item with its
context, flags and its author's history. A fixed number of queries per page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.core.errors import InvalidInput
from community.core.pagination import Page
from community.extensions import db
from community.moderation import risk, targets
from community.moderation.models import (
    AuditEntry,
    Flag,
    FlagReason,
    FlagStatus,
    Penalty,
    ReviewItem,
    ReviewStatus,
)
from community.moderation.services.queue import (
    RESOLUTION_HIDDEN,
    SOURCES,
    get_item,
    require_reviewer,
)
from community.moderation.services.review_content import load_info, load_target
from community.moderation.targets import TargetInfo

PER_PAGE = 30
HISTORY_LIMIT = 10


@dataclass(frozen=True)
class QueueRow:
    """One pending item as the queue lists it; ``info`` is None when the item is gone."""

    item: ReviewItem
    info: TargetInfo | None
    author: User | None
    label: str
    reasons: list[risk.Reason]
    open_flags: int

    @property
    def is_gone(self) -> bool:
        return self.info is None


def list_queue(
    viewer: Any,
    kind: str | None = None,
    reason: str | None = None,
    cursor: int | None = None,
    per_page: int = PER_PAGE,
) -> Page[QueueRow]:
    """Pending items, oldest first (keyset on queued_at, id: ``cursor`` is the last item
    id of the page before), by kind and by reason (a flag reason or a source), for the
    team and reviewers. A fixed number of queries: authors in one, each kind's items in
    one batch, open flag counts in one."""
    require_reviewer(viewer)
    stmt = (
        select(ReviewItem)
        .options(selectinload(ReviewItem.author))
        .where(ReviewItem.status == ReviewStatus.PENDING.value)
    )
    if kind:
        targets.get(kind)
        stmt = stmt.where(ReviewItem.kind == kind)
    if reason:
        if reason in SOURCES:
            stmt = stmt.where(ReviewItem.source == reason)
        elif reason in FlagReason.__members__.values():
            stmt = stmt.where(ReviewItem.reason == reason)
        else:
            raise InvalidInput(_("Choose a reason from the list."), field="reason")
    if cursor is not None:
        after = select(ReviewItem.queued_at).where(ReviewItem.id == cursor).scalar_subquery()
        stmt = stmt.where(
            or_(
                ReviewItem.queued_at > after,
                and_(ReviewItem.queued_at == after, ReviewItem.id > cursor),
            )
        )
    items = list(
        db.session.scalars(stmt.order_by(ReviewItem.queued_at, ReviewItem.id).limit(per_page + 1))
    )
    next_cursor = items[per_page - 1].id if len(items) > per_page else None
    items = items[:per_page]
    infos = _load_infos(items)
    flag_counts = _open_flag_counts(items)
    rows = [
        QueueRow(
            item=item,
            info=infos.get((item.kind, item.subject_id)),
            author=item.author,
            label=kind_label(item.kind),
            reasons=risk.stored_reasons(item.risk_reasons),
            open_flags=flag_counts.get((item.kind, item.subject_id), 0),
        )
        for item in items
    ]
    return Page(items=rows, next_cursor=next_cursor)


def kind_label(kind: str) -> str:
    """The name of a kind of content for people ("Forum post")."""
    target = targets.kinds().get(kind)
    return str(target.label) if target is not None else kind


def filter_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The queue filter's kinds and reasons: (value, label) pairs."""
    kinds = [(kind, str(target.label)) for kind, target in targets.kinds().items()]
    reasons = [(r.value, flag_reason_label(r.value)) for r in FlagReason]
    reasons += [(s, source_label(s)) for s in ("first_post", "held", "edited")]
    return kinds, reasons


def flag_reason_label(reason: str | None) -> str:
    """A flag reason in words."""
    return {
        FlagReason.SPAM.value: _("Spam"),
        FlagReason.OFFENSIVE.value: _("Offensive"),
        FlagReason.OFF_TOPIC.value: _("Off-topic"),
        FlagReason.CONFLICT_OF_INTEREST.value: _("Conflict of interest"),
        FlagReason.OTHER.value: _("Other"),
    }.get(reason or "", reason or "")


def source_label(source: str) -> str:
    """Why an item is in the queue, in words."""
    return {
        "flagged": _("Flagged by members"),
        "held": _("Held by spam checks"),
        "first_post": _("First post of a new member"),
        "edited": _("Edited by its author for another look"),
    }.get(source, source)


def _load_infos(items: Iterable[ReviewItem]) -> dict[tuple[str, int], TargetInfo]:
    wanted: dict[str, set[int]] = {}
    for item in items:
        wanted.setdefault(item.kind, set()).add(item.subject_id)
    found: dict[tuple[str, int], TargetInfo] = {}
    registered = targets.kinds()
    for kind, ids in wanted.items():
        target = registered.get(kind)
        if target is None:  # the feature is gone: so are its items
            continue
        found.update(((kind, i), info) for i, info in load_target(target, ids).items())
    return found


def _open_flag_counts(items: list[ReviewItem]) -> dict[tuple[str, int], int]:
    wanted: dict[str, set[int]] = {}
    for item in items:
        wanted.setdefault(item.kind, set()).add(item.subject_id)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Flag.kind, Flag.subject_id, func.count(Flag.id))
        .where(
            Flag.status == FlagStatus.OPEN.value,
            or_(*(and_(Flag.kind == k, Flag.subject_id.in_(ids)) for k, ids in wanted.items())),
        )
        .group_by(Flag.kind, Flag.subject_id)
    )
    return {(kind, subject_id): n for kind, subject_id, n in rows}


@dataclass(frozen=True)
class AuthorHistory:
    """What the team should know about an item's author."""

    penalties: list[Penalty]
    penalty_count: int
    agreed_flags: list[Flag]
    agreed_flag_count: int
    hidden_by_review: int


@dataclass(frozen=True)
class ItemDetail:
    item: ReviewItem
    info: TargetInfo | None
    author: User | None
    label: str
    reasons: list[risk.Reason]
    # Every flag on the item, newest first, earlier settled ones included.
    flags: list[Flag]
    history: AuthorHistory | None
    # Earlier reviews of this item (audit entries), newest first.
    reviews: list[Any] = field(default_factory=list)

    @property
    def is_gone(self) -> bool:
        return self.info is None

    @property
    def open_flags(self) -> list[Flag]:
        return [f for f in self.flags if f.status == FlagStatus.OPEN.value]


def item_detail(viewer: Any, item_id: int) -> ItemDetail:
    """One item with its context, flags (with flaggers), its author's history (recent
    penalties, flags agreed against them) and its earlier reviews."""
    item = get_item(viewer, item_id)
    info = load_info(item)
    flags = list(
        db.session.scalars(
            select(Flag)
            .options(selectinload(Flag.flagger))
            .where(Flag.kind == item.kind, Flag.subject_id == item.subject_id)
            .order_by(Flag.id.desc())
            .limit(100)
        )
    )
    reviews = list(
        db.session.scalars(
            select(AuditEntry)
            .options(selectinload(AuditEntry.actor))
            .where(AuditEntry.subject_type == "review_item", AuditEntry.subject_id == item.id)
            .order_by(AuditEntry.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )
    return ItemDetail(
        item=item,
        info=info,
        author=item.author,
        label=kind_label(item.kind),
        reasons=risk.stored_reasons(item.risk_reasons),
        flags=flags,
        history=_author_history(item) if item.author_id is not None else None,
        reviews=reviews,
    )


def _author_history(item: ReviewItem) -> AuthorHistory:
    author_id = item.author_id
    penalties = list(
        db.session.scalars(
            select(Penalty)
            .options(selectinload(Penalty.actor))
            .where(Penalty.user_id == author_id)
            .order_by(Penalty.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )
    penalty_count = db.session.scalar(
        select(func.count(Penalty.id)).where(Penalty.user_id == author_id)
    )
    agreed = (
        select(Flag)
        .join(
            ReviewItem,
            and_(ReviewItem.kind == Flag.kind, ReviewItem.subject_id == Flag.subject_id),
        )
        .where(
            ReviewItem.author_id == author_id,
            ReviewItem.id != item.id,
            Flag.status == FlagStatus.AGREED.value,
        )
    )
    agreed_flags = list(
        db.session.scalars(
            agreed.options(selectinload(Flag.flagger)).order_by(Flag.id.desc()).limit(HISTORY_LIMIT)
        )
    )
    agreed_count = db.session.scalar(select(func.count()).select_from(agreed.subquery()))
    hidden = db.session.scalar(
        select(func.count(ReviewItem.id)).where(
            ReviewItem.author_id == author_id,
            ReviewItem.id != item.id,
            ReviewItem.resolution == RESOLUTION_HIDDEN,
        )
    )
    return AuthorHistory(
        penalties=penalties,
        penalty_count=penalty_count or 0,
        agreed_flags=agreed_flags,
        agreed_flag_count=agreed_count or 0,
        hidden_by_review=hidden or 0,
    )

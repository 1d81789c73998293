"""What the queue knows of a reviewed item: its content as the feature describes it,
and the risk score computed from it, its author and their recent writing."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext

from flask import current_app, has_request_context
from sqlalchemy import and_, func, select

from community.accounts.models import User
from community.extensions import db
from community.moderation import risk, targets
from community.moderation.models import Flag, FlagStatus, ReviewItem
from community.moderation.targets import TargetInfo


def refresh_risk(item: ReviewItem, info: TargetInfo | None = None) -> risk.Risk:
    """Compute the item's risk score and reasons afresh and store them on it."""
    if info is None:
        info = load_info(item)
    author = db.session.get(User, item.author_id) if item.author_id is not None else None
    result = risk.score(
        info,
        author,
        flag_weight=item.flag_weight,
        agreed_flags_against_author=agreed_flags_against(item.author_id, item.id),
        recent_texts=recent_texts(item.author_id) if item.author_id is not None else [],
    )
    item.risk_score = result.score
    item.risk_reasons = result.stored()
    db.session.flush()
    return result


def recent_texts(author_id: int) -> list[tuple[dt.datetime, str]]:
    """The author's latest texts across every kind, newest first."""
    seen_loaders: set[int] = set()
    texts: set[tuple[dt.datetime, str]] = set()
    for target in targets.kinds().values():
        # Kinds that share a loader (a topic and its first post) are read once.
        if id(target.recent_texts) in seen_loaders:
            continue
        seen_loaders.add(id(target.recent_texts))
        texts.update(target.recent_texts(author_id, risk.RECENT_TEXTS))
    return sorted(texts, key=lambda t: t[0], reverse=True)[: risk.RECENT_TEXTS]


def agreed_flags_against(author_id: int | None, item_id: int | None = None) -> int:
    """Flags the team agreed with on the author's items (other than ``item_id``)."""
    if author_id is None:
        return 0
    return (
        db.session.scalar(
            select(func.count(Flag.id))
            .join(
                ReviewItem,
                and_(ReviewItem.kind == Flag.kind, ReviewItem.subject_id == Flag.subject_id),
            )
            .where(
                ReviewItem.author_id == author_id,
                ReviewItem.id != (item_id or 0),
                Flag.status == FlagStatus.AGREED.value,
            )
        )
        or 0
    )


def load_info(item: ReviewItem) -> TargetInfo | None:
    """The reviewed content as its feature describes it, or None when it is gone."""
    target = targets.kinds().get(item.kind)
    if target is None:  # the feature is gone: so are its items
        return None
    return load_target(target, {item.subject_id}).get(item.subject_id)


def load_target(target: targets.Target, ids: set[int]) -> dict[int, TargetInfo]:
    """``target.load(ids)``, also where there is no request."""
    # Features link their items with url_for. Outside a request (the CLI, a service
    # called from a script) a neutral request context lends them a URL adapter.
    context = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with context:
        return target.load(ids)

"""The spam check on new posts of sandboxed members: a post whose risk score (see
``moderation/risk.py``) reaches ``SPAM_HOLD_SCORE`` is hidden and queued until the team
approves it; a member's first post is queued and stays visible."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.extensions import db
from community.moderation import risk, targets
from community.moderation.models import ReviewItem
from community.moderation.services import queue, review_content
from community.moderation.targets import TargetInfo
from community.notifications.services import notify
from community.reputation import sandbox

# A sandboxed member's new post at or above this risk score is held hidden for review.
SPAM_HOLD_DEFAULT = 60


def spam_hold_score() -> int:
    """The risk score at which a sandboxed member's new post is held (SPAM_HOLD_SCORE)."""
    return int(current_app.config.get("SPAM_HOLD_SCORE", SPAM_HOLD_DEFAULT))


def screen_new_post(kind: str, subject_id: int, author: Any) -> ReviewItem | None:
    """The spam check on a sandboxed member's new post. One whose risk score reaches
    ``spam_hold_score()`` is hidden and queued (source "held") until the team approves
    it, and its author is told; otherwise their first post is queued and stays visible
    (source "first_post"). No-op (and no query) for members outside the sandbox."""
    if not sandbox.is_sandboxed(author):
        return None
    target = targets.get(kind)
    first = len(target.recent_texts(author.id, 2)) <= 1
    info = review_content.load_target(target, {subject_id}).get(subject_id)
    if info is None:
        return None
    result = risk.score(
        info,
        author,
        flag_weight=0.0,
        agreed_flags_against_author=review_content.agreed_flags_against(author.id),
        recent_texts=review_content.recent_texts(author.id),
    )
    if result.score >= spam_hold_score():
        item = queue.enqueue(kind, subject_id, author.id, source="held")
        _hold_hidden(item, info, author, target)
        return item
    if first:
        return queue.enqueue(kind, subject_id, author.id, source="first_post")
    return None


def _hold_hidden(item: ReviewItem, info: TargetInfo, author: User, target: targets.Target) -> None:
    with in_language_of(author):
        reason = _("held by the automatic spam check; waiting for the team's review")
    target.hide(None, item.subject_id, reason)
    db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id)
        .values(auto_hidden=True, author_edited=False),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(item, ["auto_hidden", "author_edited"])
    with in_language_of(author):
        notify(
            author,
            queue.NOTIFY_KIND,
            (item.kind, item.subject_id),
            _(
                "%(title)s waits for the team's review: our automatic check found it looks "
                "like spam. You may edit it once to ask for another look.",
                title=info.title,
            ),
        )

"""Closing the loop: ten days after an idea ships, its voters are asked in-app one
question, "Did this solve it for you?" (yes / partly / no); the answers show on the idea.

``ask_due`` (run daily: ``flask ideas ask-feedback``) notifies the voters of ideas shipped
at least ``ASK_AFTER`` ago, once per shipping. A voter answers once and may change the
answer; the idea's stored counts move by SQL arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from community.accounts.models import User
from community.core.db import dialect_insert, utcnow
from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.extensions import db
from community.ideas.models import FeedbackAnswer, Idea, IdeaStatus, IdeaVote, ShipFeedback
from community.ideas.services import common, following

ASK_AFTER = dt.timedelta(days=10)
ANSWER_LABELS = {
    FeedbackAnswer.YES: _l("Yes"),
    FeedbackAnswer.PARTLY: _l("Partly"),
    FeedbackAnswer.NO: _l("No"),
}
_COLUMNS = {
    FeedbackAnswer.YES: "feedback_yes",
    FeedbackAnswer.PARTLY: "feedback_partly",
    FeedbackAnswer.NO: "feedback_no",
}


@dataclass(frozen=True)
class Summary:
    yes: int
    partly: int
    no: int

    @property
    def total(self) -> int:
        return self.yes + self.partly + self.no


def summary(idea: Idea) -> Summary:
    return Summary(idea.feedback_yes, idea.feedback_partly, idea.feedback_no)


def is_asked(idea: Idea, now: dt.datetime | None = None) -> bool:
    """Whether the question is open on this idea: shipped at least ten days ago."""
    return (
        idea.status == IdeaStatus.SHIPPED
        and idea.shipped_at is not None
        and (now or utcnow()) - idea.shipped_at >= ASK_AFTER
    )


def can_answer(user: Any, idea: Idea, now: dt.datetime | None = None) -> bool:
    """Voters of a shipped idea answer once the question is open (one query)."""
    if not getattr(user, "is_authenticated", False) or not is_asked(idea, now):
        return False
    return db.session.get(IdeaVote, (idea.id, user.id)) is not None


def my_answer(user: Any, idea: Idea) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(ShipFeedback.answer).where(
            ShipFeedback.idea_id == idea.id, ShipFeedback.user_id == user.id
        )
    )


def parse_answer(value: Any) -> FeedbackAnswer:
    try:
        return FeedbackAnswer(str(value or "").strip().lower())
    except ValueError:
        raise InvalidInput(_("Answer yes, partly or no."), field="answer") from None


def answer(user: User, idea: Idea, value: Any, now: dt.datetime | None = None) -> ShipFeedback:
    """The voter's answer (a new one replaces theirs); counts move with it."""
    choice = parse_answer(value)
    if not is_asked(idea, now):
        raise Conflict(_("This question opens ten days after the idea shipped."))
    if not can_answer(user, idea, now):
        raise PermissionDenied(_("Only members who voted for this idea are asked."))
    table = ShipFeedback.__table__
    previous = db.session.scalar(
        select(ShipFeedback.answer)
        .where(ShipFeedback.idea_id == idea.id, ShipFeedback.user_id == user.id)
        .with_for_update()
    )
    if previous == choice.value:
        return db.session.get(ShipFeedback, (idea.id, user.id))
    moves = {_COLUMNS[choice]: getattr(Idea, _COLUMNS[choice]) + 1}
    if previous is not None:
        column = _COLUMNS[FeedbackAnswer(previous)]
        moves[column] = getattr(Idea, column) - 1
    insert = dialect_insert(table).values(
        idea_id=idea.id, user_id=user.id, answer=choice.value, created_at=utcnow()
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.idea_id, table.c.user_id], set_={"answer": choice.value}
        )
    )
    common.move_idea(idea, **moves)
    return db.session.get(ShipFeedback, (idea.id, user.id))


def ask_due(now: dt.datetime | None = None) -> int:
    """Ask the voters of every idea shipped at least ten days ago and not asked yet; marks
    each idea asked. Returns how many notifications went out."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Idea).where(
                Idea.status == IdeaStatus.SHIPPED.value,
                Idea.shipped_at <= now - ASK_AFTER,
                Idea.feedback_asked_at.is_(None),
                Idea.hidden_at.is_(None),
            )
        )
    )
    sent = 0
    for idea in due:
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(feedback_asked_at=now),
            execution_options={"synchronize_session": False},
        )
        voters = list(
            db.session.scalars(
                select(User)
                .join(IdeaVote, IdeaVote.user_id == User.id)
                .where(IdeaVote.idea_id == idea.id)
                .order_by(User.id)
            )
        )

        def text(title: str = idea.title) -> str:
            return _("“%(title)s” shipped. Did this solve it for you?", title=title)

        sent += following.notify_each(voters, idea, text)
    return sent

"""What the ideas portal holds about a member, for their data export; what erasing their
account removes; and taking back the votes of a sock puppet or a purged spammer.
Registered with accounts at import.

Erasure works like the forums': ideas, comments, votes and answers stay (threads read
on, every count stays right) and show under the anonymised name; what only concerned
the member (follows, their customer value) is forgotten. Taking votes back (the vote
reverser, like the forums' reactions) removes the member's votes and answers with every
count moved; the reputation they gave is reversed by reputation's own reverser.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update

from community.accounts import services as accounts
from community.accounts.models import User
from community.accounts.services.lifecycle import register_vote_reverser
from community.catalog.models import Product
from community.core.db import add_to_counter, write_together
from community.extensions import db
from community.ideas.models import (
    Challenge,
    CustomerValue,
    Idea,
    IdeaComment,
    IdeaFollow,
    IdeaMergeFollow,
    IdeaMergeVote,
    IdeaStatusChange,
    IdeaVote,
    IdeaVoter,
    Importance,
    ShipFeedback,
)
from community.ideas.services import customer_values, submitting, vote_counts


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _importance(value: int) -> str:
    try:
        return Importance(value).name.lower()
    except ValueError:
        return str(value)


# ---------------------------------------------------------------- export


def _ideas(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            Idea.id,
            Product.slug,
            Idea.challenge_id,
            Idea.title,
            Idea.body_source,
            Idea.status,
            Idea.created_at,
            Idea.hidden_at,
        )
        .join(Product, Product.id == Idea.product_id)
        .where(Idea.author_id == user.id)
        .order_by(Idea.id)
    ).all()
    tags = submitting.tags_of([row.id for row in rows])
    return [
        {
            "id": row.id,
            "product": row.slug,
            "challenge_id": row.challenge_id,
            "title": row.title,
            "body": row.body_source,
            "tags": tags[row.id],
            "status": row.status,
            "created_at": _iso(row.created_at),
            "hidden_at": _iso(row.hidden_at),
        }
        for row in rows
    ]


def _comments(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            IdeaComment.id,
            IdeaComment.idea_id,
            IdeaComment.body_source,
            IdeaComment.is_official,
            IdeaComment.created_at,
            IdeaComment.edited_at,
            IdeaComment.hidden_at,
        )
        .where(IdeaComment.author_id == user.id)
        .order_by(IdeaComment.id)
    )
    return [
        {
            "id": row.id,
            "idea_id": row.idea_id,
            "body": row.body_source,
            "official": row.is_official,
            "created_at": _iso(row.created_at),
            "edited_at": _iso(row.edited_at),
            "hidden_at": _iso(row.hidden_at),
        }
        for row in rows
    ]


def _votes(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(IdeaVote.idea_id, IdeaVote.importance, IdeaVote.proxy_by_id, IdeaVote.created_at)
        .where(IdeaVote.user_id == user.id)
        .order_by(IdeaVote.created_at, IdeaVote.idea_id)
    )
    return [
        {
            "idea_id": row.idea_id,
            "importance": _importance(row.importance),
            # Recorded by the team on the member's behalf.
            "proxy": row.proxy_by_id is not None,
            "created_at": _iso(row.created_at),
        }
        for row in rows
    ]


def _follows(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(IdeaFollow.idea_id, IdeaFollow.following, IdeaFollow.created_at)
        .where(IdeaFollow.user_id == user.id)
        .order_by(IdeaFollow.idea_id)
    )
    return [
        {"idea_id": row.idea_id, "following": row.following, "since": _iso(row.created_at)}
        for row in rows
    ]


def _ship_feedback(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(ShipFeedback.idea_id, ShipFeedback.answer, ShipFeedback.created_at)
        .where(ShipFeedback.user_id == user.id)
        .order_by(ShipFeedback.idea_id)
    )
    return [
        {"idea_id": row.idea_id, "answer": row.answer, "created_at": _iso(row.created_at)}
        for row in rows
    ]


def _customer_value(user: User) -> dict[str, Any] | None:
    value = db.session.get(CustomerValue, user.id)
    if value is None:
        return None
    return {"value": value.value, "segment": value.segment, "updated_at": _iso(value.updated_at)}


def _status_notes(user: User) -> list[dict[str, Any]]:
    """The status changes the member made as the team, with the notes they wrote."""
    rows = db.session.execute(
        select(
            IdeaStatusChange.idea_id,
            IdeaStatusChange.from_status,
            IdeaStatusChange.to_status,
            IdeaStatusChange.note_source,
            IdeaStatusChange.created_at,
        )
        .where(IdeaStatusChange.actor_id == user.id)
        .order_by(IdeaStatusChange.id)
    )
    return [
        {
            "idea_id": row.idea_id,
            "from": row.from_status,
            "to": row.to_status,
            "note": row.note_source,
            "created_at": _iso(row.created_at),
        }
        for row in rows
    ]


def _challenges(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Challenge.slug, Challenge.title, Challenge.body_source, Challenge.created_at)
        .where(Challenge.created_by_id == user.id)
        .order_by(Challenge.id)
    )
    return [
        {
            "slug": row.slug,
            "title": row.title,
            "body": row.body_source,
            "created_at": _iso(row.created_at),
        }
        for row in rows
    ]


def export(user: User) -> dict[str, Any]:
    """Everything the ideas portal holds about ``user``: ideas and comments (with their
    Markdown), votes (importance, whether the team recorded it for them), follows,
    answers after shipping, their customer value, and what they wrote as the team."""
    return {
        "ideas": _ideas(user),
        "comments": _comments(user),
        "votes": _votes(user),
        "follows": _follows(user),
        "ship_feedback": _ship_feedback(user),
        "customer_value": _customer_value(user),
        "status_notes": _status_notes(user),
        "challenges": _challenges(user),
    }


# ---------------------------------------------------------------- erasure


def erase(user: User) -> None:
    """Forget what only concerned ``user``: their follows (also those a merge keeps for
    an unmerge) and the customer value the team set for them. Ideas, comments, votes and
    answers stay, so every count stays right; they show under the anonymised name."""
    customer_values.forget_value(user)
    for model in (IdeaFollow, IdeaMergeFollow):
        db.session.execute(
            delete(model).where(model.user_id == user.id),
            execution_options={"synchronize_session": "fetch"},
        )


# ---------------------------------------------------------------- votes taken back


def _remove_votes(user: User) -> None:
    """Delete the member's votes with every count moved: each idea's votes, weighted
    votes, value score, votes per day and trending score, and the member's open votes."""
    # The voter's row, then the ideas' rows (PostgreSQL), in the order a vote takes them:
    # a new customer value waits, and a status change at the same moment waits, so its
    # budget refund sees the votes either all there or all gone.
    voter_weight = vote_counts.voter_weight(user.id)
    ideas = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea)
            .where(Idea.id.in_(select(IdeaVote.idea_id).where(IdeaVote.user_id == user.id)))
            .order_by(Idea.id)
            .with_for_update(of=Idea)
            .execution_options(populate_existing=True)
        )
    }
    if not ideas:
        return
    removed = db.session.execute(
        delete(IdeaVote)
        .where(IdeaVote.user_id == user.id)
        .returning(
            IdeaVote.idea_id, IdeaVote.importance, IdeaVote.proxy_by_id, IdeaVote.created_at
        ),
        execution_options={"synchronize_session": "fetch"},
    ).all()
    open_votes = 0
    for idea_id, importance, proxy_by_id, cast_at in removed:
        idea = ideas[idea_id]
        vote_counts.move_votes(idea, -1, -importance, voter_weight, cast_at.date())
        if proxy_by_id is None and vote_counts.in_budget(idea.status, idea.hidden_at is not None):
            open_votes += 1
    if open_votes:
        add_to_counter(IdeaVoter, "open_votes", -open_votes, user_id=user.id)


def _remove_ship_feedback(user: User) -> None:
    """Delete the member's answers after shipping, each idea's answer count moved (one
    answer per idea, so the statements are independent)."""
    removed = db.session.execute(
        delete(ShipFeedback)
        .where(ShipFeedback.user_id == user.id)
        .returning(ShipFeedback.idea_id, ShipFeedback.answer),
        execution_options={"synchronize_session": "fetch"},
    ).all()
    moves = []
    for idea_id, answer in removed:
        column = getattr(Idea, f"feedback_{answer}")
        moves.append(update(Idea).where(Idea.id == idea_id).values({column.key: column - 1}))
    write_together(*moves)


def remove_votes_of(user: User) -> None:
    """Take back every vote and answer ``user`` gave on ideas (a sock puppet, a purged
    spammer), every count moved; a merge's record of their votes goes too, so an unmerge
    cannot bring them back."""
    _remove_votes(user)
    _remove_ship_feedback(user)
    db.session.execute(
        delete(IdeaMergeVote).where(IdeaMergeVote.user_id == user.id),
        execution_options={"synchronize_session": "fetch"},
    )


def _reverse_votes(user: User) -> int:
    remove_votes_of(user)
    # Reputation's reverser already counts (and reverses) the upvotes these votes gave.
    return 0


accounts.register_exporter("ideas", export)
accounts.register_eraser(erase)
register_vote_reverser(_reverse_votes)

"""Votes on ideas: one per member per idea, with an importance; a vote budget.

Every count moves by SQL arithmetic in the voting transaction (``vote_counts``): the
idea's votes, importance-weighted votes, value score and votes of the day (and its
trending score with them) and the voter's open votes, which the budget limits. The
database decides every race: the vote's primary key refuses a second vote, a conditional
upsert refuses a vote beyond the budget. A vote earns the idea's author "idea upvoted"
(never for one's own idea); taking it back reverses that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, delete, exists, literal, select, true
from sqlalchemy.orm import joinedload, make_transient_to_detached

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core.db import (
    BigId,
    UTCDateTime,
    as_sql,
    dialect_insert,
    dialect_name,
    prepared,
    run_together,
    together,
    utcnow,
)
from community.core.errors import Conflict, InvalidInput
from community.extensions import db
from community.ideas.models import (
    Idea,
    IdeaFollow,
    IdeaVote,
    IdeaVoter,
    Importance,
)
from community.ideas.services import common, vote_counts
from community.moderation.services import audit
from community.moderation.services.penalties import check_can_write
from community.notifications.services import notify
from community.reputation import privileges
from community.reputation import services as reputation

UPVOTED = "idea_upvoted"
# Lazy: translated only when a visitor is refused, not on every vote.
SIGN_IN_TO_VOTE = _l("Please sign in to vote.")
# The team sees at most this many voters on an idea's page.
VOTERS_SHOWN = 100


def parse_importance(value: Any) -> Importance:
    """An importance from a form or JSON value (name or number); InvalidInput otherwise."""
    if value is None or value == "":
        return Importance.IMPORTANT
    if isinstance(value, Importance):
        return value
    if isinstance(value, str) and value.upper() in Importance.__members__:
        return Importance[value.upper()]
    try:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(value)
        return Importance(int(value))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Choose how important it is: nice to have, important or critical."),
            field="importance",
        ) from None


@dataclass(frozen=True)
class Balance:
    used: int
    budget: int  # 0: no budget

    @property
    def left(self) -> int | None:
        return None if not self.budget else max(self.budget - self.used, 0)


def balance(user: Any) -> Balance:
    """The member's open votes and the budget (one query; none for visitors)."""
    used = 0
    if getattr(user, "is_authenticated", False):
        used = (
            db.session.scalar(select(IdeaVoter.open_votes).where(IdeaVoter.user_id == user.id)) or 0
        )
    return Balance(used, vote_counts.budget())


def _check_open(idea: Idea) -> None:
    if idea.is_closed:
        raise Conflict(_("This idea is closed: it takes no more votes."))


def _check_votable(idea: Idea) -> None:
    """Open and not hidden: a hidden idea is out of the lists and takes no votes."""
    _check_open(idea)
    if idea.hidden_at is not None:
        raise Conflict(_("This idea is hidden: it takes no votes."))


def vote(user: User, idea: Idea, importance: Any = None, proxy_by: User | None = None) -> IdeaVote:
    """The member's vote for ``idea`` (Conflict when they voted already, the idea is
    closed, or the budget is used up; nothing changes then). ``proxy_by``: a team member
    recording it on the member's behalf (outside their budget, and they are told).

    The voter follows the idea by default. Every statement is built once (``prepared``):
    votes are the busiest write there is."""
    if proxy_by is None:
        check_can_write(user)
        common.require_member(user, SIGN_IN_TO_VOTE)
        privileges.require(user, "vote")
    _check_votable(idea)
    weight = parse_importance(importance)
    values = {
        "idea_id": idea.id,
        "user_id": user.id,
        "importance": int(weight),
        "proxy_by_id": proxy_by.id if proxy_by is not None else None,
        "created_at": utcnow(),
    }
    params = {f"v_{name}": value for name, value in values.items()}
    params["v_day"] = values["created_at"].date()
    if proxy_by is None and dialect_name() == "postgresql":
        _cast_in_one_statement(user, idea, int(weight), params)
    else:
        if proxy_by is None:
            voter_weight = vote_counts.take_from_budget(user.id)
        else:
            voter_weight = vote_counts.voter_weight(user.id)
        if run_together(_vote_writes(), params).first() is None:
            _already_voted(user, counted=proxy_by is None)
        vote_counts.move_votes(idea, +1, int(weight), voter_weight, params["v_day"], votable=True)
    author = db.session.get(User, idea.author_id)
    assert author is not None
    reputation.record(author, UPVOTED, idea, actor=user, category=("product", idea.product_id))
    return _attached(IdeaVote(**values))


def _already_voted(user: User, counted: bool) -> None:
    if counted:
        vote_counts.move_open_votes(user.id, -1)  # what the budget just counted
    raise Conflict(_("You have already voted for this idea."))


def _cast_in_one_statement(user: User, idea: Idea, weight: int, params: dict[str, Any]) -> None:
    """PostgreSQL: the budget, the follow, the vote and the idea's counts in one statement
    (``_cast_writes``); the same refusals as one after another."""
    limit = vote_counts.budget()
    params |= vote_counts.budget_params(user.id, limit)
    params |= vote_counts.count_params(idea, +1, weight)
    open_votes, voted, *counts = run_together(_cast_writes(bool(limit)), params).one()
    vote_counts.check_budget(open_votes, limit)
    if voted is None:
        _already_voted(user, counted=True)
    vote_counts.settle_counts(idea, +1, counts if counts[0] is not None else None)


@prepared
def _cast_writes(limited: bool) -> tuple[Any, ...]:
    """``_cast_in_one_statement``'s statement: the budget's upsert first; the follow and
    the vote only when it counted the vote; the counts only when the vote was new. One
    row: the member's open votes, the vote's idea and the idea's counts (NULL for what
    did not happen)."""
    budget = vote_counts.budget_write(limited).cte("budget")
    follow, vote = _vote_inserts(exists(select(budget.c.open_votes)))
    voted = vote.returning(IdeaVote.__table__.c.idea_id).cte("vote")
    voter_weight = select(budget.c.value).scalar_subquery()
    counted = (
        vote_counts.count_update("votable", voter_weight)
        .where(exists(select(voted.c.idea_id)))
        .cte("counted")
    )
    day = vote_counts.day_move(exists(select(voted.c.idea_id)))
    one_row = select(literal(1).label("one")).subquery("one_row")
    result = select(
        select(budget.c.open_votes).scalar_subquery(),
        select(voted.c.idea_id).scalar_subquery(),
        *counted.c,
    ).select_from(one_row.outerjoin(counted, true()))
    return together(follow, day, result)


@prepared
def _vote_writes() -> tuple[Any, ...]:
    """The voter's default follow (kept when they chose already) and the vote (returning
    its idea; nothing when they have voted already), in one round trip where the
    database allows. The follow of a refused vote changes nothing: who voted already
    has their follow row (or their unfollow) since."""
    follow, vote = _vote_inserts()
    return together(follow, vote.returning(IdeaVote.__table__.c.idea_id))


def _vote_inserts(when: Any = None) -> tuple[Any, Any]:
    """The follow (ignored when there is one) and the vote (ignored when there is one) of
    the ``v_...`` parameters; both only ``when`` (an SQL condition), if given."""
    votes, follows = IdeaVote.__table__, IdeaFollow.__table__
    idea_id, user_id = bindparam("v_idea_id", type_=BigId), bindparam("v_user_id", type_=BigId)
    at = bindparam("v_created_at", type_=UTCDateTime())
    follow = {"idea_id": idea_id, "user_id": user_id, "following": true(), "created_at": at}
    vote = {
        "idea_id": idea_id,
        "user_id": user_id,
        "importance": bindparam("v_importance", type_=Integer()),
        "proxy_by_id": bindparam("v_proxy_by_id", type_=BigId),
        "created_at": at,
    }
    return tuple(
        dialect_insert(table)
        .from_select(
            list(row),
            select(*(as_sql(v).label(k) for k, v in row.items())).where(
                when if when is not None else true()
            ),
        )
        .on_conflict_do_nothing()
        for table, row in ((follows, follow), (votes, vote))
    )


def proxy_vote(actor: User, idea: Idea, username: str | None, importance: Any = None) -> IdeaVote:
    """A team member records a customer's vote on their behalf (e.g. from a sales call):
    labelled as a proxy vote, outside the customer's budget, the customer is told and
    can withdraw it. Audited."""
    common.require_team(actor)
    member = common.member_named(username)
    if member.is_team or member.is_erased:
        raise InvalidInput(_("Record votes for customers only."), field="username")
    vote_row = vote(member, idea, importance, proxy_by=actor)
    audit(actor, "idea.proxy_vote", idea, {"member": member.id, "importance": vote_row.importance})
    with in_language_of(member):
        text = _(
            "%(name)s of the team recorded your vote for “%(title)s”. Not yours? Withdraw it "
            "on the idea's page.",
            name=actor.name,
            title=idea.title,
        )
    notify(member, "idea", idea, text)
    return vote_row


def vote_for_own_idea(author: User, idea: Idea) -> IdeaVote:
    """The author's own vote on a new idea: always given (even beyond the budget, which
    it then counts towards), earning nothing."""
    values = {
        "idea_id": idea.id,
        "user_id": author.id,
        "importance": int(Importance.IMPORTANT),
        "proxy_by_id": None,
        "created_at": utcnow(),
    }
    voter_weight = vote_counts.voter_weight(author.id)
    db.session.execute(dialect_insert(IdeaVote.__table__).values(**values))
    vote_counts.move_open_votes(author.id, +1)
    day = values["created_at"].date()
    vote_counts.move_votes(idea, +1, int(Importance.IMPORTANT), voter_weight, day)
    return _attached(IdeaVote(**values))


def unvote(user: User, idea: Idea) -> bool:
    """Take the member's vote back (False when there was none); Conflict on a closed idea
    (its votes are part of its history)."""
    common.require_member(user, SIGN_IN_TO_VOTE)
    _check_open(idea)
    voter_weight = vote_counts.voter_weight(user.id)
    row = db.session.execute(
        delete(IdeaVote)
        .where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
        .returning(IdeaVote.importance, IdeaVote.proxy_by_id, IdeaVote.created_at),
        execution_options={"synchronize_session": "fetch"},
    ).first()
    if row is None:
        return False
    importance, proxy_by_id, cast_at = row
    # The counts first: their UPDATE holds the idea's row, so the state read back is
    # the one a concurrent hide, restore or status change leaves.
    status, hidden = vote_counts.move_votes(
        idea, -1, -int(importance), voter_weight, cast_at.date(), only_open=True
    )
    if proxy_by_id is None and vote_counts.in_budget(status, hidden):
        vote_counts.move_open_votes(user.id, -1)
    reputation.reverse(idea, UPVOTED, actor=user)
    return True


def set_importance(user: User, idea: Idea, importance: Any) -> IdeaVote:
    """Change how important the member's vote says the idea is."""
    common.require_member(user, SIGN_IN_TO_VOTE)
    _check_open(idea)
    weight = int(parse_importance(importance))
    voter_weight = vote_counts.voter_weight(user.id)
    vote_row = db.session.scalar(
        select(IdeaVote)
        .where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
        .with_for_update()
    )
    if vote_row is None:
        raise Conflict(_("You have not voted for this idea."))
    change = weight - vote_row.importance
    if change:
        vote_row.importance = weight
        db.session.flush()
        common.move_idea(
            idea,
            weighted_votes=Idea.weighted_votes + change,
            value_score=Idea.value_score + change * voter_weight,
        )
    return vote_row


def my_vote(user: Any, idea: Idea) -> IdeaVote | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.get(IdeaVote, (idea.id, user.id))


def voters(idea: Idea, limit: int = VOTERS_SHOWN) -> list[IdeaVote]:
    """The newest votes on ``idea`` with their members, for the team (one query)."""
    return list(
        db.session.scalars(
            select(IdeaVote)
            .options(joinedload(IdeaVote.user))
            .where(IdeaVote.idea_id == idea.id)
            .order_by(IdeaVote.created_at.desc(), IdeaVote.user_id.desc())
            .limit(limit)
        )
    )


def voted_ids(user: Any, idea_ids: list[int]) -> set[int]:
    """Of ``idea_ids``, those the member voted for (one query; none for visitors)."""
    if not idea_ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(IdeaVote.idea_id).where(
                IdeaVote.user_id == user.id, IdeaVote.idea_id.in_(idea_ids)
            )
        )
    )


def _attached(vote_row: IdeaVote) -> IdeaVote:
    make_transient_to_detached(vote_row)  # the row exists: attach it without a query
    db.session.add(vote_row)
    return vote_row

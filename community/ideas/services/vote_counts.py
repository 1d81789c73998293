"""The stored counts of votes on ideas: the idea's votes, importance-weighted votes,
value score, votes per day and trending score, and the voter's open votes
(``IdeaVoter.open_votes``: their own votes on ideas neither closed nor hidden, which the
budget limits). Each moves by SQL arithmetic in one prepared statement
(``core.db.prepared``): votes are the busiest write there is.

A vote adds its importance times its voter's weight (``IdeaVoter.value``, their customer
value) to the idea's value score. Whatever moves a member's votes reads that weight from
their voter row as it locks it (the budget's upsert, or ``voter_weight``), and a change of
their customer value locks the row before it moves the scores (``customer_values``): so a
vote and a new value never miss each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import BigInteger, Date, Float, Integer, bindparam, case, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.core.db import (
    BigId,
    add_to_counter,
    counter_move,
    dialect_insert,
    prepared,
    run_together,
    together,
)
from community.core.errors import Conflict
from community.extensions import db
from community.ideas.models import (
    CLOSED_STATUSES,
    CustomerValue,
    Idea,
    IdeaVote,
    IdeaVoteDay,
    IdeaVoter,
)
from community.ideas.services import common

# The weight of a member's votes without a customer value.
DEFAULT_WEIGHT = 1


class OverBudget(Conflict):
    code = "over_budget"


def budget() -> int:
    """Open votes allowed per member; 0 when the budget is off."""
    return max(int(current_app.config.get("IDEA_VOTE_BUDGET", 0) or 0), 0)


def in_budget(status: str, hidden: bool) -> bool:
    """Whether own votes on an idea in this state count towards the budget: the idea is
    neither closed nor hidden (a hidden idea gives its votes back until restored)."""
    return status not in CLOSED_STATUSES and not hidden


def take_from_budget(user_id: int) -> int:
    """Count one more open vote, refused (OverBudget) when that would pass the budget;
    one conditional upsert, so concurrent votes never pass it. Returns the member's vote
    weight, read from their voter row as it locked it."""
    limit = budget()
    taken = db.session.execute(budget_write(bool(limit)), budget_params(user_id, limit))
    row = taken.first()
    check_budget(row[0] if row is not None else None, limit)
    assert row is not None
    return int(row[1])


def budget_params(user_id: int, limit: int) -> dict[str, Any]:
    return {"b_user": user_id, "b_limit": limit}


def check_budget(open_votes: int | None, limit: int) -> None:
    """OverBudget unless the budget's upsert (``budget_write``) counted the vote."""
    if open_votes is None or (limit and open_votes > limit):
        raise OverBudget(
            _(
                "You have used all %(n)d of your votes. Take one back, or wait until an "
                "idea you voted for ships or closes.",
                n=limit,
            )
        )


@prepared
def budget_write(limited: bool) -> Any:
    """One more open vote for the member ``b_user``, unless (``limited``) they have
    ``b_limit`` already; returns their open votes and vote weight (no row when
    refused)."""
    table = IdeaVoter.__table__
    user = bindparam("b_user", type_=BigId)
    insert = dialect_insert(table).values(user_id=user, open_votes=1, value=_weight_of(user))
    limit = bindparam("b_limit", type_=Integer())
    stmt = insert.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={"open_votes": table.c.open_votes + 1},
        where=(table.c.open_votes < limit) if limited else None,
    )
    return stmt.returning(table.c.open_votes, table.c.value)


def weight_column() -> Any:
    """A vote's weight in a query joined to ``CustomerValue`` (outer): the voter's
    customer value, else ``DEFAULT_WEIGHT``."""
    return func.coalesce(CustomerValue.value, DEFAULT_WEIGHT)


def _weight_of(user: Any) -> Any:
    """The vote weight of a member's new voter row: their customer value, else 1."""
    return func.coalesce(
        select(CustomerValue.value).where(CustomerValue.user_id == user).scalar_subquery(),
        DEFAULT_WEIGHT,
    )


def voter_weight(user_id: int) -> int:
    """Lock the member's voter row (made when missing) and return their vote weight:
    first thing whenever their votes change outside the budget's upsert."""
    return int(db.session.execute(_lock_voter(), {"b_user": user_id}).scalar_one())


@prepared
def _lock_voter() -> Any:
    table = IdeaVoter.__table__
    user = bindparam("b_user", type_=BigId)
    insert = dialect_insert(table).values(user_id=user, open_votes=0, value=_weight_of(user))
    return insert.on_conflict_do_update(
        index_elements=[table.c.user_id], set_={"open_votes": table.c.open_votes}
    ).returning(table.c.value)


def move_open_votes(user_id: int, delta: int) -> None:
    """Move a member's open votes (not checked against the budget: the author's own vote,
    taking a vote back)."""
    add_to_counter(IdeaVoter, "open_votes", delta, user_id=user_id)


def refund_open_votes(idea_id: int, delta: int) -> None:
    """Give back (``delta`` -1) or take again (+1) one open vote from each member with an
    own vote on the idea: when it closes or is hidden, or reopens or is restored (one
    statement)."""
    own_voters = select(IdeaVote.user_id).where(
        IdeaVote.idea_id == idea_id, IdeaVote.proxy_by_id.is_(None)
    )
    db.session.execute(
        update(IdeaVoter)
        .where(IdeaVoter.user_id.in_(own_voters))
        .values(open_votes=IdeaVoter.open_votes + delta),
        execution_options={"synchronize_session": False},
    )


def move_votes(
    idea: Idea,
    votes: int,
    weighted: int,
    weight: int,
    day: dt.date,
    only_open: bool = False,
    votable: bool = False,
) -> tuple[str, bool]:
    """Move the idea's votes, weighted votes and value score (``weighted`` times the
    voter's ``weight``), its votes of ``day`` (the day the vote was cast), and its
    trending score with them; returns the idea's status and whether it is hidden, as
    its locked row has them.

    One UPDATE sets the score computed from the count as loaded plus ``votes``, when
    that is still the count; when a concurrent vote moved it meanwhile, a second UPDATE
    sets the score from the new count (the row stays locked in between, so the score
    always follows the count it was computed from).

    ``only_open`` (a vote taken back) refuses (Conflict) when the idea closed since it
    was loaded, ``votable`` (a vote cast) also when it was hidden meanwhile: the UPDATE
    waits for a concurrent status change or hide and re-checks, so their budget refunds
    never miss this vote."""
    guard = "votable" if votable else "open" if only_open else ""
    params = count_params(idea, votes, weighted) | {"m_weight": weight, "m_day": day}
    row = run_together(_count_write(guard), params).first()
    return settle_counts(idea, votes, row)


def count_params(idea: Idea, votes: int, weighted: int) -> dict[str, Any]:
    """The parameters of ``count_update`` but the voter's weight: the trending score from
    the count as loaded + votes."""
    return {
        "m_idea": idea.id,
        "m_votes": votes,
        "m_weighted": weighted,
        "m_before": idea.vote_count,
        "m_hot": common.hot_score(idea.vote_count + votes, idea.created_at),
    }


def settle_counts(idea: Idea, votes: int, row: Any) -> tuple[str, bool]:
    """After ``count_update`` moved the counts by ``votes`` (its row, or None when the
    guard refused: Conflict): the score again when a concurrent vote moved the count
    meanwhile, and the loaded idea's counts; the idea's status and whether hidden."""
    if row is None:
        raise Conflict(_("This idea is closed or hidden: it takes no votes."))
    count, weighted_votes, status, hidden_at = row
    hot = common.hot_score(count, idea.created_at)
    if count != idea.vote_count + votes:
        run_together(_hot_write(), {"m_idea": idea.id, "m_hot": hot})
    set_committed_value(idea, "vote_count", count)
    set_committed_value(idea, "weighted_votes", weighted_votes)
    set_committed_value(idea, "hot", hot)
    return status, hidden_at is not None


@prepared
def _count_write(guard: str) -> tuple[Any, ...]:
    day = counter_move(
        IdeaVoteDay,
        "votes",
        bindparam("m_votes", type_=Integer()),
        idea_id=bindparam("m_idea", type_=BigId),
        day=bindparam("m_day", type_=Date()),
    )
    return together(day, count_update(guard))


def vote_day() -> Any:
    """The (UTC) day a vote was cast, in SQL: what ``IdeaVoteDay.day`` counts it under."""
    return func.date(IdeaVote.created_at)


def day_move(when: Any) -> Any:
    """A new vote's day (``v_idea_id``, ``v_day``) counted, only ``when`` (an SQL
    condition: the vote was new)."""
    return counter_move(
        IdeaVoteDay,
        "votes",
        1,
        when=when,
        idea_id=bindparam("v_idea_id", type_=BigId),
        day=bindparam("v_day", type_=Date()),
    )


def count_update(guard: str, weight: Any = None) -> Any:
    """The counts' UPDATE (``count_params``), returning the counts, status and hidden
    mark; ``guard`` "open": only on an idea not closed, "votable": also not hidden.
    ``weight``: the voter's weight as SQL (default: the parameter ``m_weight``)."""
    table = Idea.__table__
    counted_from = table.c.vote_count == bindparam("m_before", type_=Integer())
    weighted = bindparam("m_weighted", type_=Integer())
    if weight is None:
        weight = bindparam("m_weight", type_=BigInteger())
    stmt = (
        update(table)
        .where(table.c.id == bindparam("m_idea", type_=BigId))
        .values(
            vote_count=table.c.vote_count + bindparam("m_votes", type_=Integer()),
            weighted_votes=table.c.weighted_votes + weighted,
            value_score=table.c.value_score + weighted * weight,
            hot=case((counted_from, bindparam("m_hot", type_=Float())), else_=table.c.hot),
        )
    )
    if guard:
        stmt = stmt.where(table.c.status.not_in(sorted(CLOSED_STATUSES)))
    if guard == "votable":
        stmt = stmt.where(table.c.hidden_at.is_(None))
    return stmt.returning(
        table.c.vote_count, table.c.weighted_votes, table.c.status, table.c.hidden_at
    )


@prepared
def _hot_write() -> tuple[Any, ...]:
    table = Idea.__table__
    return together(
        update(table)
        .where(table.c.id == bindparam("m_idea", type_=BigId))
        .values(hot=bindparam("m_hot", type_=Float()))
    )

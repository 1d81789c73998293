"""Recompute every stored ideas counter from the rows, report the drifts, fix them.

Each count check is a handful of set-based statements (aggregate, join, compare; then
one ``UPDATE ... FROM``), never a Python loop over votes, so it runs on a million votes.
What each counter means is written once here, and is what the services keep moving
(``community.core.recount`` compares, reports and fixes):

- idea ``vote_count``: its votes; ``weighted_votes``: the sum of their importance;
  ``value_score``: the sum of their importance times the voter's customer value (1
  without one: ``vote_counts.weight_column``);
  ``comment_count``: its visible comments; ``feedback_yes``/``feedback_partly``/
  ``feedback_no``: the answers to "Did this solve it for you?";
- idea ``hot``: ``common.hot_score`` of its counted votes and its creation time (see
  ``_hot_scores``: the one check computed in Python, batch by batch);
- tag ``idea_count``: visible ideas carrying the tag;
- voter ``open_votes``: the member's own (not proxy) votes on ideas that are neither
  closed nor hidden (a member with such votes and no row is a drift too: the fix adds the
  row); ``value``: the weight of their votes, their customer value (1 without one);
- idea days ``votes``: the idea's votes cast on that (UTC) day (a day with votes and no
  row is a drift too);
- challenge ``idea_count``: the ideas submitted into it (hidden ones included).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Subquery,
    bindparam,
    case,
    delete,
    func,
    insert,
    null,
    select,
    update,
)

from community.accounts.models import User
from community.core.recount import (
    MAX_EXAMPLES,
    Check,
    count_by,
    count_check,
    count_rows,
    drift_line,
    more,
    run_all,
    write,
)
from community.extensions import db
from community.ideas.models import (
    CLOSED_STATUSES,
    Challenge,
    CustomerValue,
    FeedbackAnswer,
    Idea,
    IdeaComment,
    IdeaTag,
    IdeaTagLink,
    IdeaVote,
    IdeaVoteDay,
    IdeaVoter,
    ShipFeedback,
)
from community.ideas.services import common, vote_counts

# Ideas whose trending score is computed per statement (one indexed count each).
HOT_BATCH = 2000
# Scores are stored rounded to 7 decimals; a smaller difference is float noise.
HOT_TOLERANCE = 1e-6


def _idea_counts() -> Check:
    votes = (
        select(
            IdeaVote.idea_id.label("key"),
            func.count().label("n"),
            func.sum(IdeaVote.importance).label("weighted"),
            func.sum(IdeaVote.importance * vote_counts.weight_column()).label("value"),
        )
        .outerjoin(CustomerValue, CustomerValue.user_id == IdeaVote.user_id)
        .group_by(IdeaVote.idea_id)
        .subquery()
    )
    comments = count_by(IdeaComment.idea_id, IdeaComment.hidden_at.is_(None))

    def answered(answer: FeedbackAnswer) -> ColumnElement[Any]:
        return func.sum(case((ShipFeedback.answer == answer.value, 1), else_=0)).label(answer.value)

    feedback = (
        select(ShipFeedback.idea_id.label("key"), *(answered(a) for a in FeedbackAnswer))
        .group_by(ShipFeedback.idea_id)
        .subquery()
    )
    computed = (
        select(
            Idea.id.label("id"),
            Idea.id.label("label"),
            func.coalesce(votes.c.n, 0).label("vote_count"),
            func.coalesce(votes.c.weighted, 0).label("weighted_votes"),
            func.coalesce(votes.c.value, 0).label("value_score"),
            func.coalesce(comments.c.n, 0).label("comment_count"),
            *(
                func.coalesce(feedback.c[a.value], 0).label(f"feedback_{a.value}")
                for a in FeedbackAnswer
            ),
        )
        .outerjoin(votes, votes.c.key == Idea.id)
        .outerjoin(comments, comments.c.key == Idea.id)
        .outerjoin(feedback, feedback.c.key == Idea.id)
        .subquery()
    )
    columns = ("vote_count", "weighted_votes", "value_score", "comment_count") + tuple(
        f"feedback_{a.value}" for a in FeedbackAnswer
    )
    return Check("idea", Idea, computed, columns)


def _tag_counts() -> Check:
    ideas = count_by(
        IdeaTagLink.tag_id,
        Idea.hidden_at.is_(None),
        join=IdeaTagLink.__table__.join(Idea.__table__, Idea.id == IdeaTagLink.idea_id),
    )
    return count_check("tag", IdeaTag, IdeaTag.name, {"idea_count": ideas})


def _open_votes_counted() -> Subquery:
    return count_by(
        IdeaVote.user_id,
        IdeaVote.proxy_by_id.is_(None),
        Idea.status.not_in([s.value for s in CLOSED_STATUSES]),
        Idea.hidden_at.is_(None),
        join=IdeaVote.__table__.join(Idea.__table__, Idea.id == IdeaVote.idea_id),
    )


def _voter_counts() -> Check:
    counted = _open_votes_counted()
    computed = (
        select(
            IdeaVoter.user_id.label("id"),
            User.username.label("label"),
            func.coalesce(counted.c.n, 0).label("open_votes"),
            vote_counts.weight_column().label("value"),
        )
        .join(User, User.id == IdeaVoter.user_id)
        .outerjoin(counted, counted.c.key == IdeaVoter.user_id)
        .outerjoin(CustomerValue, CustomerValue.user_id == IdeaVoter.user_id)
        .subquery()
    )
    return Check("voter", IdeaVoter, computed, ("open_votes", "value"), key="user_id")


def _missing_voters(fix: bool) -> list[str]:
    """Members with open votes but no ``IdeaVoter`` row (the fix adds the rows)."""
    counted = _open_votes_counted()
    missing = (
        select(
            counted.c.key.label("user_id"),
            counted.c.n.label("open_votes"),
            vote_counts.weight_column().label("value"),
        )
        .outerjoin(IdeaVoter, IdeaVoter.user_id == counted.c.key)
        .outerjoin(CustomerValue, CustomerValue.user_id == counted.c.key)
        .where(IdeaVoter.user_id.is_(None))
    )
    total = count_rows(missing)
    if not total:
        return []
    shown = missing.subquery()
    lines = [
        drift_line("voter", username, "open_votes", None, n)
        for username, n in db.session.execute(
            select(User.username, shown.c.open_votes)
            .join(User, User.id == shown.c.user_id)
            .order_by(shown.c.user_id)
            .limit(MAX_EXAMPLES)
        )
    ]
    lines += more("voters", total)
    if fix:
        write(insert(IdeaVoter).from_select(["user_id", "open_votes", "value"], missing))
    return lines


def _vote_days(fix: bool) -> list[str]:
    """Each idea's votes per day against its votes: a stored day that counts wrong, and a
    day with votes and no row (the fix writes every idea's days again)."""
    day = vote_counts.vote_day()
    counted = (
        select(IdeaVote.idea_id.label("idea_id"), day.label("day"), func.count().label("n"))
        .group_by(IdeaVote.idea_id, day)
        .subquery()
    )
    stored = IdeaVoteDay.__table__
    wrong = (
        select(stored.c.idea_id, stored.c.day, stored.c.votes, func.coalesce(counted.c.n, 0))
        .outerjoin(
            counted, (counted.c.idea_id == stored.c.idea_id) & (counted.c.day == stored.c.day)
        )
        .where(stored.c.votes != func.coalesce(counted.c.n, 0))
    )
    missing = (
        select(counted.c.idea_id, counted.c.day, null(), counted.c.n)
        .outerjoin(
            stored, (stored.c.idea_id == counted.c.idea_id) & (stored.c.day == counted.c.day)
        )
        .where(stored.c.idea_id.is_(None))
    )
    drifts = wrong.union_all(missing).subquery()
    total = count_rows(select(drifts))
    if not total:
        return []
    lines = [
        drift_line("idea", f"{idea_id} on {day_}", "votes", votes, n)
        for idea_id, day_, votes, n in db.session.execute(
            select(drifts).order_by(*drifts.c[:2]).limit(MAX_EXAMPLES)
        )
    ]
    if fix:
        write(delete(IdeaVoteDay))
        write(
            insert(IdeaVoteDay).from_select(
                ["idea_id", "day", "votes"], select(counted.c.idea_id, counted.c.day, counted.c.n)
            )
        )
    return lines + more("idea days", total)


def _challenge_counts() -> Check:
    ideas = count_by(Idea.challenge_id, Idea.challenge_id.is_not(None))
    return count_check("challenge", Challenge, Challenge.slug, {"idea_count": ideas})


def _hot_scores(fix: bool) -> list[str]:
    """Trending scores against ``common.hot_score`` of the counted votes.

    The score takes a log10 and an age since an epoch, which SQLite (log10 is optional
    there) and PostgreSQL would each compute their own way; so the score is computed by
    the very function the services use, in Python, over the ideas in id batches (one
    statement per batch, each vote count an index-only look-up), and a fix rewrites only
    the drifted scores (one executemany per batch). Compared with ``HOT_TOLERANCE``.
    """
    table = Idea.__table__
    votes = (
        select(func.count())
        .select_from(IdeaVote.__table__)
        .where(IdeaVote.idea_id == table.c.id)
        .correlate(table)
        .scalar_subquery()
    )
    lines: list[str] = []
    total = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(table.c.id, table.c.created_at, table.c.hot, votes)
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(HOT_BATCH)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        wrong = []
        for idea_id, created_at, stored, n in rows:
            counted = common.hot_score(n, created_at)
            if stored is None or abs(stored - counted) > HOT_TOLERANCE:
                wrong.append({"b_id": idea_id, "b_hot": counted})
                if total < MAX_EXAMPLES:
                    lines.append(drift_line("idea", idea_id, "hot", stored, counted))
                total += 1
        if fix and wrong:
            write(
                update(table).where(table.c.id == bindparam("b_id")).values(hot=bindparam("b_hot")),
                wrong,
            )
    return lines + more("ideas", total)


def recount(fix: bool = False) -> list[str]:
    """Every stored ideas counter that differs from what the rows say, one line each
    (examples, then a summary per check); with ``fix`` the stored values are corrected in
    the current transaction (the caller commits). Empty when everything is right."""
    return run_all(
        (
            _idea_counts(),
            _hot_scores,
            _tag_counts(),
            _voter_counts(),
            _missing_voters,
            _vote_days,
            _challenge_counts(),
        ),
        fix,
    )

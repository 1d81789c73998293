"""seed-scale's ledger holds the reputation the seeded ideas earned, as the ideas services
record it: "idea upvoted" for each vote on another member's idea, the shipping awards, and
stand-ins only for the features still to come."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.ideas.models import (
    Idea,
    IdeaMerge,
    IdeaMergeVote,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from community.ideas.services.statuses import SHIPPED_AUTHOR, SHIPPED_VOTER
from community.ideas.services.voting import UPVOTED, proxy_vote
from community.reputation.models import ReputationEvent
from community.reputation.rules import DAILY_CAP, RULES
from community.scale import build
from community.scale.ideas import SHIPPED, plan_ideas
from community.scale.ledger_ideas import shipped, unpack, upvotes
from community.scale.ledger_sources import FUTURE_RULES
from community.scale.members import TEAM, plan_members
from community.scale.sizes import scale_of
from community.scale.timeline import Timeline

TINY = 1e-4
TODAY = dt.date(2026, 3, 4)
IDEA_REASONS = (UPVOTED, SHIPPED_AUTHOR, SHIPPED_VOTER)


def _tiny(seed: int = 7):
    return build("tiny", seed, factor=TINY, today=TODAY)


def _plan(seed: int = 7):
    scale = scale_of("tiny", TINY)
    timeline = Timeline(TODAY)
    members = plan_members(random.Random(f"{seed}:members"), scale, timeline)
    return plan_ideas(random.Random(f"{seed}:ideas"), scale, members, timeline)


def _events(db, reason: str) -> list[ReputationEvent]:
    return list(db.session.scalars(select(ReputationEvent).where(ReputationEvent.reason == reason)))


def _votes_as_cast(db) -> set[tuple[int, int, dt.datetime]]:
    """(idea, voter, when) of each vote on the idea it was cast on, from the rows: the
    votes an idea has but those a merge moved to it, and a duplicate's kept votes."""
    moved_in = {
        (merge.target_id, vote.user_id)
        for merge, vote in db.session.execute(
            select(IdeaMerge, IdeaMergeVote)
            .join(IdeaMergeVote, IdeaMergeVote.merge_id == IdeaMerge.id)
            .where(IdeaMergeVote.moved.is_(True))
        ).all()
    }
    cast = {
        (vote.idea_id, vote.user_id, vote.created_at)
        for vote in db.session.scalars(select(IdeaVote))
        if (vote.idea_id, vote.user_id) not in moved_in
    }
    for source_id, user_id, created_at in db.session.execute(
        select(IdeaMerge.source_id, IdeaMergeVote.user_id, IdeaMergeVote.created_at).join(
            IdeaMergeVote, IdeaMergeVote.merge_id == IdeaMerge.id
        )
    ):
        cast.add((source_id, user_id, created_at))
    return cast


def test_each_vote_on_another_members_idea_earned_its_author_idea_upvoted(db):
    _tiny()
    ideas = {idea.id: idea for idea in db.session.scalars(select(Idea))}
    expected = {
        (idea_id, user, when, ideas[idea_id].author_id)
        for idea_id, user, when in _votes_as_cast(db)
        if user != ideas[idea_id].author_id
    }
    events = _events(db, UPVOTED)
    found = [(e.subject_id, e.actor_id, e.created_at, e.user_id) for e in events]
    # A merged duplicate's votes earned on it; what a merge moved earned nothing again.
    assert any(ideas[e.subject_id].status == IdeaStatus.MERGED.value for e in events)
    assert len(found) == len(set(found)) == len(expected)
    assert set(found) == expected
    for event in events:
        idea = ideas[event.subject_id]
        assert event.subject_type == "idea"
        assert (event.category_type, event.category_id) == ("product", idea.product_id)
        assert event.requested == RULES[UPVOTED].points
        assert event.day == event.created_at.date()


def test_proxy_votes_earn_the_author_as_the_service_records_one(db):
    _tiny()
    proxies = db.session.execute(
        select(IdeaVote.idea_id, IdeaVote.user_id)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(IdeaVote.proxy_by_id.is_not(None), IdeaVote.user_id != Idea.author_id)
    ).all()
    assert proxies
    earned = {(e.subject_id, e.actor_id) for e in _events(db, UPVOTED)}
    assert {tuple(row) for row in proxies} <= earned

    # The service, on the seeded data: a proxy vote earns the author "idea upvoted".
    team = db.session.scalar(select(User).where(User.username == TEAM))
    idea = db.session.scalar(
        select(Idea).where(Idea.status == IdeaStatus.OPEN.value).order_by(Idea.id).limit(1)
    )
    voted = select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.id)
    customer = db.session.scalar(
        select(User)
        .where(User.id.not_in(voted), User.role == "member", User.id != idea.author_id)
        .order_by(User.id)
        .limit(1)
    )
    proxy_vote(team, idea, customer.username)
    recorded = _events(db, UPVOTED)
    assert (idea.id, customer.id) in {(e.subject_id, e.actor_id) for e in recorded}


def test_shipping_awarded_the_author_and_every_other_voter_when_it_shipped(db):
    _tiny()
    changes = list(
        db.session.scalars(
            select(IdeaStatusChange).where(IdeaStatusChange.to_status == IdeaStatus.SHIPPED.value)
        )
    )
    assert changes
    authors, voters = _events(db, SHIPPED_AUTHOR), _events(db, SHIPPED_VOTER)
    assert len(authors) == len(changes)
    expected_voters = 0
    for change in changes:
        idea = db.session.get(Idea, change.idea_id)
        (author,) = [e for e in authors if e.subject_id == idea.id]
        assert (author.user_id, author.actor_id) == (idea.author_id, None)
        assert author.created_at == change.created_at
        others = set(
            db.session.scalars(
                select(IdeaVote.user_id).where(
                    IdeaVote.idea_id == idea.id, IdeaVote.user_id != idea.author_id
                )
            )
        )
        mine = [e for e in voters if e.subject_id == idea.id]
        assert sorted(e.user_id for e in mine) == sorted(others)
        assert {e.created_at for e in mine} <= {change.created_at}
        assert all(e.actor_id is None for e in mine)
        expected_voters += len(others)
        for event in [author, *mine]:
            category = (event.category_type, event.category_id)
            assert (event.subject_type, category) == ("idea", ("product", idea.product_id))
    assert len(voters) == expected_voters


def test_stand_ins_remain_only_for_features_still_to_come(db):
    _tiny()
    scale = scale_of("tiny", TINY)
    standing_in = {name for name, *_rest in FUTURE_RULES}
    assert not standing_in & set(IDEA_REASONS)
    reasons = dict(
        db.session.execute(
            select(ReputationEvent.reason, func.count()).group_by(ReputationEvent.reason)
        ).all()
    )
    assert set(IDEA_REASONS) <= set(reasons)
    profiles = set(
        db.session.scalars(
            select(ReputationEvent.reason)
            .where(ReputationEvent.subject_type == "user_account")
            .distinct()
        )
    )
    assert profiles <= standing_in
    assert sum(reasons.values()) == scale.events


def test_idea_upvotes_beyond_the_daily_cap_earn_only_what_it_leaves(db):
    # Large enough for an author to reach the cap on some day (seed 7).
    build("capped", 7, factor=2e-3, today=TODAY)
    capped = [name for name, rule in RULES.items() if rule.capped]
    events = db.session.execute(
        select(
            ReputationEvent.user_id,
            ReputationEvent.day,
            ReputationEvent.reason,
            ReputationEvent.requested,
            ReputationEvent.points,
        )
        .where(
            ReputationEvent.reason.in_(capped),
            ReputationEvent.requested > 0,
            ReputationEvent.reverses_id.is_(None),
        )
        .order_by(ReputationEvent.id)
    ).all()
    used: Counter[tuple[int, dt.date]] = Counter()
    cut = 0
    for user, day, reason, requested, points in events:
        assert points == min(requested, DAILY_CAP - used[user, day])
        used[user, day] += points
        cut += reason == UPVOTED and points < requested
    assert cut > 0


def test_upvotes_are_the_votes_cast_on_each_idea_but_the_authors_own():
    ideas = _plan()
    assert ideas.merges
    votes = upvotes(ideas)
    assert votes == sorted(votes)
    cast = [unpack(key)[1:] for key in votes]
    assert all(user != ideas.author[idea_id - 1] for idea_id, user in cast)
    for merge in ideas.merges:
        voters = {vote[0] for vote in merge.votes} - {ideas.author[merge.source - 1]}
        assert {(merge.source, user) for user in voters} <= set(cast)
        moved = {vote[0] for vote in merge.votes if vote[4]}
        assert not {(merge.target, user) for user in moved} & set(cast)
    own_votes = sum(ideas.cast_here(i) for i in range(1, ideas.count + 1))
    merged_votes = sum(len(merge.votes) for merge in ideas.merges)
    assert len(cast) == own_votes + merged_votes - ideas.count  # no author's own vote
    assert Counter(cast).most_common(1)[0][1] == 1


def test_a_plan_that_moves_an_idea_back_from_shipped_is_refused():
    ideas = _plan()
    index = ideas.status.index(SHIPPED)
    when = ideas.changes[index][-1][0]
    ideas.changes[index].append((when + 1, SHIPPED, IdeaStatus.PLANNED.value))
    with pytest.raises(ValueError, match="leaves shipped"):
        shipped(ideas)

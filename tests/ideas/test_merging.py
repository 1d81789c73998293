"""Merging duplicates and unmerging them: votes once, followers, comments, exact undo."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.extensions import db
from community.ideas.models import Idea, IdeaComment, IdeaFollow, IdeaVote, IdeaVoter
from community.ideas.services import comments, merging, statuses, voting
from tests.factories import make_user
from tests.ideas.factories import make_idea


def snapshot(*ideas: Idea) -> dict:
    """Everything a merge touches, as plain data."""
    ids = [i.id for i in ideas]
    db.session.expire_all()
    return {
        "ideas": sorted(
            db.session.execute(
                select(
                    Idea.id,
                    Idea.status,
                    Idea.merged_into_id,
                    Idea.vote_count,
                    Idea.weighted_votes,
                    Idea.comment_count,
                ).where(Idea.id.in_(ids))
            ).all()
        ),
        "votes": sorted(
            db.session.execute(
                select(IdeaVote.idea_id, IdeaVote.user_id, IdeaVote.importance).where(
                    IdeaVote.idea_id.in_(ids)
                )
            ).all()
        ),
        "follows": sorted(
            db.session.execute(
                select(IdeaFollow.idea_id, IdeaFollow.user_id, IdeaFollow.following).where(
                    IdeaFollow.idea_id.in_(ids)
                )
            ).all()
        ),
        "comments": sorted(
            db.session.execute(
                select(IdeaComment.id, IdeaComment.idea_id).where(IdeaComment.idea_id.in_(ids))
            ).all()
        ),
        "open_votes": sorted(
            db.session.execute(select(IdeaVoter.user_id, IdeaVoter.open_votes)).all()
        ),
    }


@pytest.fixture()
def team(db):
    return make_user(role="team")


@pytest.fixture()
def pair(db):
    """A duplicate and its original; one member voted for both, one for each."""
    original, duplicate = make_idea(title="Dark mode"), make_idea(title="Night theme")
    both, only_dup, only_orig = (make_user(reputation=100) for _ in range(3))
    voting.vote(both, original, "nice_to_have")
    voting.vote(both, duplicate, "critical")
    voting.vote(only_dup, duplicate, "critical")
    voting.vote(only_orig, original)
    comments.add_comment(only_dup, duplicate, "Please, my eyes.")
    return original, duplicate, (both, only_dup, only_orig)


def test_votes_move_once_and_the_duplicate_points_at_the_target(db, team, pair):
    original, duplicate, (both, only_dup, _only_orig) = pair

    merging.merge(team, duplicate, original.id)

    db.session.expire_all()
    assert duplicate.status == "merged" and duplicate.merged_into_id == original.id
    voters = set(
        db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == original.id))
    )
    # The two authors, the member who voted for both (once), and the two single voters.
    assert voters == {original.author_id, duplicate.author_id, *[u.id for u in pair[2]]}
    assert original.vote_count == 5
    assert duplicate.vote_count == 0
    assert db.session.get(IdeaVote, (original.id, both.id)).importance == 1  # their own
    assert original.comment_count == 1 and duplicate.comment_count == 0
    assert [i.id for i in merging.merges_into(team, original)] == [duplicate.id]
    assert [c.to_status for c in statuses.history(duplicate)] == ["merged"]


def test_open_votes_count_a_member_once_after_a_merge(db, team, pair):
    original, duplicate, (both, only_dup, only_orig) = pair

    merging.merge(team, duplicate, original.id)

    assert voting.balance(both).used == 1
    assert voting.balance(only_dup).used == 1
    assert voting.balance(only_orig).used == 1


def test_unmerge_restores_exactly_the_state_before(db, team, pair):
    original, duplicate, _members = pair
    before = snapshot(original, duplicate)

    merging.merge(team, duplicate, original.id)
    merging.unmerge(team, duplicate)

    assert snapshot(original, duplicate) == before


def test_merging_into_a_shipped_idea_gives_the_budget_back(db, team, pair):
    original, duplicate, (both, only_dup, only_orig) = pair
    statuses.change_status(team, original, "shipped", "")

    merging.merge(team, duplicate, original.id)

    assert voting.balance(only_dup).used == 0
    assert voting.balance(both).used == 0

    merging.unmerge(team, duplicate)
    assert voting.balance(only_dup).used == 1
    assert voting.balance(both).used == 1


def test_followers_move_and_hear_of_the_merge(db, team, pair):
    from community.notifications.models import Notification

    original, duplicate, (both, only_dup, _only_orig) = pair

    merging.merge(team, duplicate, original.id)

    followers = set(
        db.session.scalars(
            select(IdeaFollow.user_id).where(
                IdeaFollow.idea_id == original.id, IdeaFollow.following.is_(True)
            )
        )
    )
    assert only_dup.id in followers and duplicate.author_id in followers
    texts = db.session.scalars(select(Notification.text).where(Notification.user_id == only_dup.id))
    assert any("was merged into" in t for t in texts)


def test_merge_rules(db, team, pair):
    original, duplicate, _members = pair

    with pytest.raises(PermissionDenied):
        merging.merge(original.author, duplicate, original.id)
    with pytest.raises(InvalidInput):
        merging.merge(team, duplicate, duplicate.id)
    with pytest.raises(InvalidInput):
        merging.merge(team, duplicate, 999_999)
    with pytest.raises(InvalidInput):
        merging.merge(team, duplicate, "not a number")
    merging.merge(team, duplicate, original.id)
    with pytest.raises(Conflict):
        merging.merge(team, duplicate, original.id)
    with pytest.raises(Conflict):
        voting.vote(make_user(), duplicate)
    with pytest.raises(Conflict):
        statuses.change_status(team, duplicate, "planned", "")
    merging.unmerge(team, duplicate)
    with pytest.raises(Conflict):
        merging.unmerge(team, duplicate)

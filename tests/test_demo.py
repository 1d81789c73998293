"""``flask seed-demo``: a believable demo community, built through the real services."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.cli import seed_demo
from community.core.db import utcnow
from community.extensions import db
from community.ideas.models import (
    Challenge,
    Idea,
    IdeaComment,
    IdeaMerge,
    IdeaStatus,
    IdeaStatusChange,
    IdeaTag,
    IdeaVote,
)
from community.ideas.services import recount


@pytest.fixture()
def demo(app, db):
    result = app.test_cli_runner().invoke(seed_demo)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def _ideas() -> dict[str, Idea]:
    return {idea.title: idea for idea in db.session.scalars(select(Idea))}


def test_seed_demo_prints_the_logins_and_is_added_once(app, demo):
    assert "demo ready" in demo.output
    assert "tom" in demo.output

    again = app.test_cli_runner().invoke(seed_demo)

    assert "already has accounts" in again.output
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 12


def test_seed_demo_has_ideas_in_every_status(demo):
    statuses = db.session.scalars(select(Idea.status).distinct())

    assert set(statuses) == {status.value for status in IdeaStatus}


def test_seed_demo_ships_and_declines_with_the_teams_notes(demo):
    for status in (IdeaStatus.SHIPPED, IdeaStatus.DECLINED):
        notes = db.session.scalars(
            select(IdeaStatusChange.note_source).where(IdeaStatusChange.to_status == status)
        ).all()
        assert notes and all(notes), status
    shipped = db.session.scalars(select(Idea).where(Idea.status == IdeaStatus.SHIPPED)).all()
    assert shipped and all(idea.shipped_at is not None for idea in shipped)


def test_seed_demo_merges_a_duplicate_whose_votes_count_once(demo):
    ideas = _ideas()
    duplicate, target = ideas["Night theme please"], ideas["Dark mode for the editor"]

    assert duplicate.status == IdeaStatus.MERGED
    assert duplicate.merged_into_id == target.id
    assert db.session.scalar(select(IdeaMerge.target_id).where(IdeaMerge.source_id == duplicate.id))
    # mia, jonas (who voted for both), lea, sam and ada: one vote each.
    voters = db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == target.id))
    assert target.vote_count == len(set(voters)) == 5
    # lea's comment on the duplicate moved with it.
    assert db.session.scalar(select(func.count()).where(IdeaComment.idea_id == duplicate.id)) == 0


def test_seed_demo_ideas_are_voted_commented_tagged_and_challenged(demo):
    # Votes from several members, with every importance.
    assert set(db.session.scalars(select(IdeaVote.importance))) == {1, 2, 3}
    assert db.session.scalar(select(func.count(func.distinct(IdeaVote.user_id)))) >= 5
    # Members' comments, and official team answers pinned under the description.
    pinned = db.session.scalars(
        select(IdeaComment).join(Idea, Idea.pinned_comment_id == IdeaComment.id)
    ).all()
    assert pinned and all(comment.is_official for comment in pinned)
    assert db.session.scalar(select(func.count()).where(IdeaComment.is_official.is_(False)))
    # A running challenge with two ideas in it.
    challenge = db.session.scalar(select(Challenge))
    assert challenge.starts_at < utcnow() < challenge.ends_at
    assert challenge.decided_at is None
    assert challenge.idea_count == 2
    # Tags, and every stored counter what the rows say.
    assert db.session.scalar(select(IdeaTag.idea_count).where(IdeaTag.name == "backup")) == 5
    assert recount.recount() == []

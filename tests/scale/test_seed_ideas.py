"""seed-scale's ideas part: every status, votes, comments and merges, stored counters that
``ideas recount`` confirms, the same rows for the same seed, and scale-targets' ideas
pages and vote lines that work."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import func, select, text

from community.core.search import SearchEntry
from community.ideas.models import (
    Challenge,
    ChallengeWinner,
    CustomerValue,
    Idea,
    IdeaComment,
    IdeaFollow,
    IdeaMerge,
    IdeaMergeVote,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
    ShipFeedback,
)
from community.ideas.services.common import IDEA_KIND
from community.ideas.services.feedback import ASK_AFTER
from community.ideas.services.recount import recount
from community.reputation.models import BadgeAward, ReputationEvent
from community.scale import build
from community.scale.sizes import scale_of
from community.scale.targets import targets

TINY = 1e-4
TODAY = dt.date(2026, 3, 4)
COMPARED = (
    "product", "idea", "idea_tag", "idea_tag_link", "idea_vote", "idea_voter",
    "idea_comment", "idea_status_change", "idea_follow", "idea_merge", "idea_merge_vote",
    "idea_merge_follow", "idea_merge_comment", "search_entry", "idea_ship_feedback",
    "customer_value", "idea_challenge", "idea_challenge_winner",
)  # fmt: skip


def _tiny(seed: int = 7):
    return build("tiny", seed, factor=TINY, today=TODAY)


def _digest(db) -> dict[str, str]:
    fingerprints = {}
    for table in COMPARED:
        rows = db.session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
        ordered = sorted(repr(tuple(row)) for row in rows)
        fingerprints[table] = hashlib.sha256(repr(ordered).encode()).hexdigest()
    return fingerprints


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_ideas_part_has_every_status_votes_comments_and_merges(db):
    report = _tiny()
    scale = scale_of("tiny", TINY)
    assert "ideas" in [title for title, _rows, _seconds in report.parts]
    statuses = dict(
        db.session.execute(select(Idea.status, func.count()).group_by(Idea.status)).all()
    )
    assert set(statuses) == {status.value for status in IdeaStatus}
    assert sum(statuses.values()) == scale.ideas
    votes = _count(db, IdeaVote)
    assert scale.idea_votes * 0.8 <= votes <= scale.idea_votes * 1.1
    assert _count(db, IdeaComment) == scale.idea_comments
    assert _count(db, IdeaComment, IdeaComment.is_official.is_(True)) > 0
    # Every idea has its author's vote, except merged duplicates (their votes moved).
    merged = _count(db, Idea, Idea.status == IdeaStatus.MERGED.value)
    own = _count(db, IdeaVote, IdeaVote.user_id == Idea.author_id, IdeaVote.idea_id == Idea.id)
    assert own == scale.ideas - merged
    assert _count(db, IdeaMerge) == merged
    assert _count(db, IdeaMergeVote) >= merged
    assert _count(db, IdeaFollow) >= votes - _count(db, IdeaVote, IdeaVote.proxy_by_id.is_not(None))
    # Each change leads from the status before; the idea ends where its last change does.
    for idea in db.session.scalars(select(Idea)):
        changes = list(
            db.session.scalars(
                select(IdeaStatusChange)
                .where(IdeaStatusChange.idea_id == idea.id)
                .order_by(IdeaStatusChange.id)
            )
        )
        status = IdeaStatus.OPEN.value
        for change in changes:
            assert change.from_status == status
            assert change.created_at > idea.created_at
            status = change.to_status
        assert status == idea.status
        assert (idea.status_changed_at is None) == (not changes)
        assert (idea.shipped_at is not None) == (idea.status == IdeaStatus.SHIPPED.value)
        assert (idea.merged_into_id is not None) == (idea.status == IdeaStatus.MERGED.value)
    entries = dict(
        db.session.execute(
            select(SearchEntry.is_hidden, func.count())
            .where(SearchEntry.kind == IDEA_KIND)
            .group_by(SearchEntry.is_hidden)
        ).all()
    )
    assert entries == {False: scale.ideas - merged, True: merged}


def test_stored_counters_are_what_ideas_recount_computes(db):
    _tiny()
    assert recount() == []


def test_challenges_take_ideas_of_their_window_and_the_decided_have_winners(db):
    _tiny()
    challenges = {c.id: c for c in db.session.scalars(select(Challenge))}
    assert len(challenges) == scale_of("tiny", TINY).challenges
    submitted = db.session.scalars(select(Idea).where(Idea.challenge_id.is_not(None))).all()
    assert submitted
    for idea in submitted:
        challenge = challenges[idea.challenge_id]
        assert challenge.starts_at <= idea.created_at < challenge.ends_at
        assert challenge.product_id in (None, idea.product_id)
    winners = db.session.execute(select(ChallengeWinner, Idea).join(Idea)).all()
    assert winners
    won = {
        (event.user_id, event.subject_id, event.created_at)
        for event in db.session.scalars(
            select(ReputationEvent).where(ReputationEvent.reason == "challenge_won")
        )
    }
    assert len(won) == len(winners)
    for winner, idea in winners:
        challenge = challenges[winner.challenge_id]
        assert idea.challenge_id == challenge.id
        assert idea.status != IdeaStatus.MERGED.value
        assert challenge.decided_at == winner.created_at
        assert (idea.author_id, idea.id, challenge.decided_at) in won
    decided = {winner.challenge_id for winner, _idea in winners}
    for challenge in challenges.values():
        assert (challenge.id in decided) == (challenge.decided_at is not None)
        assert challenge.decided_at is None or challenge.decided_at > challenge.ends_at


def test_voters_answered_on_ideas_shipped_long_enough_ago(db):
    _tiny()
    end = dt.datetime.combine(TODAY, dt.time(1), tzinfo=dt.UTC)  # the timeline's end
    shipped = list(db.session.scalars(select(Idea).where(Idea.status == IdeaStatus.SHIPPED.value)))
    asked = [idea for idea in shipped if idea.feedback_asked_at is not None]
    assert asked, "some shipped idea was asked"
    for idea in shipped:
        due = idea.shipped_at + ASK_AFTER
        assert (idea.feedback_asked_at == due) == (due < end)
    answers = db.session.execute(
        select(ShipFeedback, Idea)
        .join(Idea, Idea.id == ShipFeedback.idea_id)
        .join(IdeaVote, (IdeaVote.idea_id == Idea.id) & (IdeaVote.user_id == ShipFeedback.user_id))
    ).all()
    assert len(answers) == _count(db, ShipFeedback) > 0  # every answer is a voter's
    for feedback, idea in answers:
        assert feedback.user_id != idea.author_id
        assert idea.feedback_asked_at < feedback.created_at < end
    assert {feedback.answer for feedback, _idea in answers} == {"yes", "partly", "no"}


def test_some_members_have_a_customer_value_and_segment(db):
    _tiny()
    values = db.session.execute(select(CustomerValue.segment, CustomerValue.value)).all()
    assert values
    assert {segment for segment, _value in values} <= {"Free", "Plus", "Business", "Enterprise"}
    assert all(value >= 0 for _segment, value in values)


def test_every_author_holds_first_idea_from_their_first_idea(db):
    _tiny()
    first = dict(
        db.session.execute(
            select(Idea.author_id, func.min(Idea.created_at)).group_by(Idea.author_id)
        ).all()
    )
    held = dict(
        db.session.execute(
            select(BadgeAward.user_id, BadgeAward.awarded_at).where(
                BadgeAward.badge_key == "first_idea"
            )
        ).all()
    )
    assert held == first


def test_no_vote_is_newer_than_the_status_that_closed_its_idea(db):
    _tiny()
    late = db.session.scalar(
        select(func.count())
        .select_from(IdeaVote)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(
            Idea.status.in_([IdeaStatus.SHIPPED.value, IdeaStatus.DECLINED.value]),
            IdeaVote.created_at >= Idea.status_changed_at,
        )
    )
    assert late == 0


def test_the_same_seed_gives_the_same_ideas(db):
    first = db.session.begin_nested()
    _tiny(seed=3)
    rows = _digest(db)
    first.rollback()
    second = db.session.begin_nested()
    _tiny(seed=3)
    assert _digest(db) == rows
    second.rollback()


def test_targets_name_the_ideas_pages_and_vote_lines_that_work(app, db, tmp_path):
    _tiny()
    with app.test_request_context("/"):
        found = targets(tmp_path)
    pages = {page["page"]: page for page in found["pages"]}
    assert pages["ideas list"]["simple"] is False
    assert pages["idea page"]["simple"] is True
    assert pages["roadmap"]["simple"] is False
    visitor = app.test_client()
    for name in ("ideas list", "idea page", "roadmap"):
        response = visitor.get(pages[name]["path"])
        assert response.status_code == 200, name
    idea_id = int(pages["idea page"]["path"].rsplit("/", 1)[1])
    idea = db.session.get(Idea, idea_id)
    assert idea.status == IdeaStatus.OPEN.value
    assert idea.vote_count == db.session.scalar(
        select(func.max(Idea.vote_count)).where(Idea.status == IdeaStatus.OPEN.value)
    )

    (vote,) = [w for w in found["writes"] if w["page"] == "idea vote (API)"]
    assert vote["table"] == "idea_vote" and vote["body"] is None and vote["rate_goal"] is True
    lines = Path(vote["file"]).read_text().splitlines()
    assert len(set(lines)) == len(lines) > 0
    before = _count(db, IdeaVote)
    for line in lines[:3] + lines[-2:]:  # no body: importance "important"
        token, path = line.split()
        response = visitor.post(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_json()
    assert _count(db, IdeaVote) == before + 5
    token, path = lines[3].split()
    response = visitor.post(
        path, json={"importance": 3}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.get_json()
    assert recount() == []

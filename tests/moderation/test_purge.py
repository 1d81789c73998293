"""Purging a spammer in one action: suspended, every reaction they gave taken back with
its reputation, everything they wrote hidden; every forum counter and reputation total
ends exactly where a recount and a ledger rebuild put them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums.models import ForumCategory, Post, Reaction, Topic
from community.forums.services import moderating, reactions, visibility
from community.forums.services.recount import recount
from community.moderation.models import AuditEntry, Penalty
from community.moderation.services.purge import PURGE_DAYS, purge
from community.reputation.models import ReputationEvent
from community.reputation.services.rebuild import rebuild
from tests.conftest import login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic


@dataclass
class Scene:
    team: User
    spammer: User
    alice: User
    bob: User
    forum_a: ForumCategory
    forum_b: ForumCategory
    alices_topic: Topic
    spam_topics: list[Topic]
    spam_replies: list[Post]
    alices_first_post: Post


def first_post(topic: Topic) -> Post:
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))


def reputation_of(user: User) -> int:
    db.session.expire_all()
    return db.session.get(User, user.id).reputation


def assert_counts_exact() -> None:
    db.session.flush()
    assert recount() == []
    report = rebuild()
    assert report.total_fixed == 0, report.examples


@pytest.fixture()
def scene(db) -> Scene:
    """A spammer who started topics in two forums (one tagged) and replied in others'
    topics, reacted to others' posts (one reply the team hid since) and got reactions and
    replies from honest members."""
    team = make_user(role="team")
    spammer, alice, bob = (
        # Past the sandbox: its spam check would hold some of this spam before the purge.
        make_user(username="spammer", created_at=utcnow() - dt.timedelta(days=2)),
        make_user(username="alice"),
        make_user(username="bob"),
    )
    forum_a, forum_b = make_category(actor=team), make_category(actor=team)
    alices_topic = make_topic(forum_a, author=alice, title="How do I export?", tags=("export",))
    alices_first_post = first_post(alices_topic)
    spam_in_alices = make_reply(alices_topic, author=spammer, body="Cheap pills, visit us")
    bobs_reply = make_reply(alices_topic, author=bob, body="Use the export menu.")
    bobs_hidden = make_reply(alices_topic, author=bob, body="Off-topic remark.")
    last_spam = make_reply(alices_topic, author=spammer, body="Cheap pills again")

    spam_a = make_topic(forum_a, author=spammer, title="Buy cheap pills", tags=("export",))
    alice_in_spam = make_reply(spam_a, author=alice, body="This looks like spam.")
    spam_in_own = make_reply(spam_a, author=spammer, body="No it is not, buy now")
    spam_b = make_topic(forum_b, author=spammer, title="Great deals on watches")

    # The spammer reacts to honest members' posts (kudos for positive reactions).
    reactions.react(spammer, alices_first_post, "like")
    reactions.react(spammer, bobs_reply, "insightful")
    reactions.react(spammer, alice_in_spam, "confused")
    reactions.react(spammer, bobs_hidden, "thanks")
    # Honest members react to the spam (kudos to the spammer).
    reactions.react(bob, first_post(spam_a), "like")
    reactions.react(alice, spam_in_alices, "confused")
    reactions.react(alice, bobs_reply, "like")
    moderating.hide_post(team, bobs_hidden, "Off-topic.")
    db.session.flush()
    assert_counts_exact()
    return Scene(
        team=team,
        spammer=spammer,
        alice=alice,
        bob=bob,
        forum_a=forum_a,
        forum_b=forum_b,
        alices_topic=alices_topic,
        spam_topics=[spam_a, spam_b],
        spam_replies=[spam_in_alices, last_spam, spam_in_own],
        alices_first_post=alices_first_post,
    )


def test_after_a_purge_every_counter_and_reputation_total_is_exact(db, scene):
    purge(scene.team, scene.spammer, "Spam account.")

    assert_counts_exact()


def test_a_purge_hides_everything_the_spammer_wrote(db, scene):
    report = purge(scene.team, scene.spammer, "Spam account.")

    assert report.hidden == {"forum_topic": 2, "forum_post": 3}
    assert report.total_hidden == 5
    db.session.expire_all()
    for topic in scene.spam_topics:
        assert db.session.get(Topic, topic.id).is_hidden
        with pytest.raises(NotFound):
            visibility.get_topic(scene.alice, topic.id)
    for post in scene.spam_replies:
        assert db.session.get(Post, post.id).is_hidden
    # What honest members wrote stays, and the topic counts show it alone.
    category = db.session.get(ForumCategory, scene.forum_a.id)
    assert category.topic_count == 1
    topic = db.session.get(Topic, scene.alices_topic.id)
    assert topic.post_count == 2  # alice's first post and bob's visible reply
    assert topic.last_poster_id == scene.bob.id
    assert db.session.get(ForumCategory, scene.forum_b.id).topic_count == 0


def test_a_purge_takes_back_every_reaction_and_the_kudos_they_gave(db, scene):
    kudos_given = db.session.scalar(
        select(func.count(ReputationEvent.id)).where(
            ReputationEvent.actor_id == scene.spammer.id, ReputationEvent.points > 0
        )
    )
    alice_before, bob_before = reputation_of(scene.alice), reputation_of(scene.bob)

    report = purge(scene.team, scene.spammer, "Spam account.")

    assert report.votes_reversed == kudos_given == 3  # like, insightful, thanks
    assert (
        db.session.scalar(
            select(func.count()).select_from(Reaction).where(Reaction.user_id == scene.spammer.id)
        )
        == 0
    )
    assert reputation_of(scene.alice) == alice_before - 5
    assert reputation_of(scene.bob) == bob_before - 10
    assert db.session.get(Post, scene.alices_first_post.id).reaction_count == 0


def test_a_purge_suspends_the_spammer_for_ten_years_and_is_audited(db, scene):
    report = purge(scene.team, scene.spammer, "Spam account.")

    spammer = db.session.get(User, scene.spammer.id)
    assert spammer.is_suspended
    assert spammer.suspension_reason == "Spam account."
    penalty = db.session.get(Penalty, report.penalty_id)
    assert penalty.ends_at - penalty.created_at == dt.timedelta(days=PURGE_DAYS)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "member.purge"))
    assert (entry.actor_id, entry.subject_id) == (scene.team.id, scene.spammer.id)
    assert entry.details["votes_reversed"] == 3
    assert entry.details["hidden"] == {"forum_topic": 2, "forum_post": 3}
    assert entry.details["reason"] == "Spam account."


def test_restoring_a_purged_topic_brings_its_counts_back_exactly(db, scene):
    purge(scene.team, scene.spammer, "Spam account.")

    moderating.restore_topic(scene.team, db.session.get(Topic, scene.spam_topics[0].id))

    assert_counts_exact()


def test_purging_twice_leaves_the_counts_exact(db, scene):
    purge(scene.team, scene.spammer, "Spam account.")
    report = purge(scene.team, scene.spammer, "Spam account, again.")

    assert report.total_hidden == 0
    assert report.votes_reversed == 0
    assert_counts_exact()


def test_a_purge_needs_a_reason_and_changes_nothing_without_one(db, scene):
    with pytest.raises(InvalidInput) as refused:
        purge(scene.team, scene.spammer, "  ")

    assert refused.value.field == "reason"
    assert not db.session.get(User, scene.spammer.id).is_suspended


@pytest.mark.parametrize("role", ["team", "admin"])
def test_the_team_and_admins_cannot_be_purged(db, scene, role):
    with pytest.raises(PermissionDenied):
        purge(scene.team, make_user(role=role), "Spam.")


def test_members_cannot_purge(db, scene):
    with pytest.raises(PermissionDenied):
        purge(scene.alice, scene.spammer, "I think this is spam.")
    assert not db.session.get(User, scene.spammer.id).is_suspended


def test_the_team_purges_from_the_member_page(app, db, scene):
    db.session.commit()
    client = app.test_client()
    login(client, scene.team)

    response = client.post(
        f"/mod/members/{scene.spammer.id}/purge", data={"purge-reason": "Spam account."}
    )

    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "5 items were hidden." in page
    assert "3 votes were reversed." in page
    db.session.expire_all()
    assert db.session.get(User, scene.spammer.id).is_suspended
    assert_counts_exact()

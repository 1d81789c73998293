"""Watching, tracking and muting; who hears about a new post, and only once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.core.errors import InvalidInput, PermissionDenied
from community.extensions import db
from community.forums.models import CategoryKind, Level, PostMention
from community.forums.services import categories, moderating, revisions, watching
from community.notifications.models import Notification
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic


@pytest.fixture(autouse=True)
def request_context(app, db):
    # Rendering @mentions builds profile links, which needs a request context.
    with app.test_request_context("/"):
        yield


def inbox(user: User) -> list[tuple[str, str | None, int | None]]:
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [(n.kind, n.subject_type, n.subject_id) for n in rows]


def kinds(user: User) -> list[str]:
    return [kind for kind, _, _ in inbox(user)]


# ---------------------------------------------------------------- levels


def test_topic_level_is_normal_until_the_member_chooses(db):
    topic = make_topic()
    reader = make_user()

    assert watching.topic_level(reader, topic) == Level.NORMAL


def test_topic_level_follows_the_category_level(db):
    category = make_category()
    topic = make_topic(category)
    reader = make_user()

    watching.set_category_level(reader, category, Level.WATCHING)

    assert watching.topic_level(reader, topic) == Level.WATCHING
    assert watching.category_level(reader, category) == Level.WATCHING


def test_topic_level_chosen_for_the_topic_beats_the_category_level(db):
    category = make_category()
    topic = make_topic(category)
    reader = make_user()
    watching.set_category_level(reader, category, Level.WATCHING)

    watching.set_topic_level(reader, topic, Level.MUTED)

    assert watching.topic_level(reader, topic) == Level.MUTED


def test_changing_a_level_twice_keeps_the_last_choice(db):
    topic = make_topic()
    reader = make_user()

    watching.set_topic_level(reader, topic, Level.WATCHING)
    watching.set_topic_level(reader, topic, Level.TRACKING)

    assert watching.topic_level(reader, topic) == Level.TRACKING


def test_posting_in_a_topic_tracks_it(db):
    topic = make_topic()
    replier = make_user()

    make_reply(topic, replier)

    assert watching.topic_level(topic.author, topic) == Level.TRACKING
    assert watching.topic_level(replier, topic) == Level.TRACKING


def test_unknown_level_is_refused_on_the_level_field(db):
    topic = make_topic()

    with pytest.raises(InvalidInput) as refused:
        watching.set_topic_level(make_user(), topic, 7)

    assert refused.value.field == "level"


def test_visitors_cannot_choose_a_level(db, app):
    from flask_login import AnonymousUserMixin

    with pytest.raises(PermissionDenied):
        watching.set_topic_level(AnonymousUserMixin(), make_topic(), Level.WATCHING)


# ---------------------------------------------------------------- mentions


def test_mention_notifies_the_mentioned_member(db):
    topic = make_topic()
    mentioned = make_user(username="mira")

    post = make_reply(topic, body="What do you think, @mira?")

    assert inbox(mentioned) == [("forum_mention", "forum_post", post.id)]
    assert db.session.get(PostMention, {"post_id": post.id, "user_id": mentioned.id})


def test_mention_in_a_new_topic_notifies_the_mentioned_member(db):
    mentioned = make_user(username="nico")

    topic = make_topic(body="Hello @Nico, look at this.")

    assert kinds(mentioned) == ["forum_mention"]
    first_post_id = inbox(mentioned)[0][2]
    assert first_post_id is not None and topic.highest_number == 1


def test_mentioning_oneself_notifies_nobody(db):
    author = make_user(username="selfie")
    topic = make_topic()

    make_reply(topic, author, body="As @selfie said before.")

    assert inbox(author) == []


def test_mention_of_an_unknown_name_notifies_nobody(db):
    topic = make_topic()

    make_reply(topic, body="Hello @nobody_here")

    assert db.session.scalars(select(PostMention)).all() == []


def test_member_who_muted_the_topic_is_not_even_mentioned(db):
    topic = make_topic()
    muted = make_user(username="quiet")
    watching.set_topic_level(muted, topic, Level.MUTED)

    make_reply(topic, body="@quiet are you there?")

    assert inbox(muted) == []


def test_member_who_muted_the_category_is_not_mentioned(db):
    category = make_category()
    topic = make_topic(category)
    muted = make_user(username="hush")
    watching.set_category_level(muted, category, Level.MUTED)

    make_reply(topic, body="@hush see this")

    assert inbox(muted) == []


def test_mention_inside_a_focus_group_does_not_reach_outsiders(db):
    team = make_user(role="team")
    group = make_category(actor=team, is_private=True)
    insider = make_user(username="insider")
    outsider = make_user(username="outsider")
    categories.invite_member(team, group, insider.username)
    topic = make_topic(group, author=insider)
    before = inbox(insider)

    make_reply(topic, team, body="@insider and @outsider, have a look")

    assert inbox(outsider) == []
    assert kinds(insider)[len(before) :] == ["forum_mention"]


def test_mention_in_a_hidden_post_reaches_only_who_may_see_it(db):
    topic = make_topic()
    reader = make_user(username="reader")
    post = make_reply(topic, body="Nothing yet.")
    team = make_user(role="team")
    moderating.hide_post(team, post, "spam")
    db.session.flush()

    post.body_source = "Now @reader"
    sent = watching.after_edit(post, set())

    assert sent == 0
    assert inbox(reader) == []


def test_edit_notifies_only_members_newly_mentioned(db):
    topic = make_topic()
    first = make_user(username="first_one")
    second = make_user(username="second_one")
    post = make_reply(topic, body="Hi @first_one")

    post.body_source = "Hi @first_one and @second_one"
    watching.after_edit(post, {first.id})
    post.body_source = "Hi @second_one and @first_one again"
    watching.after_edit(post, set())

    assert kinds(first) == ["forum_mention"]
    assert kinds(second) == ["forum_mention"]


def test_editing_a_post_through_the_service_notifies_new_mentions_once(db):
    author = make_user()
    topic = make_topic()
    late = make_user(username="latecomer")
    post = make_reply(topic, author, body="First words.")

    revisions.edit_post(author, post, "First words, @latecomer.")
    revisions.edit_post(author, post, "First words, @latecomer!")

    assert inbox(late) == [("forum_mention", "forum_post", post.id)]


# ---------------------------------------------------------------- replies and watchers


def test_reply_to_a_post_notifies_that_posts_author(db):
    topic = make_topic()
    answered = make_user()
    earlier = make_reply(topic, answered)

    reply = make_reply(topic, reply_to=earlier)

    assert inbox(answered) == [("forum_reply", "forum_post", reply.id)]


def test_plain_reply_notifies_the_topic_author(db):
    topic = make_topic()

    reply = make_reply(topic)

    assert inbox(topic.author) == [("forum_reply", "forum_post", reply.id)]


def test_reply_to_ones_own_post_notifies_nobody(db):
    topic = make_topic()
    author = make_user()
    earlier = make_reply(topic, author)
    seen = len(inbox(topic.author))

    make_reply(topic, author, reply_to=earlier)

    assert inbox(author) == []
    assert len(inbox(topic.author)) == seen


def test_author_who_muted_the_topic_hears_of_no_reply(db):
    topic = make_topic()
    watching.set_topic_level(topic.author, topic, Level.MUTED)

    make_reply(topic)

    assert inbox(topic.author) == []


def test_topic_watchers_hear_of_every_reply_and_trackers_do_not(db):
    topic = make_topic()
    watcher = make_user()
    tracker = make_user()
    watching.set_topic_level(watcher, topic, Level.WATCHING)
    watching.set_topic_level(tracker, topic, Level.TRACKING)

    make_reply(topic)
    make_reply(topic)

    assert kinds(watcher) == ["forum_reply", "forum_reply"]
    assert inbox(tracker) == []


def test_watchers_hear_nothing_of_their_own_reply(db):
    topic = make_topic()
    watcher = make_user()
    watching.set_topic_level(watcher, topic, Level.WATCHING)

    make_reply(topic, watcher)

    assert inbox(watcher) == []


def test_category_watchers_hear_of_new_topics_and_their_replies(db):
    category = make_category()
    watcher = make_user()
    watching.set_category_level(watcher, category, Level.WATCHING)

    topic = make_topic(category)
    reply = make_reply(topic)

    assert inbox(watcher) == [
        ("forum_new_topic", "forum_topic", topic.id),
        ("forum_reply", "forum_post", reply.id),
    ]


def test_category_trackers_hear_of_no_new_topic(db):
    category = make_category()
    tracker = make_user()
    watching.set_category_level(tracker, category, Level.TRACKING)

    make_topic(category)

    assert inbox(tracker) == []


def test_category_watcher_who_set_a_topic_to_normal_hears_no_replies_there(db):
    category = make_category()
    watcher = make_user()
    watching.set_category_level(watcher, category, Level.WATCHING)
    topic = make_topic(category)
    watching.set_topic_level(watcher, topic, Level.NORMAL)

    make_reply(topic)

    assert kinds(watcher) == ["forum_new_topic"]


def test_member_mentioned_in_a_watched_topic_gets_one_notification(db):
    topic = make_topic()
    watcher = make_user(username="watcher_w")
    watching.set_topic_level(watcher, topic, Level.WATCHING)

    make_reply(topic, body="@watcher_w what do you say?")

    assert kinds(watcher) == ["forum_mention"]


def test_replied_to_member_who_also_watches_gets_one_notification(db):
    topic = make_topic()
    watching.set_topic_level(topic.author, topic, Level.WATCHING)

    make_reply(topic)

    assert kinds(topic.author) == ["forum_reply"]


def test_focus_group_watchers_who_left_the_group_hear_nothing(db):
    team = make_user(role="team")
    group = make_category(actor=team, is_private=True)
    former = make_user()
    categories.invite_member(team, group, former.username)
    watching.set_category_level(former, group, Level.WATCHING)
    categories.remove_member(team, group, former)
    before = len(inbox(former))

    topic = make_topic(group, author=team)
    make_reply(topic, team)

    assert len(inbox(former)) == before


def test_new_topic_in_a_qa_category_reaches_its_watchers_too(db):
    category = make_category(kind=CategoryKind.QA.value)
    watcher = make_user()
    watching.set_category_level(watcher, category, Level.WATCHING)

    make_topic(category)

    assert kinds(watcher) == ["forum_new_topic"]


def test_notification_text_names_the_author_and_the_topic(db):
    topic = make_topic(title="Battery drains overnight")
    watcher = make_user()
    watching.set_topic_level(watcher, topic, Level.WATCHING)
    replier = make_user(username="helper_hans")

    make_reply(topic, replier)

    text = db.session.scalar(select(Notification.text).where(Notification.user_id == watcher.id))
    assert "helper_hans" in text and "Battery drains overnight" in text


def test_queries_per_post_grow_only_by_the_notifications_sent(db, count_queries):
    def statements_for(watchers: int) -> int:
        topic = make_topic()
        for _ in range(watchers):
            watching.set_topic_level(make_user(), topic, Level.WATCHING)
        post = make_reply(topic, topic.author)
        db.session.flush()
        with count_queries() as statements:
            sent = watching.after_post(post)
        assert sent == watchers
        return len(statements)

    few, more, most = statements_for(2), statements_for(6), statements_for(10)

    per_recipient = (more - few) / 4
    assert most - more == more - few  # linear: no hidden per-row lookups
    assert per_recipient <= 4  # one notify() each (visibility, insert, unread count)

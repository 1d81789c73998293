"""The team hides and restores posts and topics: who still sees them, counters, search,
the author's notification and the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import AnonymousUser
from community.core import search
from community.core.errors import InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums.models import ForumCategory, Post, Tag, Topic
from community.forums.services import listing, moderating, reactions, recount, topics, visibility
from community.forums.services import tags as topic_tags
from community.moderation.models import AuditEntry
from community.notifications.models import Notification
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic


def _fresh(model, obj_id):
    obj = db.session.get(model, obj_id)
    db.session.refresh(obj)
    return obj


def _audit_actions(subject_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.id)
        )
    )


def _notifications(user) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Notification.kind, Notification.text)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    )
    return [(kind, text) for kind, text in rows]


def _found(viewer, query: str, kind: str) -> set[int]:
    hits = search.search(query, search.viewer_scopes(viewer), kinds=[kind]).hits
    return {hit.subject_id for hit in hits}


def _page_numbers(viewer, topic) -> list[int]:
    return [post.number for post in listing.topic_page(viewer, topic).posts]


# ---------------------------------------------------------------- posts


def test_a_hidden_post_is_invisible_to_others_but_not_to_its_author_and_the_team(
    db, member, team_user
):
    topic = make_topic()
    author = make_user()
    post = make_reply(topic, author=author)
    moderating.hide_post(team_user, post, "Personal attack")
    assert _page_numbers(member, topic) == [1]
    assert _page_numbers(AnonymousUser(), topic) == [1]
    assert _page_numbers(author, topic) == [1, 2]
    assert _page_numbers(team_user, topic) == [1, 2]
    with pytest.raises(NotFound):
        visibility.get_post(member, post.id)
    with pytest.raises(NotFound):
        listing.locate_post(member, post.id)
    assert visibility.get_post(author, post.id).hidden_reason == "Personal attack"


def test_hiding_a_post_moves_the_counters_and_the_last_activity(db, team_user):
    category = make_category()
    older = make_topic(category=category)
    topic = make_topic(category=category)
    reply = make_reply(topic)
    reactions.react(make_user(reputation=1_000), reply, "like")
    last = make_reply(topic)
    moderating.hide_post(team_user, last, "Spam")
    topic = _fresh(Topic, topic.id)
    assert (topic.post_count, topic.reaction_count) == (2, 1)
    assert (topic.last_post_id, topic.last_poster_id) == (reply.id, reply.author_id)
    assert topic.last_posted_at == reply.created_at
    assert _fresh(ForumCategory, category.id).post_count == 3
    assert recount.recount() == []

    moderating.hide_post(team_user, reply, "Spam")
    topic = _fresh(Topic, topic.id)
    assert (topic.post_count, topic.reaction_count) == (1, 0)
    assert recount.recount() == []

    moderating.restore_post(team_user, reply)
    moderating.restore_post(team_user, last)
    topic = _fresh(Topic, topic.id)
    assert (topic.post_count, topic.reaction_count, topic.last_post_id) == (3, 1, last.id)
    assert _fresh(ForumCategory, category.id).last_topic_id == topic.id
    assert older.id != topic.id
    assert recount.recount() == []


def test_a_hidden_post_leaves_search_and_comes_back_when_restored(db, member, team_user):
    post = make_reply(make_topic(), body="Buy cheap watches here.")
    moderating.hide_post(team_user, post, "Spam")
    assert _found(member, "watches", "forum_post") == set()
    assert _found(team_user, "watches", "forum_post") == set()
    moderating.restore_post(team_user, post)
    assert _found(member, "watches", "forum_post") == {post.id}


def test_the_author_is_told_why_and_when_their_post_comes_back(db, team_user):
    author = make_user()
    topic = make_topic(title="Keyboard layout")
    post = make_reply(topic, author=author)
    moderating.hide_post(team_user, post, "Off topic")
    moderating.restore_post(team_user, post)
    assert _notifications(author) == [
        ("forum_moderated", "Your post in “Keyboard layout” was hidden: Off topic"),
        ("forum_moderated", "Your post in “Keyboard layout” is visible again."),
    ]
    assert _audit_actions(post.id)[-2:] == ["forum.post.hide", "forum.post.restore"]


def test_hiding_needs_a_reason(db, team_user):
    post = make_reply(make_topic())
    with pytest.raises(InvalidInput) as error:
        moderating.hide_post(team_user, post, "  ")
    assert error.value.field == "reason"
    assert not post.is_hidden


def test_members_cannot_hide_or_restore(db, member, team_user):
    topic = make_topic()
    post = make_reply(topic)
    with pytest.raises(PermissionDenied):
        moderating.hide_post(member, post, "I disagree")
    with pytest.raises(PermissionDenied):
        moderating.hide_topic(member, topic, "I disagree")
    moderating.hide_post(team_user, post, "Spam")
    with pytest.raises(PermissionDenied):
        moderating.restore_post(member, post)


def test_hiding_the_first_post_hides_the_topic(db, team_user):
    topic = make_topic()
    first = visibility.get_post(team_user, _first_id(topic))
    moderating.hide_post(team_user, first, "Spam")
    assert topic.is_hidden and not first.is_hidden
    moderating.restore_post(team_user, first)
    assert not topic.is_hidden


def _first_id(topic) -> int:
    return db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number == 1))


# ---------------------------------------------------------------- topics


def test_a_hidden_topic_is_excluded_from_the_category_list_and_the_topic_page(
    db, member, team_user
):
    category = make_category()
    author = make_user()
    topic = make_topic(category=category, author=author)
    moderating.hide_topic(team_user, topic, "Duplicate")
    assert listing.list_topics(member, category).items == []
    with pytest.raises(NotFound):
        visibility.get_topic(member, topic.id)
    with pytest.raises(NotFound):
        listing.topic_page(member, topic)
    assert [r.topic.id for r in listing.list_topics(author, category).items] == [topic.id]
    assert listing.topic_page(team_user, topic).posts


def test_hiding_a_topic_moves_category_and_tag_counters(db, team_user):
    category = make_category()
    older = make_topic(category=category, tags=("kept",))
    topic = make_topic(category=category, tags=("kept", "gone"))
    make_reply(topic)
    moderating.hide_topic(team_user, topic, "Spam")
    category = _fresh(ForumCategory, category.id)
    assert (category.topic_count, category.post_count, category.last_topic_id) == (1, 1, older.id)
    counts = dict(db.session.execute(select(Tag.name, Tag.topic_count)).all())
    assert counts == {"kept": 1, "gone": 0}
    assert recount.recount() == []
    moderating.restore_topic(team_user, topic)
    category = _fresh(ForumCategory, category.id)
    assert (category.topic_count, category.post_count, category.last_topic_id) == (2, 3, topic.id)
    assert recount.recount() == []


def test_hiding_a_topic_hides_its_posts_in_search(db, member, team_user):
    topic = make_topic(title="Lawnmower noise", body="The lawnmower squeaks.")
    reply = make_reply(topic, body="Lawnmower oil helps.")
    separately_hidden = make_reply(topic, body="Lawnmower spam.")
    moderating.hide_post(team_user, separately_hidden, "Spam")
    moderating.hide_topic(team_user, topic, "Wrong forum")
    assert _found(member, "lawnmower", "forum_topic") == set()
    assert _found(member, "lawnmower", "forum_post") == set()
    moderating.restore_topic(team_user, topic)
    assert _found(member, "lawnmower", "forum_topic") == {topic.id}
    # The post hidden on its own stays hidden.
    assert _found(member, "lawnmower", "forum_post") == {reply.id}


def test_the_topic_author_is_told_and_the_team_action_audited(db, team_user):
    author = make_user()
    topic = make_topic(author=author, title="Cheap pills")
    moderating.hide_topic(team_user, topic, "Spam")
    moderating.restore_topic(team_user, topic)
    assert _notifications(author) == [
        ("forum_moderated", "Your topic “Cheap pills” was hidden: Spam"),
        ("forum_moderated", "Your topic “Cheap pills” is visible again."),
    ]
    assert _audit_actions(topic.id)[-2:] == ["forum.topic.hide", "forum.topic.restore"]


def test_counters_equal_a_recount_after_replies_hides_restores_and_moves(db, team_user):
    first, second = make_category(), make_category()
    writer = make_user(reputation=1_000)
    made = [make_topic(category=first, tags=("a", "b")) for _ in range(3)]
    posts = [topics.reply(writer, topic, f"Reply {i}") for i, topic in enumerate(made * 2)]
    reactions.react(make_user(reputation=1_000), posts[0], "like")
    moderating.hide_post(team_user, posts[0], "Spam")
    moderating.hide_topic(team_user, made[1], "Spam")
    moderating.move_topic(team_user, made[1], second)
    moderating.move_topic(team_user, made[2], second)
    moderating.hide_post(team_user, posts[5], "Spam")
    moderating.restore_topic(team_user, made[1])
    moderating.restore_post(team_user, posts[0])
    topics.reply(writer, made[1], "Late reply")
    topic_tags.set_tags(team_user, made[0], ["c"])
    assert recount.recount() == []
    assert _fresh(ForumCategory, second.id).topic_count == 2


def test_hiding_twice_is_a_conflict_and_moves_the_counters_once(db, team_user):
    from community.core.errors import Conflict

    topic = make_topic()
    post = make_reply(topic)
    moderating.hide_post(team_user, post, "Spam")
    with pytest.raises(Conflict):
        moderating.hide_post(team_user, post, "Spam again")
    moderating.hide_topic(team_user, topic, "Spam")
    with pytest.raises(Conflict):
        moderating.hide_topic(team_user, topic, "Spam again")
    assert recount.recount() == []
    moderating.restore_post(team_user, post)
    with pytest.raises(Conflict):
        moderating.restore_post(team_user, post)
    assert recount.recount() == []

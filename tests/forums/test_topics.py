"""Starting topics and replying: limits, double submits, locks, tags, counters, search."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import joinedload

from community.accounts.models import AnonymousUser, User
from community.core import search
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums.models import ForumCategory, Level, Post, Tag, Topic, TopicUser
from community.forums.services import categories, moderating, recount, topics
from community.forums.services import tags as topic_tags
from community.moderation.models import AuditEntry
from tests.conftest import using_postgres
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic
from tests.test_concurrency import CLIENTS, run_concurrently


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _found(viewer, query: str, kind: str = "forum_topic") -> set[int]:
    hits = search.search(query, search.viewer_scopes(viewer), kinds=[kind]).hits
    return {hit.subject_id for hit in hits}


def _audited(action: str, subject_id: int) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.subject_id == subject_id)
        )
        == 1
    )


# ---------------------------------------------------------------- starting a topic


def test_a_new_topic_has_its_first_post_and_moves_the_category_counters(db, member):
    category = make_category()
    topic = topics.create_topic(member, category, "  Battery drains fast  ", "Since the update.")
    db.session.flush()
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert topic.title == "Battery drains fast"
    assert topic.slug == "battery-drains-fast"
    assert (first.number, first.author_id, topic.highest_number) == (1, member.id, 1)
    assert "<p>Since the update.</p>" in first.body_html
    db.session.refresh(category)
    assert (category.topic_count, category.post_count) == (1, 1)
    assert category.last_topic_id == topic.id
    assert topic.last_post_id == first.id
    assert recount.recount() == []


def test_the_author_tracks_a_topic_they_started(db, member):
    topic = make_topic(author=member)
    state = db.session.get(TopicUser, {"topic_id": topic.id, "user_id": member.id})
    assert (state.level, state.last_read_number) == (Level.TRACKING, 1)


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "A body.", "title"),
        ("   ", "A body.", "title"),
        ("x" * 201, "A body.", "title"),
        ("A title", "", "body"),
        ("A title", " \n ", "body"),
        ("A title", "x" * 50_001, "body"),
    ],
)
def test_an_empty_or_too_long_topic_is_refused_on_its_field_and_nothing_is_written(
    db, member, title, body, field
):
    category = make_category()
    before = (_count(Topic), _count(Post))
    with pytest.raises(InvalidInput) as error:
        topics.create_topic(member, category, title, body)
    assert error.value.field == field
    assert (_count(Topic), _count(Post)) == before


def test_the_longest_allowed_title_and_body_are_accepted(db, member):
    topic = topics.create_topic(member, make_category(), "t" * 200, "b" * 50_000)
    assert len(topic.title) == 200


def test_a_private_category_is_not_found_for_a_stranger(db, member):
    category = make_category(is_private=True)
    with pytest.raises(NotFound):
        topics.create_topic(member, category, "Secret", "Hello.")


def test_anonymous_visitors_cannot_start_topics(db):
    with pytest.raises(PermissionDenied):
        topics.create_topic(AnonymousUser(), make_category(), "Title", "Body")


def test_a_double_submit_with_the_same_client_key_makes_one_topic(db, member):
    category = make_category()
    first = topics.create_topic(member, category, "Title", "Body", client_key="k-1")
    again = topics.create_topic(member, category, "Title", "Body", client_key="k-1")
    assert again.id == first.id
    assert _count(Topic) == 1
    db.session.refresh(category)
    assert category.topic_count == 1


def test_the_same_title_and_body_within_seconds_is_one_topic(db, member):
    category = make_category()
    first = topics.create_topic(member, category, "Title", "Body")
    again = topics.create_topic(member, category, "Title", "Body")
    assert again.id == first.id


def test_the_same_title_and_body_a_minute_later_is_a_new_topic(db, member):
    category = make_category()
    first = topics.create_topic(member, category, "Title", "Body")
    old = first.created_at - dt.timedelta(minutes=1)
    db.session.execute(update(Topic).where(Topic.id == first.id).values(created_at=old))
    again = topics.create_topic(member, category, "Title", "Body")
    assert again.id != first.id


def test_a_new_topic_can_be_found_by_search(db, member):
    topic = make_topic(title="Firmware rollback", body="How do I roll back the firmware?")
    assert topic.id in _found(member, "rollback")
    assert topic.id in _found(AnonymousUser(), "roll back firmware")


def test_a_topic_in_a_focus_group_is_found_only_by_its_members(db, member, team_user):
    category = make_category(is_private=True)
    topic = make_topic(category=category, author=team_user, title="Prototype feedback")
    assert topic.id not in _found(member, "prototype")
    categories.invite_member(team_user, category, member.username)
    assert topic.id in _found(member, "prototype")


# ---------------------------------------------------------------- replies


def test_a_reply_gets_the_next_number_and_moves_every_counter(db, member):
    topic = make_topic()
    first_reply = make_reply(topic, author=member)
    second_reply = make_reply(topic)
    assert (first_reply.number, second_reply.number) == (2, 3)
    db.session.refresh(topic)
    assert (topic.post_count, topic.highest_number) == (3, 3)
    assert (topic.last_post_id, topic.last_poster_id) == (second_reply.id, second_reply.author_id)
    category = db.session.get(ForumCategory, topic.category_id)
    db.session.refresh(category)
    assert category.post_count == 3
    assert recount.recount() == []


def test_replying_makes_the_author_track_the_topic_unless_they_chose_a_level(db, member):
    from community.forums.services import watching

    topic = make_topic()
    other = make_topic()
    watching.set_topic_level(member, other, Level.MUTED)
    make_reply(topic, author=member)
    make_reply(other, author=member)
    tracked = db.session.get(TopicUser, {"topic_id": topic.id, "user_id": member.id})
    muted = db.session.get(TopicUser, {"topic_id": other.id, "user_id": member.id})
    assert (tracked.level, tracked.last_read_number) == (Level.TRACKING, 2)
    assert (muted.level, muted.last_read_number) == (Level.MUTED, 2)


def test_a_reply_costs_a_few_statements_whatever_the_data(db, count_queries):
    member = make_user(reputation=100)  # out of the sandbox: no spam check
    topic = make_topic()
    make_reply(topic, author=member)
    for _ in range(3):
        make_reply(topic)
    db.session.flush()

    savepoints: list[str] = []

    def note_savepoint(conn, cursor, statement, *args) -> None:
        if statement.startswith("SAVEPOINT"):
            savepoints.append(statement)

    event.listen(db.engine, "before_cursor_execute", note_savepoint)
    try:
        with count_queries() as statements:
            topics.reply(member, topic, "One more thought on this.")
    finally:
        event.remove(db.engine, "before_cursor_execute", note_savepoint)

    # The double-submit check, the post's number, the post; its counters, the author's
    # tracking and the search entry (one round trip on PostgreSQL); the watchers' levels
    # (the topic's author watches what they started), the author's row and the
    # notification (one round trip on PostgreSQL); their right to see it is checked in
    # Python.
    assert len(statements) == (7 if using_postgres() else 11), statements
    # Without a client key no double submit can collide: no savepoint's round trips.
    assert savepoints == []


@pytest.mark.parametrize("body", ["", "   ", "x" * 50_001])
def test_an_empty_or_too_long_reply_is_refused_on_the_body_and_nothing_is_written(db, member, body):
    topic = make_topic()
    with pytest.raises(InvalidInput) as error:
        topics.reply(member, topic, body)
    assert error.value.field == "body"
    db.session.refresh(topic)
    assert (_count(Post), topic.highest_number, topic.post_count) == (1, 1, 1)


def test_locked_topic_refuses_a_members_reply(db, member, team_user):
    topic = make_topic()
    moderating.set_locked(team_user, topic, True)
    with pytest.raises(Conflict) as error:
        topics.reply(member, topic, "Me too!")
    assert error.value.message == "This topic is locked."
    assert _count(Post) == 1


def test_the_team_can_still_reply_to_a_locked_topic(db, team_user):
    topic = make_topic()
    moderating.set_locked(team_user, topic, True)
    post = topics.reply(team_user, topic, "Closing this, see the announcement.")
    assert post.number == 2


def test_a_double_submit_of_a_reply_makes_one_post(db, member):
    topic = make_topic()
    first = topics.reply(member, topic, "Same here.", client_key="form-1")
    again = topics.reply(member, topic, "Same here.", client_key="form-1")
    assert again.id == first.id
    db.session.refresh(topic)
    assert (_count(Post), topic.post_count, topic.highest_number) == (2, 2, 2)


def test_the_same_reply_body_within_30_seconds_is_one_post(db, member):
    topic = make_topic()
    first = topics.reply(member, topic, "Same here.")
    again = topics.reply(member, topic, "Same here.", client_key="another-form")
    assert again.id == first.id
    assert _count(Post) == 2


def test_the_same_reply_body_after_30_seconds_is_a_new_post(db, member):
    topic = make_topic()
    first = topics.reply(member, topic, "Bump.")
    old = first.created_at - dt.timedelta(seconds=31)
    db.session.execute(update(Post).where(Post.id == first.id).values(created_at=old))
    again = topics.reply(member, topic, "Bump.")
    assert again.number == 3


def test_a_client_key_used_in_another_topic_is_a_conflict(db, member):
    topics.reply(member, make_topic(), "One.", client_key="reused")
    with pytest.raises(Conflict):
        topics.reply(member, make_topic(), "Two.", client_key="reused")


def test_a_reply_may_only_answer_a_post_of_the_same_topic(db, member):
    topic = make_topic()
    elsewhere = make_reply(make_topic())
    with pytest.raises(InvalidInput) as error:
        topics.reply(member, topic, "Answering", reply_to=elsewhere)
    assert error.value.field == "reply_to"
    target = make_reply(topic)
    post = topics.reply(member, topic, "Answering", reply_to=target.id)
    assert post.reply_to_post_id == target.id


def test_a_reply_can_be_found_by_search(db, member):
    reply = make_reply(make_topic(), body="The zebra setting fixed it.")
    assert reply.id in _found(member, "zebra", kind="forum_post")


def test_a_hidden_topic_is_not_found_for_a_reply_by_others(db, member, team_user):
    topic = make_topic()
    moderating.hide_topic(team_user, topic, "Spam")
    with pytest.raises(NotFound):
        topics.reply(member, topic, "Hello?")


def test_new_members_reply_within_the_sandbox(db, app):
    topic = make_topic()
    newcomer = make_user()
    limit = app.config["SANDBOX_POSTS"]
    for n in range(limit):
        topics.reply(newcomer, topic, f"Post {n}")
    with pytest.raises(PermissionDenied):
        topics.reply(newcomer, topic, "One too many")
    db.session.refresh(topic)
    assert topic.highest_number == limit + 1


# ---------------------------------------------------------------- tags


def test_tags_are_lower_cased_and_counted(db, member):
    category = make_category()
    topics.create_topic(member, category, "One", "Body", tags=["Battery", "app", "battery"])
    topics.create_topic(make_user(), category, "Two", "Body", tags="battery, ios")
    counts = dict(db.session.execute(select(Tag.name, Tag.topic_count)).all())
    assert counts == {"app": 1, "battery": 2, "ios": 1}
    assert recount.recount() == []


@pytest.mark.parametrize(
    "tags",
    [["a", "b", "c", "d", "e", "f"], ["no spaces allowed"], ["x" * 31], ["ümlaut"], ["a_b"]],
)
def test_bad_or_too_many_tags_are_refused_on_the_tags_field(db, member, tags):
    with pytest.raises(InvalidInput) as error:
        topics.create_topic(member, make_category(), "Title", "Body", tags=tags)
    assert error.value.field == "tags"
    assert _count(Topic) == 0


def test_the_author_changes_the_tags_and_the_counts_follow(db, member):
    topic = make_topic(author=member, tags=("old", "kept"))
    assert topic_tags.set_tags(member, topic, ["kept", "new"]) == ["kept", "new"]
    counts = dict(db.session.execute(select(Tag.name, Tag.topic_count)).all())
    assert counts == {"kept": 1, "new": 1, "old": 0}
    assert recount.recount() == []


def test_other_members_need_the_edit_tags_privilege(db, member):
    topic = make_topic(tags=("one",))
    with pytest.raises(PermissionDenied):
        topic_tags.set_tags(member, topic, ["two"])
    expert = make_user(reputation=10_000)
    assert topic_tags.set_tags(expert, topic, ["two"]) == ["two"]


# ---------------------------------------------------------------- pin, lock, move


def test_pinning_and_locking_are_team_actions_and_audited(db, member, team_user):
    topic = make_topic()
    with pytest.raises(PermissionDenied):
        moderating.set_pinned(member, topic, True)
    with pytest.raises(PermissionDenied):
        moderating.set_locked(member, topic, True)
    moderating.set_pinned(team_user, topic, True)
    moderating.set_locked(team_user, topic, True)
    assert topic.is_pinned and topic.is_locked
    assert _audited("forum.topic.pin", topic.id)
    assert _audited("forum.topic.lock", topic.id)


def test_moving_a_topic_moves_the_counters_of_both_categories(db, team_user):
    source = make_category()
    target = make_category()
    older = make_topic(category=source)
    topic = make_topic(category=source)
    make_reply(topic)
    make_reply(topic)
    moderating.move_topic(team_user, topic, target)
    db.session.refresh(source)
    db.session.refresh(target)
    assert (source.topic_count, source.post_count, source.last_topic_id) == (1, 1, older.id)
    assert (target.topic_count, target.post_count, target.last_topic_id) == (1, 3, topic.id)
    assert _audited("forum.topic.move", topic.id)
    assert recount.recount() == []


def test_members_cannot_move_topics(db, member):
    topic = make_topic()
    with pytest.raises(PermissionDenied):
        moderating.move_topic(member, topic, make_category())


def test_moving_a_topic_into_a_focus_group_takes_it_out_of_public_search(db, member, team_user):
    topic = make_topic(title="Wobbly hinge")
    reply = make_reply(topic, body="The hinge wobbles here too.")
    assert topic.id in _found(member, "hinge")
    moderating.move_topic(team_user, topic, make_category(is_private=True))
    assert topic.id not in _found(member, "hinge")
    assert reply.id not in _found(member, "hinge", kind="forum_post")
    assert topic.id in _found(team_user, "hinge")
    assert reply.id in _found(team_user, "hinge", kind="forum_post")


# ---------------------------------------------------------------- similar topics


def test_similar_topics_share_words_with_the_title(db, member):
    category = make_category()
    match = make_topic(category=category, title="Bluetooth pairing fails")
    make_topic(category=category, title="Screen flickers at night")
    found = topics.similar_topics(member, "pairing my headphones")
    assert [t.id for t in found] == [match.id]


def test_similar_topics_leave_out_what_the_viewer_may_not_see(db, member, team_user):
    private = make_category(is_private=True)
    secret = make_topic(category=private, author=team_user, title="Pairing prototype")
    hidden = make_topic(title="Pairing spam")
    moderating.hide_topic(team_user, hidden, "Spam")
    public = make_topic(title="Pairing problems")
    ids = {t.id for t in topics.similar_topics(member, "pairing")}
    assert ids == {public.id}
    assert secret.id in {t.id for t in topics.similar_topics(team_user, "pairing")}


def test_similar_topics_can_be_limited_to_a_category(db, member):
    category = make_category()
    inside = make_topic(category=category, title="Charging is slow")
    make_topic(title="Charging cable frayed")
    found = topics.similar_topics(member, "charging", category=category)
    assert [t.id for t in found] == [inside.id]


def test_short_words_alone_suggest_nothing(db, member):
    make_topic(title="It is on")
    assert topics.similar_topics(member, "it is on") == []


# ---------------------------------------------------------------- real concurrent clients


@pytest.fixture()
def committed(app):
    """Members, a category and a topic committed for real (PostgreSQL only), removed
    afterwards: these tests commit, so the rolled-back ``db`` fixture cannot clean up."""
    if not using_postgres():
        pytest.skip("needs PostgreSQL's concurrent connections; runs in CI")
    from community.core.search import SearchEntry
    from community.forums.models import ForumCategory, PostMention, TopicTag, TopicUser
    from community.notifications.models import Notification

    with app.test_request_context("/"):
        users = [make_user(reputation=1_000) for _ in range(CLIENTS)]
        # Made directly: the audit log that create_category writes to is append-only.
        category = ForumCategory(slug="race-track", name="Race track")
        db.session.add(category)
        db.session.flush()
        topic = make_topic(category=category, author=users[0])
        db.session.commit()
        ids = {"users": [u.id for u in users], "category": category.id, "topic": topic.id}
        db.session.remove()
    yield ids
    with app.app_context():
        user_ids = ids["users"]
        topic_ids = select(Topic.id).where(Topic.category_id == ids["category"])
        post_ids = select(Post.id).where(Post.topic_id.in_(topic_ids))
        db.session.execute(delete(SearchEntry).where(SearchEntry.subject_id.in_(post_ids)))
        db.session.execute(delete(SearchEntry).where(SearchEntry.subject_id.in_(topic_ids)))
        db.session.execute(delete(PostMention).where(PostMention.post_id.in_(post_ids)))
        db.session.execute(delete(TopicUser).where(TopicUser.topic_id.in_(topic_ids)))
        db.session.execute(delete(TopicTag).where(TopicTag.topic_id.in_(topic_ids)))
        db.session.execute(delete(Post).where(Post.topic_id.in_(topic_ids)))
        db.session.execute(delete(Topic).where(Topic.category_id == ids["category"]))
        db.session.execute(delete(ForumCategory).where(ForumCategory.id == ids["category"]))
        db.session.execute(delete(Notification).where(Notification.user_id.in_(user_ids)))
        db.session.execute(delete(User).where(User.id.in_(user_ids)))
        db.session.commit()
        db.session.remove()


def _load(ids):
    topic = db.session.scalar(
        select(Topic).options(joinedload(Topic.category)).where(Topic.id == ids["topic"])
    )
    return topic


def test_a_double_submit_racing_itself_makes_one_post(app, committed):
    def work(n: int) -> None:
        member = db.session.get(User, committed["users"][1])
        topics.reply(member, _load(committed), "Same here.", client_key="racing-form")

    outcomes = run_concurrently(app, work, CLIENTS)

    assert outcomes == [None] * CLIENTS
    with app.app_context():
        topic = _load(committed)
        assert (topic.post_count, topic.highest_number) == (2, 2)
        assert recount.recount() == []
        db.session.remove()


def test_concurrent_replies_get_distinct_numbers_and_exact_counters(app, committed):
    def work(n: int) -> None:
        member = db.session.get(User, committed["users"][n])
        topics.reply(member, _load(committed), f"Reply from client {n}")

    outcomes = run_concurrently(app, work, CLIENTS)

    assert outcomes == [None] * CLIENTS
    with app.app_context():
        numbers = db.session.scalars(
            select(Post.number).where(Post.topic_id == committed["topic"]).order_by(Post.number)
        ).all()
        assert numbers == list(range(1, CLIENTS + 2))
        assert recount.recount() == []
        db.session.remove()


def test_a_double_submitted_topic_racing_itself_is_one_topic(app, committed):
    def work(n: int) -> None:
        member = db.session.get(User, committed["users"][2])
        category = db.session.get(ForumCategory, committed["category"])
        topics.create_topic(member, category, "Racing", "Twice?", client_key="topic-form")

    outcomes = run_concurrently(app, work, CLIENTS)

    assert outcomes == [None] * CLIENTS
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Topic).where(Topic.title == "Racing")
        )
        assert count == 1
        assert recount.recount() == []
        db.session.remove()

"""Reading: a category's topics page by page, a topic's posts, and who has read what."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from community.accounts.models import AnonymousUser
from community.core.db import utcnow
from community.core.errors import InvalidInput, NotFound
from community.extensions import db
from community.forums.models import CategoryKind, ForumVisit, Level, Post, Topic, TopicUser
from community.forums.services import (
    answers,
    common,
    listing,
    moderating,
    reactions,
    read_state,
    topics,
    watching,
)
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

BASE = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def _make_topics(category, n: int, author=None) -> list[Topic]:
    """``n`` topics with spread (and some equal) activity times, quickly."""
    author = author or make_user(reputation=1_000)
    made = []
    for i in range(n):
        topic = topics.create_topic(author, category, f"Topic {i}", f"Body number {i}.")
        made.append(topic)
    db.session.flush()
    for i, topic in enumerate(made):
        # Pairs share a time, so the id must break the tie.
        when = BASE + dt.timedelta(minutes=i // 2)
        db.session.execute(
            update(Topic)
            .where(Topic.id == topic.id)
            .values(last_posted_at=when, created_at=when, reaction_count=i % 7)
        )
    db.session.expire_all()
    return made


def _pages(viewer, category, **kw) -> list[list[int]]:
    pages = []
    cursor = None
    while True:
        result = listing.list_topics(viewer, category, cursor=cursor, **kw)
        pages.append([row.topic.id for row in result.items])
        if result.next_cursor is None:
            return pages
        cursor = result.next_cursor


# ---------------------------------------------------------------- a category's topics


def test_page_3_of_latest_matches_an_offset_query(db, member):
    category = make_category()
    _make_topics(category, 65)
    pages = _pages(member, category)
    reference = list(
        db.session.scalars(
            select(Topic.id)
            .where(Topic.category_id == category.id)
            .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
        )
    )
    per = common.PER_PAGE
    assert [len(p) for p in pages] == [20, 20, 20, 5]
    assert pages[2] == reference[2 * per : 3 * per]
    assert sum(pages, []) == reference


def test_page_3_of_top_matches_an_offset_query(db, member):
    category = make_category()
    _make_topics(category, 65)
    pages = _pages(member, category, filter="top")
    reference = list(
        db.session.scalars(
            select(Topic.id)
            .where(Topic.category_id == category.id)
            .order_by(Topic.reaction_count.desc(), Topic.id.desc())
        )
    )
    assert pages[2] == reference[40:60]
    assert sum(pages, []) == reference


def test_pinned_topics_come_first_on_the_first_page_only(db, member, team_user):
    category = make_category()
    made = _make_topics(category, 25)
    moderating.set_pinned(team_user, made[0], True)
    first = listing.list_topics(member, category)
    assert [row.topic.id for row in first.pinned] == [made[0].id]
    assert made[0].id not in [row.topic.id for row in first.items]
    second = listing.list_topics(member, category, cursor=first.next_cursor)
    assert second.pinned == []
    assert made[0].id not in [row.topic.id for row in second.items]
    assert len(first.items) + len(second.items) == 24


def test_top_counts_only_topics_started_in_the_period(db, member):
    category = make_category()
    old, recent = _make_topics(category, 2)
    now = utcnow()
    db.session.execute(
        update(Topic)
        .where(Topic.id == old.id)
        .values(created_at=now - dt.timedelta(days=40), reaction_count=9)
    )
    db.session.execute(
        update(Topic).where(Topic.id == recent.id).values(created_at=now, reaction_count=1)
    )
    month = listing.list_topics(member, category, filter="top", period="month")
    year = listing.list_topics(member, category, filter="top", period="year")
    assert [row.topic.id for row in month.items] == [recent.id]
    assert [row.topic.id for row in year.items] == [old.id, recent.id]


def test_unanswered_and_solved_filters(db, member):
    category = make_category(kind=CategoryKind.QA.value)
    asker = make_user()
    open_question = make_topic(category=category, author=asker)
    answered = make_topic(category=category, author=asker)
    solved = make_topic(category=category, author=asker)
    make_reply(answered)
    answer = make_reply(solved)
    answers.accept_answer(asker, solved, answer)
    unanswered = listing.list_topics(member, category, filter="unanswered")
    solved_list = listing.list_topics(member, category, filter="solved")
    assert [row.topic.id for row in unanswered.items] == [open_question.id]
    assert [row.topic.id for row in solved_list.items] == [solved.id]


def test_a_question_whose_only_reply_is_hidden_counts_as_unanswered(db, member, team_user):
    category = make_category(kind=CategoryKind.QA.value)
    topic = make_topic(category=category)
    moderating.hide_post(team_user, make_reply(topic), "Spam")
    unanswered = listing.list_topics(member, category, filter="unanswered")
    assert [row.topic.id for row in unanswered.items] == [topic.id]


def test_the_tag_filter_lists_only_tagged_topics(db, member):
    category = make_category()
    tagged = make_topic(category=category, tags=("battery",))
    make_topic(category=category, tags=("screen",))
    result = listing.list_topics(member, category, tag="Battery")
    assert [row.topic.id for row in result.items] == [tagged.id]
    assert [t.name for t in result.items[0].topic.tags] == ["battery"]
    assert listing.list_topics(member, category, tag="unknown").items == []


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"filter": "hot"}, "filter"),
        ({"period": "decade"}, "period"),
        ({"cursor": "junk"}, "cursor"),
        ({"cursor": "12-"}, "cursor"),
        ({"cursor": "-1-5"}, "cursor"),
        ({"cursor": "99999999999999999999-1"}, "cursor"),
        ({"cursor": "9999999999999999999-1"}, "cursor"),
    ],
)
def test_a_bad_filter_period_or_cursor_is_invalid_input(db, member, kw, field):
    with pytest.raises(InvalidInput) as error:
        listing.list_topics(member, make_category(), **kw)
    assert error.value.field == field


def test_a_hidden_topic_is_left_out_of_the_list_for_members(db, member, team_user):
    category = make_category()
    author = make_user()
    topic = make_topic(category=category, author=author)
    visible = make_topic(category=category)
    moderating.hide_topic(team_user, topic, "Off topic")

    def ids(viewer) -> set[int]:
        return {row.topic.id for row in listing.list_topics(viewer, category).items}

    assert ids(member) == {visible.id}
    assert ids(AnonymousUser()) == {visible.id}
    assert ids(author) == {topic.id, visible.id}
    assert ids(team_user) == {topic.id, visible.id}


def test_a_focus_group_lists_nothing_for_strangers(db, member, team_user):
    category = make_category(is_private=True)
    make_topic(category=category, author=team_user)
    assert listing.list_topics(member, category).items == []


def test_unread_counts_and_new_flags_for_members(db, member):
    category = make_category()
    read_state.record_visit(member)
    # The visit before this one was long ago.
    long_ago = utcnow() - dt.timedelta(days=2)
    db.session.execute(
        update(ForumVisit)
        .where(ForumVisit.user_id == member.id)
        .values(last_seen_at=long_ago, previous_seen_at=long_ago)
    )
    read_before = make_topic(category=category)
    read_state.mark_read(member, read_before, 1)
    watching.set_topic_level(member, read_before, Level.TRACKING)
    make_reply(read_before)
    make_reply(read_before)
    fresh = make_topic(category=category)
    read_state.record_visit(member)
    rows = {row.topic.id: row for row in listing.list_topics(member, category).items}
    assert (rows[read_before.id].unread, rows[read_before.id].is_new) == (2, False)
    assert (rows[fresh.id].unread, rows[fresh.id].is_new) == (0, True)
    anonymous = listing.list_topics(AnonymousUser(), category).items
    assert all(row.unread == 0 and not row.is_new for row in anonymous)


def test_topics_read_at_normal_level_show_no_unread_count(db, member):
    category = make_category()
    topic = make_topic(category=category)
    read_state.mark_read(member, topic, 1)
    make_reply(topic)
    (row,) = listing.list_topics(member, category).items
    assert (row.unread, row.is_new) == (0, False)


def test_the_category_page_takes_the_same_queries_for_5_and_100_topics(db, count_queries):
    viewer = make_user()
    read_state.record_visit(viewer)

    def queries(n: int) -> int:
        category = make_category()
        made = _make_topics(category, n)
        for topic in made[:3]:
            read_state.mark_read(viewer, topic, 1)
        db.session.flush()
        db.session.expire_all()
        assert viewer.id and category.id  # loaded again before counting
        with count_queries() as statements:
            result = listing.list_topics(viewer, category)
            for row in result.items:
                assert row.topic.author.name and row.topic.last_poster is not None
                assert row.topic.tags == []
        return len(statements)

    # pinned, page, tags, the last visit, the read state
    assert queries(5) == queries(100) == 5


# ---------------------------------------------------------------- read state


def test_mark_read_never_moves_back(db, member):
    topic = make_topic()
    for _ in range(3):
        make_reply(topic)
    read_state.mark_read(member, topic, 3)
    read_state.mark_read(member, topic, 2)
    state = db.session.get(TopicUser, {"topic_id": topic.id, "user_id": member.id})
    db.session.refresh(state)
    assert state.last_read_number == 3
    read_state.mark_read(member, topic, 99)
    db.session.refresh(state)
    assert state.last_read_number == 4
    assert state.level is None


def test_a_new_visit_starts_after_an_hour(db, member):
    assert read_state.record_visit(member) is None
    assert read_state.record_visit(member) is None
    visit = db.session.get(ForumVisit, member.id)
    two_hours_ago = utcnow() - dt.timedelta(hours=2)
    db.session.execute(
        update(ForumVisit).where(ForumVisit.user_id == member.id).values(last_seen_at=two_hours_ago)
    )
    assert read_state.record_visit(member) == two_hours_ago
    # Within the hour the previous visit stays where it was.
    assert read_state.record_visit(member) == two_hours_ago
    db.session.refresh(visit)
    assert visit.previous_seen_at == two_hours_ago
    assert visit.last_seen_at > two_hours_ago


def test_anonymous_visitors_have_no_read_state(db):
    topic = make_topic()
    assert read_state.record_visit(AnonymousUser()) is None
    read_state.mark_read(AnonymousUser(), topic, 1)
    states = db.session.scalars(select(TopicUser).where(TopicUser.topic_id == topic.id)).all()
    assert [state.user_id for state in states] == [topic.author_id]


# ---------------------------------------------------------------- a topic's page


def _thread(n_posts: int, reacting: list) -> Topic:
    author = make_user(reputation=1_000)
    topic = make_topic(author=author)
    for i in range(n_posts - 1):
        topics.reply(author, topic, f"Reply number {i}")
    db.session.flush()
    posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id)).all()
    for post in posts[:20]:
        for j, user in enumerate(reacting):
            reactions.react(user, post, "like" if j % 2 else "thanks")
    return topic


def test_the_topic_page_takes_the_same_queries_for_5_and_100_posts(db, count_queries, team_user):
    reacting = [make_user(reputation=1_000) for _ in range(3)]
    viewer = reacting[0]

    def queries(n: int) -> int:
        topic = _thread(n, reacting)
        posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id)).all()
        answers.set_official(team_user, posts[-1], True, pinned=True)
        db.session.flush()
        db.session.expire_all()
        topic_id = topic.id
        assert viewer.id
        with count_queries() as statements:
            topic = db.session.scalar(
                select(Topic).options(*_topic_options()).where(Topic.id == topic_id)
            )
            page = listing.topic_page(viewer, topic, page=1)
            for post in page.posts:
                assert post.author.name
            assert page.pinned_official is not None
            assert page.reaction_counts
            assert page.my_reactions
        return len(statements)

    # the topic, then posts, tags, reaction types, counts, own reactions, read state
    assert queries(5) == queries(100) == 7


def _topic_options():
    from sqlalchemy.orm import joinedload

    return (joinedload(Topic.category), joinedload(Topic.author))


def test_the_topic_page_shows_reactions_and_the_viewers_own(db, member):
    topic = make_topic()
    post = make_reply(topic)
    reactions.react(member, post, "like")
    reactions.react(make_user(reputation=1_000), post, "like")
    reactions.react(make_user(reputation=1_000), post, "confused")
    page = listing.topic_page(member, topic)
    counts = [(t.name, n) for t, n in page.reaction_counts[post.id]]
    assert counts == [("like", 2), ("confused", 1)]
    assert page.my_reactions == {post.id: "like"}
    assert [t.name for t in page.reaction_types] == ["like", "thanks", "insightful", "confused"]


def test_the_topic_page_holds_20_posts_per_page(db, member):
    author = make_user(reputation=1_000)
    topic = make_topic(author=author)
    for i in range(44):
        topics.reply(author, topic, f"Reply {i}")
    page = listing.topic_page(member, topic, page=2)
    assert [p.number for p in page.posts] == list(range(21, 41))
    assert (page.page, page.last_page) == (2, 3)
    assert listing.topic_page(member, topic, page=99).page == 3


def test_the_first_unread_post_is_where_the_reader_stopped(db, member):
    topic = make_topic()
    assert listing.topic_page(member, topic).first_unread_number is None
    read_state.mark_read(member, topic, 1)
    make_reply(topic)
    make_reply(topic)
    page = listing.topic_page(member, topic)
    assert page.first_unread_number == 2
    read_state.mark_read(member, topic, 3)
    assert listing.topic_page(member, topic).first_unread_number is None


def test_the_topic_page_tells_the_viewers_level(db, member):
    topic = make_topic()
    assert listing.topic_page(member, topic).level == Level.NORMAL
    watching.set_category_level(member, topic.category, Level.WATCHING)
    assert listing.topic_page(member, topic).level == Level.WATCHING
    watching.set_topic_level(member, topic, Level.MUTED)
    assert listing.topic_page(member, topic).level == Level.MUTED
    assert listing.topic_page(AnonymousUser(), topic).level == Level.NORMAL


def test_the_accepted_answer_is_on_every_page(db, member):
    category = make_category(kind=CategoryKind.QA.value)
    asker = make_user()
    topic = make_topic(category=category, author=asker)
    answer = make_reply(topic)
    helper = make_user(reputation=1_000)
    for i in range(25):
        topics.reply(helper, topic, f"More {i}")
    answers.accept_answer(asker, topic, answer)
    page = listing.topic_page(member, topic, page=2)
    assert page.accepted is not None and page.accepted.id == answer.id
    assert answer.id not in [p.id for p in page.posts]


def test_a_private_topic_page_is_not_found_for_strangers(db, member, team_user):
    topic = make_topic(category=make_category(is_private=True), author=team_user)
    with pytest.raises(NotFound):
        listing.topic_page(member, topic)


def test_locate_post_gives_its_page_and_anchor(db, member):
    author = make_user(reputation=1_000)
    topic = make_topic(author=author)
    posts = [topics.reply(author, topic, f"Reply {i}") for i in range(25)]
    found, page, anchor = listing.locate_post(member, posts[-1].id)
    assert (found.id, page, anchor) == (topic.id, 2, f"p{posts[-1].id}")
    with pytest.raises(NotFound):
        listing.locate_post(member, 10**9)

"""The category page and the topic page cost the same number of SQL queries for 5 or 100
topics and posts (with tags, reactions, an accepted answer and a pinned official reply),
for visitors, members and the team."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.forums.models import CategoryKind, Post, Topic
from community.forums.services import answers, moderating, reactions
from tests.conftest import login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

# A generous ceiling: what matters is that nothing grows with the rows.
MAX_QUERIES = 20


def _first_post(topic: Topic) -> Post:
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))


def _category_with_topics(n: int, author, fans):
    category = make_category()
    made = []
    for i in range(n):
        topic = make_topic(category, author=author, title=f"Topic {i} about batteries", tags=("t",))
        made.append(topic)
        reactions.react(fans[i % len(fans)], _first_post(topic), "like")
    moderating.set_pinned(author, made[0], True)
    db.session.commit()
    return category


def _topic_with_posts(n: int, author, fans):
    category = make_category(kind=CategoryKind.QA.value)
    topic = make_topic(category, author=author, tags=("a", "b"))
    posts = [_first_post(topic)]
    for _i in range(n - 1):
        posts.append(make_reply(topic, author=author))
    for post in posts:
        for i, fan in enumerate(fans):
            reactions.react(fan, post, ("like", "thanks")[i])
    answers.accept_answer(author, topic, posts[-1])
    answers.set_official(author, posts[1], True, pinned=True)
    db.session.commit()
    return topic


def _client(app, who):
    client = app.test_client()
    if who is not None:
        login(client, who)
    return client


def _queries(client, path, count_queries) -> int:
    assert client.get(path).status_code == 200, path  # warm: visit and read state written
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.fixture()
def people(db):
    author = make_user(role="team")
    fans = [make_user() for _ in range(2)]
    viewers = {
        "anonymous": None,
        "member": make_user(),
        "team": make_user(role="team"),
    }
    return author, fans, viewers


def test_category_page_queries_do_not_grow_with_topics(app, db, people, count_queries):
    author, fans, viewers = people
    few = _category_with_topics(5, author, fans)
    many = _category_with_topics(100, author, fans)

    for who, viewer in viewers.items():
        client = _client(app, viewer)
        counts = [_queries(client, f"/forums/{c.slug}/", count_queries) for c in (few, many)]
        print(f"category page, {who}: {counts}")
        assert counts[0] == counts[1], (who, counts)
        assert counts[1] <= MAX_QUERIES, (who, counts)


def test_topic_page_queries_do_not_grow_with_posts(app, db, people, count_queries):
    author, fans, viewers = people
    few = _topic_with_posts(5, author, fans)
    many = _topic_with_posts(100, author, fans)

    for who, viewer in viewers.items():
        client = _client(app, viewer)
        counts = [_queries(client, f"/t/{t.id}/{t.slug}", count_queries) for t in (few, many)]
        later_page = _queries(client, f"/t/{many.id}/{many.slug}?page=3", count_queries)
        print(f"topic page, {who}: {counts}, page 3: {later_page}")
        assert counts[0] == counts[1], (who, counts)
        assert later_page <= counts[1], (who, later_page, counts)
        assert counts[1] <= MAX_QUERIES, (who, counts)


def test_forum_index_queries_do_not_grow_with_categories(app, db, people, count_queries):
    author, fans, viewers = people
    client = _client(app, viewers["member"])
    _category_with_topics(1, author, fans)
    few = _queries(client, "/forums/", count_queries)
    for _n in range(20):
        _category_with_topics(1, author, fans)
    many = _queries(client, "/forums/", count_queries)
    print(f"forum index, member: {few} -> {many}")
    assert many == few

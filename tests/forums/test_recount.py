"""``flask forums recount``: every stored counter against the rows it counts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import delete, select, update

from community.extensions import db
from community.forums.cli import forums_cli
from community.forums.models import (
    ForumCategory,
    Post,
    PostReactionCount,
    Tag,
    Topic,
)
from community.forums.services import moderating, reactions, recount
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic


@dataclass
class Forum:
    category: ForumCategory
    topic: Topic
    first: Post
    reply: Post
    tag: Tag


@pytest.fixture()
def forum(db, team_user) -> Forum:
    """A small forum with every kind of counter in use, kept right by the services."""
    category = make_category(slug="general")
    private = make_category(slug="beta", is_private=True)
    topic = make_topic(category, title="Router drops wifi", tags=("wifi", "router"))
    replies = [make_reply(topic) for _ in range(3)]
    for index, post in enumerate(replies):
        for _ in range(index + 1):
            reactions.react(make_user(), post, "like")
    reactions.react(make_user(), replies[2], "thanks")
    hidden_post = make_reply(topic)
    reactions.react(make_user(), hidden_post, "like")
    moderating.hide_post(team_user, hidden_post, "Spam")
    hidden_topic = make_topic(category, title="Hidden", tags=("wifi",))
    make_reply(hidden_topic)
    moderating.hide_topic(team_user, hidden_topic, "Off topic")
    make_reply(make_topic(private, author=team_user, title="Secret beta"), author=team_user)
    make_topic(make_category(slug="empty-soon"))
    db.session.flush()
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    tag = db.session.scalar(select(Tag).where(Tag.name == "wifi"))
    return Forum(category, topic, first, replies[2], tag)


def test_recount_reports_nothing_when_the_counters_are_right(db, forum):
    assert recount.recount() == []
    assert recount.recount(fix=True) == []


def _break(forum: Forum, what: str) -> None:
    if what == "category topics":
        stmt = update(ForumCategory).where(ForumCategory.id == forum.category.id)
        db.session.execute(stmt.values(topic_count=ForumCategory.topic_count + 5))
    elif what == "category posts":
        stmt = update(ForumCategory).where(ForumCategory.id == forum.category.id)
        db.session.execute(stmt.values(post_count=0))
    elif what == "category last topic":
        stmt = update(ForumCategory).where(ForumCategory.id == forum.category.id)
        db.session.execute(stmt.values(last_topic_id=None, last_posted_at=None))
    elif what == "topic posts":
        stmt = update(Topic).where(Topic.id == forum.topic.id)
        db.session.execute(stmt.values(post_count=Topic.post_count - 1))
    elif what == "topic reactions":
        stmt = update(Topic).where(Topic.id == forum.topic.id)
        db.session.execute(stmt.values(reaction_count=99))
    elif what == "topic highest number":
        stmt = update(Topic).where(Topic.id == forum.topic.id)
        db.session.execute(stmt.values(highest_number=2))
    elif what == "topic last post":
        stmt = update(Topic).where(Topic.id == forum.topic.id)
        db.session.execute(stmt.values(last_post_id=forum.first.id, last_poster_id=None))
    elif what == "post reactions":
        stmt = update(Post).where(Post.id == forum.reply.id)
        db.session.execute(stmt.values(reaction_count=0))
    elif what == "post reaction count row wrong":
        stmt = update(PostReactionCount).where(PostReactionCount.post_id == forum.reply.id)
        db.session.execute(stmt.values(count=PostReactionCount.count + 1))
    elif what == "post reaction count row missing":
        db.session.execute(
            delete(PostReactionCount).where(PostReactionCount.post_id == forum.reply.id)
        )
    elif what == "post reaction count row orphaned":
        db.session.add(PostReactionCount(post_id=forum.first.id, name="confused", count=4))
    elif what == "tag topics":
        db.session.execute(update(Tag).where(Tag.id == forum.tag.id).values(topic_count=7))
    else:
        raise AssertionError(what)
    db.session.flush()


BREAKS = [
    ("category topics", "category general topic_count: stored 6, counted 1"),
    ("category posts", "category general post_count: stored 0, counted 4"),
    ("category last topic", "category general last_topic_id: stored nothing"),
    ("topic posts", "post_count: stored 3, counted 4"),
    ("topic reactions", "reaction_count: stored 99, counted 7"),
    ("topic highest number", "highest_number: stored 2, counted 5"),
    ("topic last post", "last_post_id: stored"),
    ("post reactions", "reaction_count: stored 0, counted 4"),
    ("post reaction count row wrong", "reactions 'like': stored 4, counted 3"),
    ("post reaction count row missing", "reactions 'thanks': stored nothing, counted 1"),
    ("post reaction count row orphaned", "reactions 'confused': stored 4, counted 0"),
    ("tag topics", "tag wifi topic_count: stored 7, counted 1"),
]


@pytest.mark.parametrize(("what", "expected"), BREAKS, ids=[b[0] for b in BREAKS])
def test_recount_finds_a_broken_counter_and_fixes_it(db, forum, what, expected):
    _break(forum, what)

    found = recount.recount()
    assert any(expected in line for line in found), found
    assert recount.recount() == found, "a recount without --fix changed something"

    assert recount.recount(fix=True) == found
    assert recount.recount() == []


def test_fixed_counters_are_what_the_services_keep(db, forum):
    counters = select(Topic.id, Topic.post_count, Topic.reaction_count, Topic.last_post_id)
    expected = db.session.execute(counters.order_by(Topic.id)).all()
    db.session.execute(
        update(Topic).values(post_count=0, reaction_count=0, last_post_id=None, highest_number=0)
    )
    db.session.execute(update(ForumCategory).values(topic_count=0, post_count=0))
    db.session.execute(delete(PostReactionCount))
    assert recount.recount(fix=True)
    assert recount.recount() == []
    db.session.expire_all()
    assert db.session.execute(counters.order_by(Topic.id)).all() == expected


def test_many_drifts_are_summarised(db, forum):
    ids = [make_topic(forum.category).id for _ in range(recount.MAX_EXAMPLES + 3)]
    db.session.execute(update(Topic).where(Topic.id.in_(ids)).values(post_count=0))
    lines = recount.recount()
    topic_lines = [line for line in lines if line.startswith("topic ")]
    assert len(topic_lines) == recount.MAX_EXAMPLES
    assert "... and 3 more topics with drift" in lines


def test_the_command_reports_and_fixes(app, db, forum):
    _break(forum, "topic posts")
    runner = app.test_cli_runner()

    result = runner.invoke(forums_cli, ["recount"])
    assert result.exit_code == 0, result.output
    assert "post_count: stored 3, counted 4" in result.output
    assert "--fix" in result.output

    result = runner.invoke(forums_cli, ["recount", "--fix"])
    assert result.exit_code == 0, result.output
    assert "fixed" in result.output

    result = runner.invoke(forums_cli, ["recount"])
    assert "all forum counters are right" in result.output

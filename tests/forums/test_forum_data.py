"""A member's forum data: in their account export, and what erasing the account leaves."""

from __future__ import annotations

from sqlalchemy import func, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.extensions import db
from community.forums.models import (
    CategoryUser,
    FocusGroupMember,
    ForumCategory,
    ForumVisit,
    Level,
    Post,
    Topic,
    TopicUser,
)
from community.forums.services import (
    categories,
    data,  # noqa: F401  (registers the exporter and eraser)
    reactions,
    read_state,
    recount,
    revisions,
    watching,
)
from tests.factories import PASSWORD, make_user
from tests.forums.factories import make_category, make_reply, make_topic


def _active_member_in_a_focus_group(team):
    """A member who wrote, replied, edited, reacted, watched and joined a focus group."""
    author = make_user(username="writer")
    other = make_user()
    public = make_category(slug="general")
    focus = make_category(slug="beta", is_private=True)
    categories.invite_member(team, focus, author.username)
    topic = make_topic(public, author=author, title="My router", body="It **blinks**.")
    reply = make_reply(make_topic(public, author=other), author=author, body="Try a reset.")
    revisions.edit_post(author, reply, "Try a factory reset.")
    secret = make_topic(focus, author=author, title="Beta feedback", body="Nice beta.")
    reactions.react(author, make_reply(topic, author=other, body="Mine too."), "like")
    watching.set_category_level(author, focus, Level.WATCHING)
    read_state.record_visit(author)
    db.session.flush()
    return author, topic, reply, secret


def test_the_export_holds_the_members_forum_data(db, team_user):
    author, topic, reply, secret = _active_member_in_a_focus_group(team_user)
    forums = accounts.export_data(author)["forums"]

    assert {t["title"] for t in forums["topics"]} == {"My router", "Beta feedback"}
    posts = {p["id"]: p for p in forums["posts"]}
    assert posts[reply.id]["body"] == "Try a factory reset."
    assert posts[reply.id]["created_at"] and posts[reply.id]["edited_at"]
    assert {p["body"] for p in forums["posts"]} >= {"It **blinks**.", "Nice beta."}
    assert [r["reaction"] for r in forums["reactions"]] == ["like"]
    assert [r["body"] for r in forums["revisions"] if r["post_id"] == reply.id][-1] == (
        "Try a factory reset."
    )
    assert forums["category_levels"] == [{"category": "beta", "level": "watching"}]
    assert {s["topic_id"] for s in forums["topic_levels"]} >= {topic.id, secret.id, reply.topic_id}
    assert [f["category"] for f in forums["focus_groups"]] == ["beta"]
    assert forums["last_visit"] is not None


def test_the_export_of_someone_who_never_posted_is_empty(db):
    forums = accounts.export_data(make_user())["forums"]
    assert forums["topics"] == forums["posts"] == forums["reactions"] == []
    assert forums["last_visit"] is None


def _counts() -> list[tuple]:
    return [
        *db.session.execute(
            select(ForumCategory.id, ForumCategory.topic_count, ForumCategory.post_count)
        ).all(),
        *db.session.execute(select(Topic.id, Topic.post_count, Topic.reaction_count)).all(),
        *db.session.execute(select(Post.id, Post.reaction_count)).all(),
    ]


def test_erasure_keeps_the_posts_and_every_count(db, team_user):
    author, topic, reply, _secret = _active_member_in_a_focus_group(team_user)
    before = _counts()

    accounts.erase_account(author, PASSWORD)
    db.session.flush()
    db.session.expire_all()

    assert _counts() == before
    assert db.session.get(Post, reply.id).body_source == "Try a factory reset."
    assert db.session.get(Topic, topic.id).author_id == author.id
    assert recount.recount() == []


def test_erasure_shows_the_author_as_a_deleted_user(db, team_user):
    author, topic, _reply, _secret = _active_member_in_a_focus_group(team_user)
    accounts.erase_account(author, PASSWORD)
    db.session.flush()
    db.session.expire_all()
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    user = db.session.get(User, first.author_id)
    assert user.is_erased
    assert user.username == f"deleted-{author.id}"
    assert "writer" not in user.name


def test_erasure_forgets_read_state_watching_visits_and_focus_groups(db, team_user):
    author, *_ = _active_member_in_a_focus_group(team_user)
    accounts.erase_account(author, PASSWORD)
    db.session.flush()
    for model in (TopicUser, CategoryUser, ForumVisit, FocusGroupMember):
        left = db.session.scalar(
            select(func.count()).select_from(model).where(model.user_id == author.id)
        )
        assert left == 0, model.__name__

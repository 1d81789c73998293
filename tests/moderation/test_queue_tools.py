"""The forum tools on a review page: the team edits the post (a revision is kept), locks
or moves its topic without leaving the queue; reviewers from the community do not get
them, and the forums' routes refuse them anyway."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from community.core.db import utcnow
from community.forums.models import ForumCategory, Post, PostRevision, Topic
from community.moderation.models import AuditEntry, ReviewItem
from community.moderation.services import queue as review
from tests.conftest import login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

REVIEW_POINTS = 2000  # the "review_queue" privilege


def regular(**overrides):
    return make_user(created_at=utcnow() - dt.timedelta(days=400), **overrides)


@pytest.fixture()
def queued(db):
    """A reply waiting in the queue, in a topic of a category with a sibling."""
    home = make_category(name="Help")
    make_category(name="Off topic")
    topic = make_topic(home, author=regular(), title="Export as PDF")
    author = regular(username="replier")
    reply = make_reply(topic, author=author, body="Buy cheap watches at the market today")
    item = review.enqueue("forum_post", reply.id, author.id, "flagged", reason="spam", weight=1)
    db.session.commit()
    return item, topic, reply


def page_of(client, item: ReviewItem) -> str:
    response = client.get(f"/mod/queue/{item.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_team_edits_the_post_from_the_review_page_and_comes_back(db, team_client, queued):
    item, _topic, reply = queued
    page = page_of(team_client, item)
    assert "Forum tools" in page and "Buy cheap watches" in page
    back = f"/mod/queue/{item.id}"
    response = team_client.post(
        f"/p/{reply.id}/edit", data={"body": "A tidied-up reply.", "save": "1", "next": back}
    )
    assert response.status_code == 302 and response.location.endswith(back)
    post = db.session.scalars(
        select(Post).where(Post.id == reply.id).execution_options(populate_existing=True)
    ).one()
    assert post.body_source == "A tidied-up reply."
    kept = db.session.scalars(
        select(PostRevision.body_source).where(PostRevision.post_id == post.id)
    )
    assert "Buy cheap watches at the market today" in set(kept)


def test_a_refused_edit_keeps_the_text_and_the_way_back(db, team_client, queued):
    item, _topic, reply = queued
    back = f"/mod/queue/{item.id}"
    response = team_client.post(f"/p/{reply.id}/edit", data={"body": "", "save": "1", "next": back})
    assert response.status_code == 400
    assert f'name="next" value="{back}"' in response.get_data(as_text=True)


def test_the_team_locks_and_moves_the_topic_from_the_review_page(db, team_client, queued):
    item, topic, _reply = queued
    back = f"/mod/queue/{item.id}"
    page_of(team_client, item)
    locked = team_client.post(f"/t/{topic.id}/lock", data={"state": "1", "next": back})
    assert locked.status_code == 302 and locked.location.endswith(back)
    home_id = topic.category_id
    off_topic = db.session.scalar(select(ForumCategory).where(ForumCategory.name == "Off topic"))
    moved = team_client.post(f"/t/{topic.id}/move", data={"category": off_topic.id, "next": back})
    assert moved.status_code == 302 and moved.location.endswith(back)
    row = db.session.execute(
        select(Topic.is_locked, Topic.category_id).where(Topic.id == topic.id)
    ).one()
    assert row == (True, off_topic.id) and home_id != off_topic.id
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"forum.topic.lock", "forum.topic.move"} <= actions
    # Somewhere off the site is not a way back.
    again = team_client.post(
        f"/t/{topic.id}/lock", data={"state": "0", "next": "https://evil.example/"}
    )
    assert again.location.endswith(f"/t/{topic.id}/{topic.slug}")


def test_community_reviewers_see_no_forum_tools(app, db, queued):
    item, topic, _reply = queued
    reviewer = app.test_client()
    login(reviewer, regular(reputation=REVIEW_POINTS))
    assert "Forum tools" not in page_of(reviewer, item)
    refused = reviewer.post(f"/t/{topic.id}/lock", data={"state": "1"})
    assert refused.status_code == 403

"""The team's forum tools on the review page of a flagged or held topic or post: edit the
post (a revision is kept), lock or unlock its topic, move the topic. The forms post to the
forums' own routes, which return to the review page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from community.extensions import db
from community.forums import policy
from community.forums.forms import EditPostForm, MoveForm
from community.forums.models import Post
from community.forums.services import categories
from community.forums.services.common import POST_KIND, TOPIC_KIND
from community.moderation import targets
from community.moderation.targets import Tools


def _tools(viewer: Any, post: Post | None) -> Tools | None:
    if post is None or not policy.is_moderator(viewer):
        return None
    topic = post.topic
    move_form = MoveForm(formdata=None)
    move_form.category.choices = [
        SelectChoice(row.category.id, row.category.name)
        for row in categories.list_categories(viewer)
        if row.category.id != topic.category_id
    ]
    return Tools(
        "forums/_queue_tools.html",
        {
            "post": post,
            "topic": topic,
            "edit_form": EditPostForm(
                formdata=None, data={"title": topic.title, "body": post.body_source}
            ),
            "move_form": move_form,
        },
    )


def _post_tools(viewer: Any, post_id: int) -> Tools | None:
    post = db.session.scalar(select(Post).options(joinedload(Post.topic)).where(Post.id == post_id))
    return _tools(viewer, post)


def _topic_tools(viewer: Any, topic_id: int) -> Tools | None:
    first = db.session.scalar(
        select(Post)
        .options(joinedload(Post.topic))
        .where(Post.topic_id == topic_id, Post.number == 1)
    )
    return _tools(viewer, first)


targets.register_tools(POST_KIND, _post_tools)
targets.register_tools(TOPIC_KIND, _topic_tools)

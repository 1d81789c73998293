"""API v1 for the forums and search: thin handlers over the same services as the pages.

Reads are public for what the caller may see (no token needed, but a token that is sent
must be valid); a focus group, a hidden topic or post answers 404 to everyone else, as if
it did not exist. Writes need a signed-in user. Every rule lives in the forum services;
a handler parses, loads or 404s, calls one service, commits once and shapes the JSON.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts.models import User
from community.api import bp
from community.api.auth import api_user, reader
from community.api.parsing import json_body, string_field
from community.core.errors import InvalidInput, NotFound
from community.extensions import db
from community.forums.models import ForumCategory, Post, ReactionType, Topic
from community.forums.services import (
    answers,
    categories,
    common,
    listing,
    reactions,
    topics,
    visibility,
)
from community.moderation.limits import posting_limit, reacting_limit
from community.site import search as site_search

# ---------------------------------------------------------------- parsing


def _optional_id(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(_("%(field)s must be a whole number.", field=key), field=key)
    return value


def _tags(data: dict[str, Any]) -> list[str]:
    value = data.get("tags", [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidInput(_("%(field)s must be a list of strings.", field="tags"), field="tags")
    return value


def _page_arg() -> int:
    value = request.args.get("page", "")
    if value == "":
        return 1
    if not value.isdigit() or int(value) < 1:
        raise InvalidInput(_("%(field)s must be a whole number.", field="page"), field="page")
    return int(value)


# ---------------------------------------------------------------- shaping


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _user(user: User | None) -> dict[str, Any] | None:
    """An author as the API shows them; None for an erased account ("deleted user")."""
    if user is None or user.is_erased:
        return None
    return {"username": user.username, "display_name": user.public_display_name}


def _category(category: ForumCategory) -> dict[str, Any]:
    product = category.product
    return {
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "kind": category.kind,
        "is_private": category.is_private,
        "product": {"slug": product.slug, "name": product.name} if product else None,
        "topic_count": category.topic_count,
        "post_count": category.post_count,
        "last_posted_at": _time(category.last_posted_at),
    }


def _topic_url(topic: Topic) -> str:
    return url_for("forums.topic", topic_id=topic.id, slug=topic.slug)


def _topic(topic: Topic) -> dict[str, Any]:
    """A topic's summary (needs its author and tags loaded)."""
    return {
        "id": topic.id,
        "title": topic.title,
        "slug": topic.slug,
        "url": _topic_url(topic),
        "author": _user(topic.author),
        "created_at": _time(topic.created_at),
        "last_posted_at": _time(topic.last_posted_at),
        "reply_count": topic.reply_count,
        "reaction_count": topic.reaction_count,
        "is_pinned": topic.is_pinned,
        "is_locked": topic.is_locked,
        "is_solved": topic.is_solved,
        "tags": [tag.name for tag in topic.tags],
    }


def _load_topic(topic_id: int) -> Topic:
    """A topic with what its JSON shows (author, category, tags)."""
    return db.session.scalars(
        select(Topic)
        .options(joinedload(Topic.author), joinedload(Topic.category), selectinload(Topic.tags))
        .where(Topic.id == topic_id)
        .execution_options(populate_existing=True)
    ).one()


def _topic_detail(topic: Topic) -> dict[str, Any]:
    """A topic with its category and accepted answer (posts come with the page)."""
    return {
        **_topic(topic),
        "category": {"slug": topic.category.slug, "name": topic.category.name},
        "accepted_post_id": topic.accepted_post_id,
    }


def _post(post: Post, counts: dict[str, int], accepted_id: int | None) -> dict[str, Any]:
    return {
        "id": post.id,
        "number": post.number,
        "url": url_for("forums.post", post_id=post.id),
        "author": _user(post.author),
        "body_html": post.body_html,
        "created_at": _time(post.created_at),
        "edited_at": _time(post.edited_at),
        "reply_to": post.reply_to_post_id,
        "is_official": post.is_official,
        "is_hidden": post.is_hidden,
        "reactions": counts,
        "accepted": post.id == accepted_id,
    }


# ---------------------------------------------------------------- categories and topics


@bp.get("/categories")
def list_categories():
    viewer = reader()
    rows = categories.list_categories(viewer)
    return jsonify({"items": [_category(row.category) for row in rows]})


@bp.get("/categories/<slug>/topics")
def list_topics(slug: str):
    viewer = reader()
    category = visibility.get_category(viewer, slug)
    found = listing.list_topics(
        viewer,
        category,
        filter=request.args.get("filter") or "latest",
        period=request.args.get("period") or "all",
        tag=request.args.get("tag") or None,
        cursor=request.args.get("cursor") or None,
    )
    items = []
    for row in [*found.pinned, *found.items]:
        item = _topic(row.topic)
        if getattr(viewer, "is_authenticated", False):
            item.update(unread=row.unread, is_new=row.is_new)
        items.append(item)
    return jsonify(
        {"category": _category(category), "items": items, "next_cursor": found.next_cursor}
    )


@bp.get("/topics/<int:topic_id>")
def get_topic(topic_id: int):
    viewer = reader()
    page_number = _page_arg()
    topic = visibility.get_topic(viewer, topic_id)
    page = listing.topic_page(viewer, topic, page_number)
    counts = {
        post_id: {kind.name: count for kind, count in pairs}
        for post_id, pairs in page.reaction_counts.items()
    }
    return jsonify(
        {
            **_topic_detail(page.topic),
            "posts": [
                _post(post, counts.get(post.id, {}), page.topic.accepted_post_id)
                for post in page.posts
            ],
            "page": page.page,
            "last_page": page.last_page,
        }
    )


@bp.post("/categories/<slug>/topics")
@posting_limit
def create_topic(slug: str):
    author = api_user()
    category = visibility.get_category(author, slug)
    data = json_body()
    topic = topics.create_topic(
        author,
        category,
        string_field(data, "title"),
        string_field(data, "body"),
        tags=_tags(data),
        client_key=string_field(data, "client_key") or None,
    )
    db.session.commit()
    response = jsonify(_topic_detail(_load_topic(topic.id)))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_topic", topic_id=topic.id)
    return response


@bp.post("/topics/<int:topic_id>/posts")
@posting_limit
def create_post(topic_id: int):
    author = api_user()
    topic = visibility.get_topic(author, topic_id)
    data = json_body()
    post = topics.reply(
        author,
        topic,
        string_field(data, "body"),
        reply_to=_optional_id(data, "reply_to"),
        client_key=string_field(data, "client_key") or None,
    )
    answer = _post(post, {}, topic.accepted_post_id)  # a new post has no reactions yet
    # Before the commit, which expires the rows: reading them again would cost two queries.
    location = url_for("api.get_topic", topic_id=topic.id, page=common.page_of(post.number))
    db.session.commit()
    response = jsonify(answer)
    response.status_code = 201
    response.headers["Location"] = location
    return response


# ---------------------------------------------------------------- reactions and answers


@bp.post("/posts/<int:post_id>/reactions/<name>")
@reacting_limit
def add_reaction(post_id: int, name: str):
    user = api_user()
    post = visibility.get_post(user, post_id)
    answer = {"reactions": reactions.react_and_count(user, post, name), "mine": name}
    db.session.commit()
    return jsonify(answer)


@bp.delete("/posts/<int:post_id>/reactions/<name>")
def remove_reaction(post_id: int, name: str):
    user = api_user()
    post = visibility.get_post(user, post_id)
    if db.session.get(ReactionType, name) is None:
        raise InvalidInput(_("There is no such reaction."), field="name")
    if reactions.my_reaction(user, post) == name:
        reactions.unreact(user, post)
        db.session.commit()
    return jsonify(
        {"reactions": reactions.reaction_counts(post_id), "mine": reactions.my_reaction(user, post)}
    )


@bp.post("/topics/<int:topic_id>/accept")
def accept_answer(topic_id: int):
    user = api_user()
    topic = visibility.get_topic(user, topic_id)
    answers.check_acceptor(user, topic)
    data = json_body()
    if "post_id" not in data:
        raise InvalidInput(_("%(field)s must be a whole number.", field="post_id"), field="post_id")
    post_id = _optional_id(data, "post_id")
    if post_id is None:
        answers.withdraw_answer(user, topic)
    else:
        try:
            post = visibility.get_post(user, post_id)
        except NotFound:
            raise InvalidInput(
                _("Choose a reply in this topic as the answer."), field="post_id"
            ) from None
        answers.accept_answer(user, topic, post)
    db.session.commit()
    accepted = db.session.scalar(select(Topic.accepted_post_id).where(Topic.id == topic.id))
    return jsonify({"post_id": accepted, "is_solved": accepted is not None})


# ---------------------------------------------------------------- search


@bp.get("/search")
def search():
    viewer = reader()
    page = site_search.parse_page(request.args.get("page"))
    found = site_search.find(viewer, request.args.get("q"), page)
    return jsonify(
        {
            "query": found.query,
            "items": [
                {
                    "kind": item.kind,
                    "id": item.id,
                    "title": item.title,
                    "title_html": str(item.title_html),
                    "url": item.url,
                    "snippet_html": str(item.snippet_html),
                }
                for item in found.items
            ],
            "page": found.page,
            "next_page": found.next_page,
        }
    )

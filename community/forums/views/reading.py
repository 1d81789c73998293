"""Reading the forums: the category list, a category's topics, a topic's pages, post
permalinks. The only writes here are the reader's own read state (visit, read position)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from community.core.page_cache import cached_page
from community.extensions import db
from community.forums import bp, policy
from community.forums.forms import (
    HideForm,
    LevelForm,
    MoveForm,
    ReplyForm,
    TagsForm,
    new_client_key,
)
from community.forums.services import categories, common, listing, read_state, visibility, watching
from community.forums.views.helpers import (
    page_arg,
    page_numbers,
    product_url,
    topic_url,
)
from community.reputation import privileges


def _record_visit() -> None:
    """Remember the member's forum visit ("new since your last visit") before reading."""
    if policy.is_signed_in(current_user):
        read_state.record_visit(current_user)
        db.session.commit()


@bp.route("/forums/")
@cached_page(members=False)
def index():
    _record_visit()
    return render_template(
        "forums/index.html",
        rows=categories.list_categories(current_user),
        can_manage=policy.can_manage_categories(current_user),
        product_url=product_url,
    )


@bp.route("/forums/<slug>/")
@cached_page(members=False)
def category(slug: str):
    _record_visit()
    category = visibility.get_category(current_user, slug)
    view = {
        "filter": request.args.get("filter") or "latest",
        "period": request.args.get("period") or "all",
        "tag": request.args.get("tag") or None,
    }
    topics = listing.list_topics(
        current_user, category, cursor=request.args.get("cursor") or None, **view
    )
    level_form = None
    if policy.is_signed_in(current_user):
        level = watching.category_level(current_user, category)
        level_form = LevelForm(formdata=None, data={"level": int(level)})
    return render_template(
        "forums/category.html",
        category=category,
        topics=topics,
        view=view,
        filters=_filters(category),
        periods=listing.PERIODS,
        level_form=level_form,
        product_url=product_url,
        can_start=policy.can_start_topic(current_user, category),
        can_manage=policy.can_manage_categories(current_user),
    )


def _filters(category) -> list[str]:
    # "unanswered" and "solved" only mean something where answers are accepted.
    if category.is_qa:
        return list(listing.FILTERS)
    return [f for f in listing.FILTERS if f not in ("unanswered", "solved")]


@bp.route("/t/<int:topic_id>")
def topic_short(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    return redirect(topic_url(topic))


@bp.route("/t/<int:topic_id>/<slug>")
@cached_page(members=False)
def topic(topic_id: int, slug: str):
    topic = visibility.get_topic(current_user, topic_id)
    page = page_arg()
    last_page = common.page_of(topic.highest_number)
    if page > last_page:
        return redirect(topic_url(topic, last_page))
    if slug != topic.slug:
        return redirect(topic_url(topic, page), 301)
    page_view, html = render_topic(topic, page)
    # Rendered first, then the read position is stored: the page shows what was unread.
    if policy.is_signed_in(current_user) and page_view.posts:
        if page_view.page >= page_view.last_page:
            up_to = topic.highest_number
        else:
            up_to = max(p.number for p in page_view.posts)
        read_state.mark_read(current_user, topic, up_to)
        db.session.commit()
    return html


def render_topic(topic, page: int, forms: dict[str, Any] | None = None) -> tuple[Any, str]:
    """The topic page as HTML, with ``forms`` (a refused small form with its errors)
    in place of the fresh ones; returns the page data too."""
    page_view = listing.topic_page(current_user, topic, page)
    forms = forms or {}
    shown = [*page_view.posts]
    for extra in (page_view.accepted, page_view.pinned_official):
        if extra is not None:
            shown.append(extra)
    is_team = policy.is_moderator(current_user)
    signed_in = policy.is_signed_in(current_user)
    can_edit_tags = signed_in and (
        current_user.id == topic.author_id or privileges.has_privilege(current_user, "edit_tags")
    )
    context: dict[str, Any] = {
        "topic": topic,
        "category": topic.category,
        "tp": page_view,
        "counts": {
            post_id: {reaction_type.name: n for reaction_type, n in pairs}
            for post_id, pairs in page_view.reaction_counts.items()
        },
        "mine": page_view.my_reactions,
        "policy": policy,
        "is_team": is_team,
        "reply_form": None,
        "level_form": None,
        "move_form": None,
        "hide_topic_form": None,
        "tags_form": None,
        "hide_forms": {},
        "page_numbers": page_numbers(page_view.page, page_view.last_page),
    }
    if policy.can_reply(current_user, topic):
        context["reply_form"] = ReplyForm(formdata=None, data={"client_key": new_client_key()})
    if signed_in:
        context["level_form"] = LevelForm(formdata=None, data={"level": int(page_view.level)})
    if can_edit_tags:
        context["tags_form"] = forms.get("tags") or TagsForm(
            formdata=None, data={"tags": ", ".join(t.name for t in topic.tags)}
        )
    if is_team:
        move_form = MoveForm(formdata=None)
        move_form.category.choices = [
            SelectChoice(row.category.id, row.category.name)
            for row in categories.list_categories(current_user)
            if row.category.id != topic.category_id
        ]
        context["move_form"] = move_form
        context["hide_topic_form"] = forms.get("hide_topic") or HideForm(
            formdata=None, prefix="hide-topic"
        )
        hide_forms = {
            post.id: HideForm(formdata=None, prefix=f"hide-{post.id}")
            for post in shown
            if post.number > 1
        }
        hide_forms.update(forms.get("hide_post", {}))
        context["hide_forms"] = hide_forms
    return page_view, render_template("forums/topic.html", **context)


@bp.route("/p/<int:post_id>")
def post(post_id: int):
    topic, page, anchor = listing.locate_post(current_user, post_id)
    return redirect(topic_url(topic, page, anchor))

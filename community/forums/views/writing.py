"""Writing: a new topic (with preview and the similar-topics confirm step), replies
(with preview and quoting), edits, and a post's history."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.errors import NotFound
from community.core.forms import ActionForm, submit
from community.core.security import safe_next
from community.forums import bp, policy
from community.forums.forms import EditPostForm, ReplyForm, TopicForm, new_client_key
from community.forums.models import Post
from community.forums.services import common, revisions, topics, visibility
from community.forums.services import tags as topic_tags
from community.forums.views.helpers import check_fields, post_url, require, topic_url
from community.moderation.limits import posting_limit

SIMILAR_LIMIT = 5


# ---------------------------------------------------------------- new topic


def _render_new_topic(category, form: TopicForm, status: int = 200, **extra: Any):
    if not form.client_key.data:
        form.client_key.data = new_client_key()
    return render_template("forums/new_topic.html", category=category, form=form, **extra), status


@bp.route("/forums/<slug>/new", methods=["GET", "POST"])
@posting_limit
@login_required
def new_topic(slug: str):
    category = visibility.get_category(current_user, slug)
    require(policy.can_start_topic(current_user, category))
    form = TopicForm()
    if request.method == "GET":
        return _render_new_topic(category, form)
    if not form.validate_on_submit():
        return _render_new_topic(category, form, 400)
    if form.preview.data:
        if not check_fields(form, {"body": common.check_body}):
            return _render_new_topic(category, form, 400)
        preview_html = common.render_body(form.body.data).html
        return _render_new_topic(category, form, preview_html=preview_html)
    checks = {
        "title": common.check_title,
        "body": common.check_body,
        "tags": topic_tags.normalise_tags,
    }
    if not check_fields(form, checks):
        return _render_new_topic(category, form, 400)
    if not form.confirmed.data:
        title = form.title.data.strip()
        # The member's own topic of this very title is a double submit, not a suggestion:
        # create_topic returns it.
        similar = [
            t
            for t in topics.similar_topics(current_user, title, limit=SIMILAR_LIMIT)
            if not (t.author_id == current_user.id and t.title == title)
        ]
        if similar:
            form.confirmed.data = "1"
            return _render_new_topic(category, form, similar=similar)
    created = submit(
        form,
        lambda: topics.create_topic(
            current_user,
            category,
            form.title.data,
            form.body.data,
            tags=form.tags.data or "",
            client_key=form.client_key.data or None,
        ),
    )
    if created.ok:
        flash(_("Your topic is posted."), "success")
        return redirect(topic_url(created.value))
    return _render_new_topic(category, form, created.status)


@bp.route("/forums/similar")
def similar():
    """Topics like the title being typed: an HTML fragment for static/js/similar.js."""
    title = (request.args.get("title") or "")[: common.TITLE_MAX]
    slug = request.args.get("category")
    category = visibility.get_category(current_user, slug) if slug else None
    found = []
    if title.strip():
        found = topics.similar_topics(current_user, title, category, limit=SIMILAR_LIMIT)
    return render_template("forums/_similar.html", topics=found)


# ---------------------------------------------------------------- reply


def quote_markdown(post: Post) -> str:
    """The start of a reply quoting ``post``."""
    author = post.author
    name = _("deleted user") if author is None or author.is_erased else author.username
    lines = post.body_source.strip().splitlines()
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    return _("%(name)s wrote:", name=name) + "\n" + quoted + "\n\n"


# After a refused save the session is rolled back and every object expired: the pages
# below get the topic and category handed in and read no relationship of them.


def _render_reply(topic, category, form: ReplyForm, status: int = 200, **extra: Any):
    if not form.client_key.data:
        form.client_key.data = new_client_key()
    return (
        render_template(
            "forums/reply.html",
            topic=topic,
            category=category,
            form=form,
            can_reply=policy.can_reply(current_user, topic),
            **extra,
        ),
        status,
    )


@bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
@posting_limit
@login_required
def reply(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    category = topic.category
    form = ReplyForm()
    if request.method == "GET":
        quote = request.args.get("quote", "")
        if quote.isdigit():
            quoted = visibility.get_post(current_user, int(quote))
            if quoted.topic_id != topic.id:
                raise NotFound(_("No such post."))
            form.body.data = quote_markdown(quoted)
            form.reply_to.data = str(quoted.id)
        return _render_reply(topic, category, form)
    if not form.validate_on_submit():
        return _render_reply(topic, category, form, 400)
    if form.preview.data:
        if not check_fields(form, {"body": common.check_body}):
            return _render_reply(topic, category, form, 400)
        return _render_reply(
            topic, category, form, preview_html=common.render_body(form.body.data).html
        )
    reply_to = int(form.reply_to.data) if form.reply_to.data else None
    posted = submit(
        form,
        lambda: topics.reply(
            current_user,
            topic,
            form.body.data,
            reply_to=reply_to,
            client_key=form.client_key.data or None,
        ),
    )
    if posted.ok:
        flash(_("Your reply is posted."), "success")
        return redirect(post_url(topic, posted.value))
    return _render_reply(topic, category, form, posted.status)


# ---------------------------------------------------------------- edit and history


def _render_edit(post: Post, topic, category, form, status: int = 200, **extra: Any):
    return (
        render_template(
            "forums/edit_post.html",
            post=post,
            topic=topic,
            category=category,
            form=form,
            **extra,
        ),
        status,
    )


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = visibility.get_post(current_user, post_id)
    require(policy.can_edit_post(current_user, post))
    topic = post.topic
    category = topic.category
    # The review queue's edit form comes back to the review page.
    back_to = safe_next(request.values.get("next"), "")
    form = EditPostForm(data={"title": topic.title, "body": post.body_source})
    if request.method == "GET":
        return _render_edit(post, topic, category, form, back_to=back_to)
    if not form.validate_on_submit():
        return _render_edit(post, topic, category, form, 400, back_to=back_to)
    checks: dict[str, Any] = {"body": common.check_body}
    if post.is_first:
        checks["title"] = common.check_title
    if form.preview.data:
        if not check_fields(form, checks):
            return _render_edit(post, topic, category, form, 400, back_to=back_to)
        return _render_edit(
            post,
            topic,
            category,
            form,
            preview_html=common.render_body(form.body.data).html,
            back_to=back_to,
        )
    back = {}

    def save() -> Post:
        edited = revisions.edit_post(
            current_user,
            post,
            form.body.data,
            title=form.title.data if post.is_first else None,
        )
        back["url"] = post_url(topic, edited)  # the slug may have changed with the title
        return edited

    saved = submit(form, save)
    if saved.ok:
        flash(_("Your changes are saved."), "success")
        return redirect(back_to or back["url"])
    return _render_edit(post, topic, category, form, saved.status, back_to=back_to)


@bp.route("/p/<int:post_id>/history")
def post_history(post_id: int):
    post = visibility.get_post(current_user, post_id)
    topic = post.topic
    return render_template(
        "forums/history.html",
        post=post,
        topic=topic,
        category=topic.category,
        revisions=revisions.list_revisions(current_user, post),
        can_revert=policy.can_revert_post(current_user, post),
        revert_form=ActionForm(),
        post_link=post_url(topic, post),
    )

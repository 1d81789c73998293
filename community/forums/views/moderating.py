"""The team's tools on topics and posts: pin, lock, move, hide, restore, official
replies, reverting a post; and tags (the author, the team, "edit_tags" holders).

Team-only routes refuse members (403) before reading the form; a refused reason or tag
list comes back on the topic page with its message and what was typed."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.errors import DomainError, InvalidInput
from community.core.forms import FORM_STATUSES, ActionForm, attach_error
from community.core.security import safe_next
from community.extensions import db
from community.forums import bp, policy
from community.forums.forms import HideForm, MoveForm, OfficialForm, TagsForm, ToggleForm
from community.forums.services import (
    answers,
    categories,
    common,
    moderating,
    revisions,
    visibility,
)
from community.forums.services import tags as topic_tags
from community.forums.views.helpers import check_form, done, post_url, require, topic_url
from community.forums.views.reading import render_topic

# ---------------------------------------------------------------- topics


@bp.route("/t/<int:topic_id>/pin", methods=["POST"])
@login_required
def pin_topic(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    require(policy.is_moderator(current_user))
    back = topic_url(topic)
    form = ToggleForm()
    check_form(form)
    pinned = form.state.data == "1"
    moderating.set_pinned(current_user, topic, pinned)
    done(_("The topic is pinned.") if pinned else _("The topic is no longer pinned."))
    return redirect(back)


@bp.route("/t/<int:topic_id>/lock", methods=["POST"])
@login_required
def lock_topic(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    require(policy.is_moderator(current_user))
    back = safe_next(request.form.get("next"), topic_url(topic))
    form = ToggleForm()
    check_form(form)
    locked = form.state.data == "1"
    moderating.set_locked(current_user, topic, locked)
    done(_("The topic is locked.") if locked else _("The topic is open for replies again."))
    return redirect(back)


@bp.route("/t/<int:topic_id>/move", methods=["POST"])
@login_required
def move_topic(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    require(policy.is_moderator(current_user))
    form = MoveForm()
    check_form(form)
    if not form.category.data:
        raise InvalidInput(_("Choose a category."), field="category")
    target = _category_by_id(form.category.data)
    moderating.move_topic(current_user, topic, target)
    back = safe_next(request.form.get("next"), topic_url(topic))
    done(_("The topic is moved to %(name)s.", name=target.name))
    return redirect(back)


def _category_by_id(category_id: int):
    for row in categories.list_categories(current_user):
        if row.category.id == category_id:
            return row.category
    raise InvalidInput(_("No such category."), field="category")


@bp.route("/t/<int:topic_id>/hide", methods=["POST"])
@login_required
def hide_topic(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    require(policy.is_moderator(current_user))
    back = topic_url(topic)
    form = HideForm(prefix="hide-topic")
    refused = _run(form, lambda: moderating.hide_topic(current_user, topic, form.reason.data))
    if refused:
        return _topic_again(topic_id, 1, {"hide_topic": form}, refused)
    done(_("The topic is hidden."), "info")
    return redirect(back)


@bp.route("/t/<int:topic_id>/restore", methods=["POST"])
@login_required
def restore_topic(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    require(policy.is_moderator(current_user))
    back = topic_url(topic)
    check_form(ActionForm())
    moderating.restore_topic(current_user, topic)
    done(_("The topic is visible again."))
    return redirect(back)


@bp.route("/t/<int:topic_id>/tags", methods=["POST"])
@login_required
def edit_tags(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    back = topic_url(topic)
    form = TagsForm()
    refused = _run(form, lambda: topic_tags.set_tags(current_user, topic, form.tags.data or ""))
    if refused:
        return _topic_again(topic_id, 1, {"tags": form}, refused)
    done(_("The tags are saved."))
    return redirect(back)


# ---------------------------------------------------------------- posts


@bp.route("/p/<int:post_id>/official", methods=["POST"])
@login_required
def set_official(post_id: int):
    post = visibility.get_post(current_user, post_id)
    require(policy.can_mark_official(current_user, post))
    back = post_url(post.topic, post)
    form = OfficialForm()
    check_form(form)
    mode = form.mode.data
    answers.set_official(current_user, post, mode != "none", pinned=mode == "pinned")
    messages = {
        "official": _("The post is marked as an official reply."),
        "pinned": _("The post is an official reply pinned under the question."),
        "none": _("The post is no longer an official reply."),
    }
    done(messages[mode])
    return redirect(back)


@bp.route("/p/<int:post_id>/hide", methods=["POST"])
@login_required
def hide_post(post_id: int):
    post = visibility.get_post(current_user, post_id)
    require(policy.is_moderator(current_user))
    back = post_url(post.topic, post)
    page = common.page_of(post.number)
    form = HideForm(prefix=f"hide-{post_id}")
    refused = _run(form, lambda: moderating.hide_post(current_user, post, form.reason.data))
    if refused:
        return _topic_again(post.topic_id, page, {"hide_post": {post_id: form}}, refused)
    done(_("The post is hidden."), "info")
    return redirect(back)


@bp.route("/p/<int:post_id>/restore", methods=["POST"])
@login_required
def restore_post(post_id: int):
    post = visibility.get_post(current_user, post_id)
    require(policy.is_moderator(current_user))
    back = post_url(post.topic, post)
    check_form(ActionForm())
    moderating.restore_post(current_user, post)
    done(_("The post is visible again."))
    return redirect(back)


@bp.route("/p/<int:post_id>/revert/<int:revision>", methods=["POST"])
@login_required
def revert_post(post_id: int, revision: int):
    post = visibility.get_post(current_user, post_id)
    require(policy.can_revert_post(current_user, post))
    check_form(ActionForm())
    revisions.revert_post(current_user, post, revision)
    done(_("The post reads like revision %(n)d again.", n=revision))
    return redirect(url_for("forums.post_history", post_id=post_id))


# ---------------------------------------------------------------- refusals on the page


def _run(form, action) -> int | None:
    """Validate ``form`` and run ``action``: None when it went through, else the status of
    the refusal. One the user can fix (400, 409) is rolled back and put on the form;
    anything else goes on to the error pages."""
    if not form.validate_on_submit():
        return 400
    try:
        action()
        db.session.flush()
    except DomainError as error:
        db.session.rollback()
        if error.status not in FORM_STATUSES:
            raise
        attach_error(form, error)
        return error.status
    return None


def _topic_again(topic_id: int, page: int, forms: dict, status: int):
    """The topic page again with the refused form (the topic is loaded afresh: a
    rollback expired it)."""
    topic = visibility.get_topic(current_user, topic_id)
    _page, html = render_topic(topic, page, forms)
    return html, status

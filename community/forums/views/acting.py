"""What members do with one button: react, accept an answer, follow a topic or category."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.forms import ActionForm
from community.forums import bp
from community.forums.forms import AcceptForm, LevelForm, ReactForm
from community.forums.models import Level
from community.forums.services import answers, reactions, visibility, watching
from community.forums.views.helpers import check_form, done, post_url, topic_url
from community.moderation.limits import reacting_limit

LEVEL_MESSAGES = {
    Level.WATCHING: lambda: _("You are watching this now."),
    Level.TRACKING: lambda: _("You are tracking this now."),
    Level.NORMAL: lambda: _("You get notifications for mentions and replies to you."),
    Level.MUTED: lambda: _("You are muting this now."),
}


# ---------------------------------------------------------------- reactions


@bp.route("/p/<int:post_id>/react", methods=["POST"])
@reacting_limit
@login_required
def react(post_id: int):
    post = visibility.get_post(current_user, post_id)
    back = post_url(post.topic, post)
    form = ReactForm()
    check_form(form)
    reactions.react(current_user, post, form.name.data)
    done(_("Thank you for your reaction."))
    return redirect(back)


@bp.route("/p/<int:post_id>/unreact", methods=["POST"])
@login_required
def unreact(post_id: int):
    post = visibility.get_post(current_user, post_id)
    back = post_url(post.topic, post)
    check_form(ActionForm())
    if reactions.unreact(current_user, post):
        done(_("Your reaction is removed."), "info")
    return redirect(back)


# ---------------------------------------------------------------- answers


@bp.route("/t/<int:topic_id>/accept", methods=["POST"])
@login_required
def accept_answer(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    answers.check_acceptor(current_user, topic)
    form = AcceptForm()
    check_form(form)
    post = visibility.get_post(current_user, form.post_id.data)
    back = post_url(topic, post)
    answers.accept_answer(current_user, topic, post)
    done(_("The answer is accepted."))
    return redirect(back)


@bp.route("/t/<int:topic_id>/unaccept", methods=["POST"])
@login_required
def withdraw_answer(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    answers.check_acceptor(current_user, topic)
    back = topic_url(topic)
    check_form(ActionForm())
    if answers.withdraw_answer(current_user, topic):
        done(_("The topic has no accepted answer now."), "info")
    return redirect(back)


# ---------------------------------------------------------------- watching


@bp.route("/t/<int:topic_id>/level", methods=["POST"])
@login_required
def topic_level(topic_id: int):
    topic = visibility.get_topic(current_user, topic_id)
    back = topic_url(topic)
    form = LevelForm()
    check_form(form)
    level = watching.set_topic_level(current_user, topic, form.level.data)
    done(LEVEL_MESSAGES[level]())
    return redirect(back)


@bp.route("/forums/<slug>/level", methods=["POST"])
@login_required
def category_level(slug: str):
    category = visibility.get_category(current_user, slug)
    back = url_for("forums.category", slug=category.slug)
    form = LevelForm()
    check_form(form)
    level = watching.set_category_level(current_user, category, form.level.data)
    done(LEVEL_MESSAGES[level]())
    return redirect(back)

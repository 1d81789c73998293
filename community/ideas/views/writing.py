"""Writing: a new idea (with preview and the similar-ideas confirm step), editing an
idea, and comments."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.forms import submit
from community.extensions import db
from community.ideas import bp, policy
from community.ideas.forms import CommentForm, EditIdeaForm, IdeaForm
from community.ideas.models import Challenge
from community.ideas.services import comments, common, statuses, submitting
from community.ideas.views.helpers import (
    active_products,
    attempt,
    check_fields,
    done,
    idea_url,
    require,
)
from community.ideas.views.reading import idea_again
from community.moderation.limits import posting_limit

# ---------------------------------------------------------------- a new idea


def _challenge(form: IdeaForm) -> Challenge | None:
    """The challenge the form answers, to name it on the page (the service checks it)."""
    value = form.challenge.data or ""
    return db.session.get(Challenge, int(value)) if value.isdigit() and len(value) < 19 else None


def _render_new(form: IdeaForm, status: int = 200, **extra: Any):
    return (
        render_template(
            "ideas/new.html",
            form=form,
            challenge=_challenge(form),
            status_label=statuses.status_label,
            **extra,
        ),
        status,
    )


@bp.route("/ideas/new", methods=["GET", "POST"])
@posting_limit
@login_required
def new():
    products = active_products(current_user)
    form = IdeaForm(products=products)
    if request.method == "GET":
        # From a challenge's or a product's page: ?challenge=<id>, ?product=<slug>.
        challenge = request.args.get("challenge", "")
        form.challenge.data = challenge if challenge.isdigit() else ""
        slug = request.args.get("product")
        chosen = next((p for p in products if p.slug == slug), None)
        if chosen is not None:
            form.product.data = str(chosen.id)
        return _render_new(form)
    valid = form.validate_on_submit()
    if form.preview.data:
        if not (valid and check_fields(form, {"body": common.check_body})):
            return _render_new(form, 400)
        return _render_new(form, preview_html=common.render(form.body.data).html)
    checks = {
        "title": common.check_title,
        "body": common.check_body,
        "tags": submitting.normalise_tags,
    }
    if not (check_fields(form, checks) and valid):
        return _render_new(form, 400)
    if not form.confirmed.data:
        similar = submitting.similar_ideas(current_user, form.title.data)
        if similar:
            form.confirmed.data = "1"
            return _render_new(form, similar=similar)
    created = submit(
        form,
        lambda: submitting.create_idea(
            current_user,
            form.title.data,
            form.body.data,
            form.product.data,
            tags=form.tags.data or "",
            challenge_id=form.challenge.data or None,
        ),
    )
    if created.ok:
        flash(_("Your idea is posted. Thank you!"), "success")
        return redirect(idea_url(created.value))
    return _render_new(form, created.status)


# ---------------------------------------------------------------- editing


@bp.route("/ideas/similar")
def similar():
    """Ideas like the title being typed: an HTML fragment for static/js/similar.js."""
    title = (request.args.get("title") or "")[: common.TITLE_MAX]
    found = submitting.similar_ideas(current_user, title) if title.strip() else []
    return render_template("ideas/_similar.html", ideas=found)


def _render_edit(idea, form: EditIdeaForm, status: int = 200, **extra: Any):
    return render_template("ideas/edit.html", idea=idea, form=form, **extra), status


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    require(policy.can_edit_idea(current_user, idea))
    back = idea_url(idea)
    tags = ", ".join(submitting.tags_of([idea.id])[idea.id])
    form = EditIdeaForm(data={"title": idea.title, "body": idea.body_source, "tags": tags})
    if request.method == "GET":
        return _render_edit(idea, form)
    valid = form.validate_on_submit()
    checks = {"title": common.check_title, "body": common.check_body}
    if form.preview.data:
        if not (check_fields(form, checks) and valid):
            return _render_edit(idea, form, 400)
        return _render_edit(idea, form, preview_html=common.render(form.body.data).html)
    checks["tags"] = submitting.normalise_tags
    if not (check_fields(form, checks) and valid):
        return _render_edit(idea, form, 400)
    saved = submit(
        form,
        lambda: submitting.edit_idea(
            current_user, idea, form.title.data, form.body.data, tags=form.tags.data or ""
        ),
    )
    if saved.ok:
        flash(_("Your changes are saved."), "success")
        return redirect(back)
    # The rollback expired the idea: load it again for the page.
    return _render_edit(common.get_idea(current_user, idea_id), form, saved.status)


# ---------------------------------------------------------------- comments


@bp.route("/ideas/<int:idea_id>/comment", methods=["POST"])
@posting_limit
@login_required
def comment(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    form = CommentForm()
    outcome = attempt(form, lambda: comments.add_comment(current_user, idea, form.body.data))
    if outcome.refused:
        return idea_again(
            idea_id,
            form,
            outcome.refused,
            "comment",
            lambda reason: _("Your comment is not posted: %(reason)s", reason=reason),
        )
    back = idea_url(idea, anchor=f"c{outcome.value.id}")
    done(_("Your comment is posted."))
    return redirect(back)

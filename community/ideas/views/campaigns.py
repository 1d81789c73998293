"""The ideas portal beyond the list: the public roadmap and the full shipped history,
challenges (the list, a challenge's page, the team's new challenge and winners), and the
voters' answer to "Did this solve it for you?" after an idea shipped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.catalog import services as catalog
from community.core.db import utcnow
from community.core.forms import submit
from community.core.page_cache import cached_page
from community.ideas import bp, policy
from community.ideas.models import Challenge, FeedbackAnswer, Idea, IdeaStatus
from community.ideas.services import challenges as campaigns
from community.ideas.services import common, listing, statuses
from community.ideas.services import feedback as ship_feedback
from community.ideas.services.roadmap import RECENTLY_SHIPPED
from community.ideas.services.roadmap import roadmap as build_roadmap
from community.ideas.team_forms import ChallengeForm, FeedbackForm, WinnersForm
from community.ideas.views import reading
from community.ideas.views.helpers import (
    active_products,
    attempt,
    check_fields,
    done,
    form_messages,
    idea_url,
    require,
)
from community.moderation.limits import voting_limit

# The roadmap's columns, by the status of their ideas.
COLUMN_LABELS = {
    IdeaStatus.PLANNED: lambda: _("Planned"),
    IdeaStatus.IN_PROGRESS: lambda: _("In progress"),
    IdeaStatus.SHIPPED: lambda: _("Recently shipped"),
}
STATE_LABELS = {
    "running": lambda: _("Running"),
    "upcoming": lambda: _("Upcoming"),
    "ended": lambda: _("Ended: winners to be chosen"),
    "decided": lambda: _("Decided"),
}
# A new challenge's window as the form first offers it.
DEFAULT_LENGTH = dt.timedelta(days=30)


def _products() -> list:
    """Every product for a filter, active first, then the retired ones."""
    products = catalog.list_products(current_user, include_retired=True)
    return [*products.active, *products.retired]


# ---------------------------------------------------------------- the roadmap


@bp.route("/roadmap")
@cached_page
def roadmap():
    slug = (request.args.get("product") or "").strip() or None
    board = build_roadmap(current_user, slug)
    return render_template(
        "ideas/roadmap.html",
        board=board,
        columns=[(column, COLUMN_LABELS[column.status]()) for column in board.columns],
        products=_products(),
        recent_days=RECENTLY_SHIPPED.days,
    )


@bp.route("/roadmap/shipped")
@cached_page
def shipped():
    # A product that does not exist and a broken page link are InvalidInput: a 400 page.
    product = (request.args.get("product") or "").strip() or None
    filters = listing.IdeaFilter(sort="shipped", product=product)
    found = listing.list_ideas(current_user, filters, request.args.get("cursor") or None)
    return render_template("ideas/shipped.html", filters=filters, found=found, products=_products())


# ---------------------------------------------------------------- challenges


@bp.route("/challenges/")
@cached_page
def challenges():
    groups = campaigns.list_challenges()
    return render_template(
        "ideas/challenges.html",
        groups=[(key, STATE_LABELS[key](), groups[key]) for key in STATE_LABELS],
        is_team=policy.is_team(current_user),
    )


def _render_challenge(challenge: Challenge, winners_form: WinnersForm | None = None, status=200):
    """The challenge's page; for the team, once it has ended, the winners form (the
    refused one with its errors in place of a fresh one). Two queries beyond the
    challenge, whatever the number of ideas."""
    page = campaigns.challenge_page(current_user, challenge)
    state = campaigns.state(challenge)
    is_team = policy.is_team(current_user)
    if is_team and state == "ended":
        winners_form = winners_form or WinnersForm(formdata=None)
    elif winners_form is not None:
        # Refused because the challenge is not waiting for winners: no form to show
        # the reason on.
        for message in form_messages(winners_form):
            flash(message, "error")
        winners_form = None
    return (
        render_template(
            "ideas/challenge.html",
            challenge=challenge,
            ideas=page.ideas,
            winners=page.winners,
            placed=sorted(
                (idea for idea in page.ideas if idea.id in page.winners),
                key=lambda idea: page.winners[idea.id],
            ),
            state=state,
            state_label=STATE_LABELS[state](),
            signed_in=policy.is_signed_in(current_user),
            is_team=is_team,
            winners_form=winners_form,
            status_label=statuses.status_label,
        ),
        status,
    )


@bp.route("/challenges/<slug>")
@cached_page
def challenge(slug: str):
    return _render_challenge(campaigns.get_challenge(slug))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A date-time typed in the form, which says UTC, as an aware UTC value."""
    return value.replace(tzinfo=dt.UTC) if value is not None else None


def _render_new_challenge(form: ChallengeForm, status: int = 200):
    return render_template("ideas/new_challenge.html", form=form), status


@bp.route("/challenges/new", methods=["GET", "POST"])
@login_required
def new_challenge():
    require(policy.is_team(current_user))
    form = ChallengeForm(products=active_products(current_user))
    if request.method == "GET":
        starts = utcnow().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        form.starts_at.data = starts.replace(tzinfo=None)
        form.ends_at.data = (starts + DEFAULT_LENGTH).replace(tzinfo=None)
        return _render_new_challenge(form)
    valid = form.validate_on_submit()
    # Every field's refusal at once: the service's own checks of title and question.
    if not (check_fields(form, {"title": common.check_title, "body": common.check_body}) and valid):
        return _render_new_challenge(form, 400)
    created = submit(
        form,
        lambda: campaigns.create_challenge(
            current_user,
            form.title.data,
            form.body.data,
            _utc(form.starts_at.data),
            _utc(form.ends_at.data),
            form.product.data or None,
        ),
    )
    if created.ok:
        flash(_("The challenge “%(title)s” is created.", title=created.value.title), "success")
        return redirect(url_for("ideas.challenge", slug=created.value.slug))
    return _render_new_challenge(form, created.status)


@bp.route("/challenges/<slug>/winners", methods=["POST"])
@login_required
def challenge_winners(slug: str):
    challenge = campaigns.get_challenge(slug)
    require(policy.is_team(current_user))
    back = url_for("ideas.challenge", slug=challenge.slug)
    form = WinnersForm()
    outcome = attempt(
        form, lambda: campaigns.pick_winners(current_user, challenge, form.ideas.data or [])
    )
    if outcome.refused:
        # The rollback expired the challenge: load it again for the page.
        return _render_challenge(campaigns.get_challenge(slug), form, outcome.refused)
    done(
        _("The winners are chosen; their authors and followers are told."),
    )
    return redirect(back)


# ---------------------------------------------------------------- "Did this solve it for you?"


def feedback_state(viewer: Any, idea: Idea) -> dict[str, Any]:
    """What ``templates/ideas/_feedback.html`` shows on an idea's page: whether the
    question is open, whether ``viewer`` may answer it (a voter), their answer, the
    counts and the choices. No query unless the idea shipped ten days ago or more; then
    at most two."""
    asked = ship_feedback.is_asked(idea)
    can_answer = asked and ship_feedback.can_answer(viewer, idea)
    return {
        "asked": asked,
        "can_answer": can_answer,
        "mine": ship_feedback.my_answer(viewer, idea) if can_answer else None,
        "summary": ship_feedback.summary(idea),
        "choices": [(a.value, str(label)) for a, label in ship_feedback.ANSWER_LABELS.items()],
    }


@bp.route("/ideas/<int:idea_id>/feedback", methods=["POST"])
@voting_limit
@login_required
def feedback(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    back = idea_url(idea, anchor="feedback")
    form = FeedbackForm()
    outcome = attempt(form, lambda: ship_feedback.answer(current_user, idea, form.answer.data))
    if outcome.refused:
        return reading.idea_again(
            idea_id,
            form,
            outcome.refused,
            "feedback",
            lambda reason: _("Your answer is not saved: %(reason)s", reason=reason),
        )
    label = ship_feedback.ANSWER_LABELS[FeedbackAnswer(outcome.value.answer)]
    done(_("Thank you for your answer: %(answer)s.", answer=label))
    return redirect(back)

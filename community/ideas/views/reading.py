"""Reading ideas: the list (sorted, filtered, paged by keyset) and an idea's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.catalog import services as catalog
from community.core.errors import NotFound
from community.core.page_cache import cached_page
from community.extensions import db
from community.ideas import bp, policy
from community.ideas.forms import (
    CommentForm,
    StatusForm,
    VoteForm,
    importance_choices,
    importance_label,
    importance_value,
)
from community.ideas.models import IdeaComment, IdeaStatus, Importance
from community.ideas.services import (
    comments,
    common,
    following,
    listing,
    merging,
    statuses,
    submitting,
    vote_counts,
)
from community.ideas.services import voting as votes
from community.ideas.views.helpers import form_messages, idea_url

SORT_LABELS = {
    "trending": lambda: _("Trending"),
    "top": lambda: _("Top"),
    "new": lambda: _("New"),
    "shipped": lambda: _("Recently shipped"),
}


# ---------------------------------------------------------------- the list


@bp.route("/ideas/")
@cached_page
def index():
    # Unknown sorts, statuses, products and broken cursors are InvalidInput: a 400 page
    # that says what is wrong, as the forums answer a bad filter.
    filters = listing.parse_filter(request.args)
    found = listing.list_ideas(current_user, filters, request.args.get("cursor") or None)
    products = catalog.list_products(current_user, include_retired=True)
    return render_template(
        "ideas/index.html",
        filters=filters,
        found=found,
        products=[*products.active, *products.retired],
        sorts=[(key, SORT_LABELS[key]()) for key in listing.SORTS],
        statuses=[(s.value, statuses.status_label(s)) for s in statuses.SETTABLE],
        status_label=statuses.status_label,
        signed_in=policy.is_signed_in(current_user),
    )


# ---------------------------------------------------------------- an idea


@bp.route("/ideas/<int:idea_id>")
@cached_page
def idea(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    # A merged duplicate sends its readers on to the idea it became part of; the team
    # may look at the duplicate itself (?stay=1), e.g. to unmerge it.
    if idea.merged_into_id is not None and not (
        policy.is_team(current_user) and request.args.get("stay")
    ):
        flash(_("“%(title)s” was merged into this idea.", title=idea.title), "info")
        return redirect(idea_url(idea.merged_into_id))
    return render_idea(idea)


def render_idea(idea, forms: dict[str, Any] | None = None) -> str:
    """The idea's page, with ``forms`` (a refused form with its errors and what was
    typed) in place of the fresh ones. A fixed number of queries whatever the number of
    votes, comments and status changes."""
    forms = forms or {}
    signed_in = policy.is_signed_in(current_user)
    is_team = policy.is_team(current_user)
    shown_comments = comments.comments_of(current_user, idea)
    my_vote = votes.my_vote(current_user, idea) if signed_in else None
    context: dict[str, Any] = {
        "idea": idea,
        "tags": submitting.tags_of([idea.id])[idea.id],
        "history": statuses.history(idea),
        "comments": shown_comments,
        "pinned": _pinned(idea, shown_comments),
        "merged_into": _merged_into(idea),
        "merged_here": merging.merges_into(current_user, idea),
        "signed_in": signed_in,
        "is_team": is_team,
        "can_edit": policy.can_edit_idea(current_user, idea),
        "my_vote": my_vote,
        "balance": votes.balance(current_user) if signed_in and vote_counts.budget() else None,
        "is_following": following.is_following(current_user, idea) if signed_in else False,
        "status_label": statuses.status_label,
        "importance_choices": importance_choices(),
        "importance_label": importance_label,
        "vote_form": None,
        "comment_form": None,
        "status_form": None,
        "voters": votes.voters(idea) if is_team else [],
    }
    # The team's merge and proxy-vote tools and the question asked after shipping live
    # beside their routes; imported here because those modules import this one.
    from community.ideas.views import campaigns, team

    context["team_tools"] = team.team_tools(current_user, idea, forms)
    context["feedback_state"] = campaigns.feedback_state(current_user, idea)
    if signed_in and not idea.is_closed:
        current = my_vote.importance if my_vote is not None else Importance.IMPORTANT
        context["vote_form"] = forms.get("vote") or VoteForm(
            formdata=None, data={"importance": importance_value(current)}
        )
    if signed_in:
        context["comment_form"] = forms.get("comment") or CommentForm(formdata=None)
    if is_team and idea.status != IdeaStatus.MERGED:
        context["status_form"] = forms.get("status") or StatusForm(
            formdata=None, data={"status": idea.status}
        )
    return render_template("ideas/idea.html", **context)


def idea_again(
    idea_id: int,
    form: Any,
    status: int,
    key: str | None = None,
    wrap: Callable[[str], str] | None = None,
):
    """The idea's page again after a refusal the member can fix: each message flashed
    (through ``wrap``, which says what did not happen), the refused ``form`` under
    ``key`` in place of the fresh one, and the refusal's status. The idea is loaded
    afresh: the rollback expired it."""
    for message in form_messages(form):
        flash(wrap(message) if wrap else message, "error")
    idea = common.get_idea(current_user, idea_id)
    return render_idea(idea, {key: form} if key else None), status


def _pinned(idea, shown: list) -> Any:
    """The official comment pinned under the description (shown once it is visible)."""
    if idea.pinned_comment_id is None:
        return None
    for comment in shown:
        if comment.id == idea.pinned_comment_id:
            return None if comment.is_hidden else comment
    # Beyond the comments shown: one more query, only then.
    return db.session.scalar(
        select(IdeaComment)
        .options(joinedload(IdeaComment.author))
        .where(
            IdeaComment.id == idea.pinned_comment_id,
            IdeaComment.idea_id == idea.id,
            IdeaComment.hidden_at.is_(None),
        )
    )


def _merged_into(idea) -> Any:
    if idea.merged_into_id is None:
        return None
    try:
        return common.get_idea(current_user, idea.merged_into_id)
    except NotFound:
        return None

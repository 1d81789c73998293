"""What members do with one button (vote, take the vote back, change its importance,
follow) and the team's tools on an idea's page (pin a comment, change the status).

A refusal the member can fix (a second vote, a closed idea, the budget used up, a
decline without a reason) comes back as the idea's page with the message flashed and
the status of the refusal (400 or 409), keeping what was typed; the team's routes
refuse members (403) before reading the form."""

from __future__ import annotations

from flask import redirect
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.forms import ActionForm
from community.ideas import bp, policy
from community.ideas.forms import FollowForm, PinForm, StatusForm, VoteForm, importance_label
from community.ideas.services import comments, common, following, statuses, voting
from community.ideas.views.helpers import attempt, done, idea_url, require
from community.ideas.views.reading import idea_again
from community.moderation.limits import voting_limit

# ---------------------------------------------------------------- votes


@bp.route("/ideas/<int:idea_id>/vote", methods=["POST"])
@voting_limit
@login_required
def vote(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    back = idea_url(idea)
    form = VoteForm()
    outcome = attempt(form, lambda: voting.vote(current_user, idea, form.importance.data))
    if outcome.refused:
        return idea_again(idea_id, form, outcome.refused, "vote")
    done(_("Thank you for your vote."))
    return redirect(back)


@bp.route("/ideas/<int:idea_id>/unvote", methods=["POST"])
@login_required
def unvote(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    back = idea_url(idea)
    form = ActionForm()
    outcome = attempt(form, lambda: voting.unvote(current_user, idea))
    if outcome.refused:
        return idea_again(idea_id, form, outcome.refused)
    if outcome.value:
        done(_("Your vote is taken back."), "info")
    else:
        done(_("You had not voted for this idea."), "info")
    return redirect(back)


@bp.route("/ideas/<int:idea_id>/importance", methods=["POST"])
@login_required
def importance(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    back = idea_url(idea)
    form = VoteForm()
    outcome = attempt(form, lambda: voting.set_importance(current_user, idea, form.importance.data))
    if outcome.refused:
        return idea_again(idea_id, form, outcome.refused, "vote")
    label = importance_label(outcome.value.importance)
    done(_("Your vote now says: %(importance)s.", importance=label))
    return redirect(back)


# ---------------------------------------------------------------- following


@bp.route("/ideas/<int:idea_id>/follow", methods=["POST"])
@login_required
def follow(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    back = idea_url(idea)
    form = FollowForm()
    outcome = attempt(
        form, lambda: following.set_following(current_user, idea, form.following.data == "1")
    )
    if outcome.refused:
        return idea_again(idea_id, form, outcome.refused)
    if form.following.data == "1":
        done(_("You follow this idea now: you hear of its news and comments."))
    else:
        done(_("You no longer follow this idea."), "info")
    return redirect(back)


# ---------------------------------------------------------------- the team's tools


@bp.route("/ideas/<int:idea_id>/pin", methods=["POST"])
@login_required
def pin(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    require(policy.is_team(current_user))
    back = idea_url(idea)
    form = PinForm()
    comment_id = int(form.comment_id.data) if (form.comment_id.data or "").isdigit() else None
    outcome = attempt(form, lambda: comments.pin_comment(current_user, idea, comment_id))
    if outcome.refused:
        return idea_again(idea_id, form, outcome.refused)
    if comment_id is None:
        done(_("The comment is no longer pinned."), "info")
    else:
        done(_("The comment is pinned under the description."))
    return redirect(back)


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"])
@login_required
def status(idea_id: int):
    idea = common.get_idea(current_user, idea_id)
    require(policy.is_team(current_user))
    back = idea_url(idea)
    form = StatusForm()
    outcome = attempt(
        form,
        lambda: statuses.change_status(current_user, idea, form.status.data, form.note.data),
    )
    if outcome.refused:
        return idea_again(
            idea_id,
            form,
            outcome.refused,
            "status",
            lambda reason: _("The status is not changed: %(reason)s", reason=reason),
        )
    label = statuses.status_label(outcome.value.to_status)
    done(_("The status is now: %(status)s.", status=label))
    return redirect(back)

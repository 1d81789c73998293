"""Penalties: a member's own warnings and penalties (/penalties), and the team's member
page (/mod/members/<id>) with the penalty history, warn / silence / suspend, lift, and
the spammer purge."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from community.accounts import services as accounts
from community.core.forms import ActionForm, submit
from community.core.security import safe_next
from community.extensions import db
from community.moderation import bp, policy
from community.moderation.forms import PenaltyForm, PurgeForm
from community.moderation.models import PenaltyKind
from community.moderation.services import penalties, penalty_history
from community.moderation.services.purge import purge

# ---------------------------------------------------------------- the member's own


@bp.route("/penalties")
@login_required
def my_penalties():
    items = penalty_history.own_penalties(current_user)
    return render_template(
        "moderation/my_penalties.html",
        penalties=items,
        acknowledge_form=ActionForm(),
    )


@bp.route("/penalties/<int:penalty_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(penalty_id: int):
    penalty = penalties.get_penalty(penalty_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    penalties.acknowledge(current_user, penalty)
    db.session.commit()
    flash(_("Thank you. The warning is marked as read."), "success")
    return redirect(url_for(".my_penalties", _anchor=f"penalty-{penalty_id}"))


# ---------------------------------------------------------------- the team's member page


def _render_member(user, penalty_form=None, purge_form=None, status: int = 200):
    history = penalty_history.history(current_user, user)  # PermissionDenied for non-team
    can_penalize = policy.can_penalize(current_user, user)
    return (
        render_template(
            "moderation/member.html",
            user=user,
            history=history,
            can_penalize=can_penalize,
            next_silence=penalties.default_days(user, PenaltyKind.SILENCE),
            next_suspension=penalties.default_days(user, PenaltyKind.SUSPEND),
            penalty_form=penalty_form or PenaltyForm(),
            purge_form=purge_form or PurgeForm(),
            lift_form=ActionForm(),
        ),
        status,
    )


@bp.route("/mod/members/<int:user_id>")
@login_required
def member(user_id: int):
    return _render_member(accounts.get_user(user_id))


GIVE = {
    PenaltyKind.WARN.value: lambda actor, user, form, item: penalties.warn(
        actor, user, form.reason.data, item=item
    ),
    PenaltyKind.SILENCE.value: lambda actor, user, form, item: penalties.silence(
        actor, user, form.reason.data, days=form.days.data, item=item
    ),
    PenaltyKind.SUSPEND.value: lambda actor, user, form, item: penalties.suspend_member(
        actor, user, form.reason.data, days=form.days.data, item=item
    ),
}

GIVEN = {
    PenaltyKind.WARN.value: lambda: _("The warning is sent."),
    PenaltyKind.SILENCE.value: lambda: _("The member is silenced."),
    PenaltyKind.SUSPEND.value: lambda: _("The member is suspended."),
}


@bp.route("/mod/members/<int:user_id>/penalty", methods=["POST"])
@login_required
def give_penalty(user_id: int):
    user = accounts.get_user(user_id)
    form = PenaltyForm()
    item = penalties.get_review_item(form.item_id.data) if form.item_id.data else None
    give = GIVE.get(form.kind.data or "")
    given = submit(form, lambda: give(current_user, user, form, item) if give else None)
    if given.ok:
        flash(GIVEN[form.kind.data](), "success")
        back = url_for(".member", user_id=user.id)
        return redirect(safe_next(request.form.get("next"), back))
    return _render_member(user, penalty_form=form, status=given.status)


@bp.route("/mod/penalties/<int:penalty_id>/lift", methods=["POST"])
@login_required
def lift_penalty(penalty_id: int):
    penalty = penalties.get_penalty(penalty_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    penalties.lift(current_user, penalty)
    db.session.commit()
    flash(_("The penalty is lifted."), "success")
    return redirect(url_for(".member", user_id=penalty.user_id))


@bp.route("/mod/members/<int:user_id>/purge", methods=["POST"])
@login_required
def purge_member(user_id: int):
    user = accounts.get_user(user_id)
    form = PurgeForm()
    purged = submit(form, lambda: purge(current_user, user, form.reason.data))
    if purged.ok:
        report = purged.value
        flash(_("The member is suspended and everything they wrote is hidden."), "success")
        flash(
            ngettext("%(num)d item was hidden.", "%(num)d items were hidden.", report.total_hidden)
            + " "
            + ngettext(
                "%(num)d vote was reversed.",
                "%(num)d votes were reversed.",
                report.votes_reversed,
            ),
            "info",
        )
        return redirect(url_for(".member", user_id=user.id))
    return _render_member(user, purge_form=form, status=purged.status)

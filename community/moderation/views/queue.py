"""The review queue: the list, one item with its context, and the reviewers' actions
(the team, and members holding the "review_queue" privilege)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.forms import ActionForm, submit
from community.core.page_cache import cached_page
from community.core.pagination import parse_cursor
from community.moderation import bp, policy, targets
from community.moderation.forms import HideItemForm, PenaltyForm
from community.moderation.services import queue as review_queue
from community.moderation.services import queue_reading


@bp.app_context_processor
def _review_link():
    # base.html shows the queue in the header to those who may review.
    return {"can_review": lambda: policy.can_review(current_user)}


@bp.route("/mod/queue")
@login_required
@cached_page
def queue():
    kinds, reasons = queue_reading.filter_choices()
    kind = request.args.get("kind", "")
    reason = request.args.get("reason", "")
    # A filter value that is not offered means no filter.
    kind = kind if kind in dict(kinds) else ""
    reason = reason if reason in dict(reasons) else ""
    page = queue_reading.list_queue(
        current_user, kind or None, reason or None, parse_cursor(request.args.get("after"))
    )
    return render_template(
        "moderation/queue.html",
        page=page,
        kinds=kinds,
        reasons=reasons,
        kind=kind,
        reason=reason,
        source_label=queue_reading.source_label,
        flag_reason_label=queue_reading.flag_reason_label,
    )


def _render_item(
    item_id: int,
    hide_form: HideItemForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
):
    detail = queue_reading.item_detail(current_user, item_id)
    author = detail.author
    # Warnings, silences and suspensions are the member page's (its history is there);
    # the item page offers the same form, answering this item.
    member_url = penalty_form = None
    if author is not None and policy.can_penalize(current_user, author):
        member_url = url_for("moderation.member", user_id=author.id)
        penalty_form = PenaltyForm(formdata=None, data={"item_id": detail.item.id})
    return (
        render_template(
            "moderation/queue_item.html",
            d=detail,
            hide_form=hide_form or HideItemForm(formdata=None),
            item_form=ActionForm(),
            member_url=member_url,
            penalty_form=penalty_form,
            tools=None
            if detail.is_gone
            else targets.tools_for(current_user, detail.item.kind, detail.item.subject_id),
            # Showing hidden content again is the team's (the forums' rule too).
            can_restore=current_user.is_team,
            errors=errors or [],
            source_label=queue_reading.source_label,
            flag_reason_label=queue_reading.flag_reason_label,
        ),
        status,
    )


@bp.route("/mod/queue/<int:item_id>")
@login_required
def queue_item(item_id: int):
    return _render_item(item_id)


def _act(item_id: int, form, action, done: str):
    item = review_queue.get_item(current_user, item_id)
    result = submit(form, lambda: action(item))
    if result.ok:
        flash(done, "success")
        return redirect(url_for(".queue"))
    if isinstance(form, HideItemForm):
        return _render_item(item_id, hide_form=form, status=result.status)
    # A refused approve or restore (someone was quicker, the item is not hidden ...).
    errors = list(form.form_errors) or [_("The form has expired. Please try again.")]
    return _render_item(item_id, errors=errors, status=result.status)


@bp.route("/mod/queue/<int:item_id>/approve", methods=["POST"])
@login_required
def approve_item(item_id: int):
    return _act(
        item_id,
        ActionForm(),
        lambda item: review_queue.approve(current_user, item),
        _("The item is approved."),
    )


@bp.route("/mod/queue/<int:item_id>/hide", methods=["POST"])
@login_required
def hide_item(item_id: int):
    form = HideItemForm()
    return _act(
        item_id,
        form,
        lambda item: review_queue.hide(current_user, item, form.reason.data),
        _("The item is hidden; its author is told why."),
    )


@bp.route("/mod/queue/<int:item_id>/restore", methods=["POST"])
@login_required
def restore_item(item_id: int):
    return _act(
        item_id,
        ActionForm(),
        lambda item: review_queue.restore(current_user, item),
        _("The item is visible again."),
    )

"""Admin pages for the audit log and member accounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from community.accounts import services as accounts
from community.core import subjects
from community.core.forms import ActionForm, submit
from community.core.pagination import parse_cursor
from community.extensions import db
from community.moderation import bp, policy, services
from community.moderation.forms import EraseForm, RoleForm, SuspendForm


@bp.before_request
def _admins_only():
    # Only the /admin pages are for admins. The blueprint also serves /mod (the team and
    # privileged members) and members' own pages, which check their own access.
    if not request.path.startswith("/admin/"):
        return None
    return _require_admin()


@login_required
def _require_admin():
    if not policy.can_manage_users(current_user):
        abort(403)


@bp.route("/admin/audit")
def audit_log():
    actor = request.args.get("actor", "").strip()
    action = request.args.get("action", "").strip()
    page = services.list_audit(
        current_user, actor or None, action or None, parse_cursor(request.args.get("before"))
    )
    resolved = subjects.resolve(current_user, [(e.subject_type, e.subject_id) for e in page.items])
    links = {e.id: resolved.url(e.subject_type, e.subject_id) for e in page.items}
    return render_template(
        "moderation/audit.html",
        page=page,
        links=links,
        actor=actor,
        action=action,
        actions=services.audit_actions(),
    )


@bp.route("/admin/users")
def users():
    query = request.args.get("q", "").strip()
    page = services.list_users(
        current_user, query or None, parse_cursor(request.args.get("before"))
    )
    return render_template("moderation/users.html", page=page, query=query)


def _render_user(user, role_form=None, suspend_form=None, erase_form=None, status: int = 200):
    can_suspend = policy.can_suspend(current_user, user)
    return (
        render_template(
            "moderation/user.html",
            user=user,
            role_form=role_form or RoleForm(data={"role": user.role}),
            suspend_form=suspend_form or SuspendForm(),
            erase_form=erase_form or EraseForm(),
            lift_form=ActionForm(),
            can_change_role=policy.can_change_role(current_user, user),
            can_suspend=can_suspend,
            # Whoever may suspend an account may erase it as a sock puppet (never an admin,
            # never oneself).
            can_erase=can_suspend,
        ),
        status,
    )


@bp.route("/admin/users/<int:user_id>")
def user(user_id: int):
    return _render_user(accounts.get_user(user_id))


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    user = accounts.get_user(user_id)
    form = RoleForm()
    if submit(form, lambda: services.change_role(current_user, user, form.role.data)).ok:
        flash(_("The role is changed."), "success")
        return redirect(url_for(".user", user_id=user.id))
    return _render_user(user, role_form=form, status=400)


@bp.route("/admin/users/<int:user_id>/suspend", methods=["POST"])
def suspend(user_id: int):
    user = accounts.get_user(user_id)
    form = SuspendForm()
    suspended = submit(
        form,
        lambda: services.suspend(
            current_user,
            user,
            form.days.data,
            form.reason.data,
            sock_puppet=bool(form.sock_puppet.data),
        ),
    )
    if suspended.ok:
        flash(_("The member is suspended."), "success")
        if form.sock_puppet.data:
            flash(_reversed_message(suspended.value), "info")
        return redirect(url_for(".user", user_id=user.id))
    return _render_user(user, suspend_form=form, status=400)


@bp.route("/admin/users/<int:user_id>/erase", methods=["POST"])
def erase(user_id: int):
    user = accounts.get_user(user_id)
    form = EraseForm()
    erased = submit(form, lambda: services.erase_sock_puppet(current_user, user, form.reason.data))
    if erased.ok:
        flash(_("The account is erased; what it wrote shows as by a deleted user."), "success")
        flash(_reversed_message(erased.value), "info")
        return redirect(url_for(".users"))
    return _render_user(user, erase_form=form, status=400)


def _reversed_message(count: int) -> str:
    return ngettext(
        "%(num)d vote of this account was reversed.",
        "%(num)d votes of this account were reversed.",
        count,
    )


@bp.route("/admin/users/<int:user_id>/unsuspend", methods=["POST"])
def lift_suspension(user_id: int):
    user = accounts.get_user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.lift_suspension(current_user, user)
    db.session.commit()
    flash(_("The suspension is lifted."), "success")
    return redirect(url_for(".user", user_id=user.id))

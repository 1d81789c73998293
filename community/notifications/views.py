"""The notifications page."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from community.core.forms import ActionForm
from community.core.pagination import parse_cursor
from community.core.security import safe_next
from community.extensions import db
from community.notifications import bp, services


@bp.route("/notifications")
@login_required
def index():
    page = services.list_for(current_user, parse_cursor(request.args.get("before")))
    return render_template("notifications/index.html", page=page)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    notification = services.mark_read(current_user, notification_id)
    db.session.commit()
    target = services.link(notification, current_user) if request.form.get("open") else None
    return redirect(target or safe_next(request.form.get("next"), url_for(".index")))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    if not ActionForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for(".index"))

"""The privileges page: what reputation unlocks, and where the viewer stands."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from community.core.db import utcnow
from community.reputation import bp
from community.reputation.privileges import progress
from community.reputation.sandbox import sandbox_rules, sandbox_status


@bp.route("/privileges")
def privileges():
    now = utcnow()
    viewer = current_user._get_current_object()
    return render_template(
        "reputation/privileges.html",
        rows=progress(viewer, now),
        rules=sandbox_rules(),
        sandbox=sandbox_status(viewer, now),
    )

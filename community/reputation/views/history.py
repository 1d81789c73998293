"""A member's reputation history with its chart."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from community.accounts import profile_sections
from community.accounts import services as accounts
from community.core.pagination import parse_cursor
from community.reputation import bp, policy
from community.reputation.ranks import next_rank
from community.reputation.rules import RULES
from community.reputation.services import history as service


@bp.route("/u/<username>/reputation")
def history(username: str):
    user = accounts.get_by_username(username)
    if not policy.can_see_history(current_user, user):
        abort(404)
    page = service.history(user, current_user, parse_cursor(request.args.get("before")))
    return render_template(
        "reputation/history.html",
        user=user,
        page=page,
        rules=RULES,
        chart=service.chart(service.total_by_day(user)),
    )


def _profile_section(user, viewer) -> dict:
    return {
        "next_rank": next_rank(user),
        "can_see_history": policy.can_see_history(viewer, user),
        "is_self": bool(viewer.is_authenticated and viewer.id == user.id),
    }


profile_sections.register("reputation", "reputation/_profile_reputation.html", _profile_section, 10)

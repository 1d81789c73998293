"""The market mavens' leaderboards, and the mavens section of every profile."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from community.accounts import profile_sections
from community.core.page_cache import cached_page
from community.reputation import bp
from community.reputation.services import mavens as service


@bp.route("/mavens")
@cached_page
def mavens():
    period = service.parse_period(request.args.get("period"))
    category = service.parse_category(request.args.get("category"))
    board = service.board(period, category, current_user)
    return render_template(
        "reputation/mavens.html",
        board=board,
        periods=service.PERIODS,
        categories=service.known_categories(current_user),
        category_arg=request.args.get("category", ""),
        current_mavens=service.current_mavens(category) if category else [],
        viewer_id=current_user.id if current_user.is_authenticated else None,
    )


def _profile_section(user, viewer) -> dict:
    is_self = bool(viewer.is_authenticated and viewer.id == user.id)
    # The score is explained to the member and to the team; team accounts have none.
    explains = not user.is_team and (is_self or bool(viewer.is_authenticated and viewer.is_team))
    return {
        "top_percent": service.top_percent(user),
        "held": service.held_designations(user, viewer),
        "is_self": is_self,
        "score": service.overall_score(user) if explains else None,
        "explains": explains,
        "recent_days": service.RECENT_DAYS,
    }


profile_sections.register("mavens", "reputation/_profile_mavens.html", _profile_section, 30)

"""API v1: a member's public reputation card and the maven boards. Both are public: no
token needed, but a token that is sent must be valid."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from community.accounts import services as accounts
from community.api import bp
from community.api.auth import reader
from community.reputation.ranks import rank_of
from community.reputation.services import badges as badges_service
from community.reputation.services import mavens


def _category_json(category: tuple[str, int], label: str | None) -> dict[str, Any]:
    return {
        "type": category[0],
        "id": category[1],
        "key": f"{category[0]}:{category[1]}",
        "label": label,
    }


@bp.get("/users/<username>")
def user(username: str):
    viewer = reader()
    member = accounts.get_by_username(username)
    rank = rank_of(member)
    return jsonify(
        {
            "username": member.username,
            "display_name": member.public_display_name,
            "reputation": member.reputation,
            "rank": {"key": rank.key, "label": str(rank.label)},
            "badges": badges_service.live_badges(member),
            "maven_categories": [
                {**_category_json(held.category, held.label), "since": held.since.isoformat()}
                for held in mavens.held_designations(member, viewer)
            ],
            "member_since": member.created_at.isoformat(),
            "top_percent": mavens.top_percent(member),
        }
    )


@bp.get("/mavens")
def mavens_board():
    viewer = reader()
    period = mavens.parse_period(request.args.get("period"))
    category = mavens.parse_category(request.args.get("category"))
    board = mavens.board(period, category, viewer)
    you = board.viewer_entry
    if you is None and getattr(viewer, "is_authenticated", False):
        you = next((e for e in board.entries if e.user.id == viewer.id), None)
    return jsonify(
        {
            "period": board.period,
            "category": _category_json(category, board.category_label) if category else None,
            "items": [
                {
                    "rank": entry.rank,
                    "username": entry.user.username,
                    "display_name": entry.user.public_display_name,
                    "points": entry.points,
                }
                for entry in board.entries
            ],
            "you": {"rank": you.rank, "points": you.points} if you else None,
        }
    )

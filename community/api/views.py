"""API v1 endpoints: parse JSON, call the same services as the pages, commit once."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from community.accounts import services as accounts
from community.accounts.models import User
from community.api import bp
from community.api.auth import api_user
from community.api.parsing import json_body, string_field
from community.core.pagination import parse_cursor
from community.extensions import db
from community.notifications import services as notifications


def _me(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio_source,
        "bio_html": user.bio_html,
        # Moderation hid the display name and bio from others (null when it did not).
        "profile_hidden_reason": user.profile_hidden_reason if user.is_profile_hidden else None,
        "role": user.role,
        "email": user.email,
        "email_confirmed": user.email_confirmed_at is not None,
        "locale": user.locale,
        "member_since": user.created_at.isoformat(),
        "unread_notifications": user.unread_notifications,
    }


@bp.get("/me")
def me():
    return jsonify(_me(api_user()))


@bp.patch("/me")
def update_me():
    user = api_user()
    data = json_body()
    accounts.update_profile(
        user,
        string_field(data, "display_name", user.display_name),
        string_field(data, "bio", user.bio_source),
    )
    if "locale" in data:
        accounts.set_locale(user, string_field(data, "locale"))
    db.session.commit()
    return jsonify(_me(user))


@bp.get("/notifications")
def list_notifications():
    user = api_user()
    page = notifications.list_for(user, parse_cursor(request.args.get("before")))
    return jsonify(
        {
            "items": [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "text": n.text,
                    "url": page.links[n.id],
                    "created_at": n.created_at.isoformat(),
                    "read": n.is_read,
                }
                for n in page.items
            ],
            "next_before": page.next_cursor,
            "unread": user.unread_notifications,
        }
    )


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    user = api_user()
    notifications.mark_read(user, notification_id)
    db.session.commit()
    return jsonify({"unread": user.unread_notifications})


@bp.post("/notifications/read-all")
def read_all_notifications():
    user = api_user()
    changed = notifications.mark_all_read(user)
    db.session.commit()
    db.session.refresh(user)
    return jsonify({"marked": changed, "unread": user.unread_notifications})

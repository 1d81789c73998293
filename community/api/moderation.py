"""API v1 for moderation: flagging content, with the same rules as the flag page (the
"flag" privilege, one flag per member per item, never one's own content)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from community.api import bp
from community.api.auth import api_user
from community.api.parsing import json_body, string_field
from community.core.errors import InvalidInput
from community.extensions import db
from community.moderation.limits import flagging_limit
from community.moderation.services import flags
from community.reputation import privileges


def _id(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(_("%(field)s must be a whole number.", field=key), field=key)
    return value


@bp.post("/flags")
@flagging_limit
def flag():
    """Flag an item: ``{"kind": "forum_post", "id": 7, "reason": "spam", "text": ""}``.
    Answers 201 with the caller's flag; 409 when they flagged it before."""
    flagger = api_user()
    # Who may flag at all comes before what they sent (403 before 400), as on the page.
    privileges.require(flagger, "flag")
    data = json_body()
    kind = string_field(data, "kind")
    subject_id = _id(data, "id")
    new_flag = flags.flag(
        flagger, kind, subject_id, string_field(data, "reason"), string_field(data, "text")
    )
    db.session.commit()
    response = jsonify(
        {
            "kind": new_flag.kind,
            "id": new_flag.subject_id,
            "reason": new_flag.reason,
            "text": new_flag.text,
            "status": new_flag.status,
            "created_at": new_flag.created_at.isoformat(),
        }
    )
    response.status_code = 201
    return response

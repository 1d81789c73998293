"""Reading a JSON request body, the one way every API handler does it."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from community.core.errors import InvalidInput


def json_body() -> dict[str, Any]:
    """The request's JSON object; a missing, malformed or non-object body is a 400."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput(_("Send a JSON object."))
    return data


def string_field(data: dict[str, Any], key: str, default: str = "") -> str:
    """``data[key]`` as text: ``default`` when absent or null, a 400 when not a string."""
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be a string.", field=key), field=key)
    return value

"""Per-member rate limits on posting, reacting, voting and flagging, in one place.

Each is one Flask-Limiter limit shared by the pages and the API (one budget per member,
whichever way they write), keyed by the member's id (the API token's member, or the
session's; a visitor by address). The limits come from the configuration, read when
a request is checked: ``POST_RATE_LIMIT`` (new topics, replies, ideas and comments),
``REACT_RATE_LIMIT``, ``VOTE_RATE_LIMIT`` (votes on ideas) and ``FLAG_RATE_LIMIT``, each
like "10 per minute;60 per hour"; with Redis configured (``REDIS_URL``) every process
shares the counts.

Only what succeeded counts (a page's redirect after a POST, an API's 2xx): previews,
refused forms and errors cost nothing. A member over a limit gets a 429 saying when to
try again, as a page or as JSON, with ``Retry-After``.

    @bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
    @posting_limit
    @login_required
    def reply(topic_id): ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Response, current_app, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from community.accounts import services as accounts
from community.accounts.models import User
from community.core.errors import retry_when
from community.extensions import limiter

_KEY = "mitmach.rate_limit_key"  # per request, in the WSGI environ
DEFAULTS = {
    "POST_RATE_LIMIT": "10 per minute;60 per hour",
    "REACT_RATE_LIMIT": "30 per minute;300 per hour",
    "VOTE_RATE_LIMIT": "30 per minute;300 per hour",
    "FLAG_RATE_LIMIT": "10 per minute;50 per day",
}


def _caller() -> User | None:
    """Who is writing, the way the API and the pages tell: a sent API token is the only
    credential an /api/ request is judged by; otherwise the session's member."""
    if request.path.startswith("/api/") and "Authorization" in request.headers:
        scheme, _sep, token = request.headers["Authorization"].partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return accounts.user_for_token(token.strip())
    return current_user if current_user.is_authenticated else None


def member_key() -> str:
    """The rate-limit bucket of this request: the member, else the address. Found once
    per request (the limiter asks before the view and again to count a success)."""
    key = request.environ.get(_KEY)
    if key is None:
        user = _caller()
        address = get_remote_address() or "unknown"
        key = f"member:{user.id}" if user is not None else f"address:{address}"
        request.environ[_KEY] = key
    return key


def _succeeded(response: Response) -> bool:
    # Pages redirect after a successful POST; the API answers 2xx.
    if request.path.startswith("/api/"):
        return 200 <= response.status_code < 300
    return 300 <= response.status_code < 400


def _configured(key: str) -> Callable[[], str]:
    return lambda: current_app.config.get(key) or DEFAULTS[key]


def _limit_text() -> str:
    """The breached limit in the reader's language, e.g. "10 per 1 minute"."""
    current = limiter.current_limit
    if current is None:
        return ""
    item = current.limit
    period = format_timedelta(dt.timedelta(seconds=item.get_expiry()), threshold=1.0)
    return _("%(num)d per %(period)s", num=item.amount, period=period)


def _message(make: Callable[[str, str], str]) -> Callable[[], str]:
    def message() -> str:
        when = retry_when()
        if when is None:
            return _("Please slow down and try again later.")
        return make(_limit_text(), when)

    return message


def _limit(key: str, scope: str, message: Callable[[str, str], str]):
    return limiter.shared_limit(
        _configured(key),
        scope=scope,
        key_func=member_key,
        methods=["POST"],
        deduct_when=_succeeded,
        error_message=_message(message),
    )


posting_limit = _limit(
    "POST_RATE_LIMIT",
    "member-posting",
    lambda limit, when: _(
        "You are posting faster than allowed (%(limit)s). Please try again %(when)s.",
        limit=limit,
        when=when,
    ),
)
reacting_limit = _limit(
    "REACT_RATE_LIMIT",
    "member-reacting",
    lambda limit, when: _(
        "You are reacting faster than allowed (%(limit)s). Please try again %(when)s.",
        limit=limit,
        when=when,
    ),
)
voting_limit = _limit(
    "VOTE_RATE_LIMIT",
    "member-voting",
    lambda limit, when: _(
        "You are voting faster than allowed (%(limit)s). Please try again %(when)s.",
        limit=limit,
        when=when,
    ),
)
flagging_limit = _limit(
    "FLAG_RATE_LIMIT",
    "member-flagging",
    lambda limit, when: _(
        "You are flagging faster than allowed (%(limit)s). Please try again %(when)s.",
        limit=limit,
        when=when,
    ),
)

"""Per-member rate limits on posting, reacting, voting and flagging, in one place.

Each is one budget per member shared by the pages and the API (whichever way they
write), keyed by the member's id (the API token's member, or the session's; a visitor
by address). The limits come from the configuration, read when a request is checked:
``POST_RATE_LIMIT`` (new topics, replies, ideas and comments), ``REACT_RATE_LIMIT``,
``VOTE_RATE_LIMIT`` (votes on ideas) and ``FLAG_RATE_LIMIT``, each like "10 per
minute;60 per hour". They are moving windows (``core/rate_windows.py``) kept where
``RATELIMIT_STORAGE_URI`` says: with Redis (``REDIS_URL``) every process shares them.

A write books one use in every limit of its budget before it runs, in one step, and
gives the booking back unless it succeeded (a page's redirect after a POST, an API's
2xx): previews, refused forms and errors cost nothing, and concurrent writes cannot
slip past a limit together. A member over a limit gets a 429 saying when to try
again, as a page or as JSON, with ``Retry-After``. Flask-Limiter (``extensions.py``)
keeps the address-keyed limits of signing up and logging in.

    @bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
    @posting_limit
    @login_required
    def reply(topic_id): ...
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse_many

from community.accounts import services as accounts
from community.accounts.models import User
from community.core import rate_windows
from community.core.errors import RateLimited, in_seconds

_KEY = "mitmach.rate_limit_key"  # per request, in the WSGI environ
_WINDOWS = "mitmach.rate_windows"  # per app, in app.extensions
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
    per request."""
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


@functools.cache
def _parsed(text: str) -> tuple[tuple[rate_windows.Limit, ...], tuple[Any, ...]]:
    """A configured limit string as ``(amount, seconds)`` pairs and as ``limits`` items
    (parsed once per text)."""
    items = tuple(parse_many(text))
    return tuple((item.amount, float(item.get_expiry())) for item in items), items


def _windows(app: Flask) -> Any:
    """This app's windows, made on first use (in each worker process)."""
    windows = app.extensions.get(_WINDOWS)
    if windows is None:
        windows = app.extensions[_WINDOWS] = rate_windows.windows_for(
            app.config.get("RATELIMIT_STORAGE_URI")
        )
    return windows


def _limit_text(item: Any) -> str:
    """A limit in the reader's language, e.g. "10 per 1 minute"."""
    period = format_timedelta(dt.timedelta(seconds=item.get_expiry()), threshold=1.0)
    return _("%(num)d per %(period)s", num=item.amount, period=period)


def _refusal(
    items: tuple[Any, ...], full: rate_windows.Full, message: Callable[[str, str], str]
) -> RateLimited:
    """The 429 for a full budget: it names the limit that has room last, and when."""
    seconds = rate_windows.seconds_to_wait(full.wait)
    return RateLimited(message(_limit_text(items[full.limit]), in_seconds(seconds)), seconds)


def _limit(key: str, scope: str, message: Callable[[str, str], str]):
    """A view decorator: the POSTs of the view draw on the member's ``scope`` budget,
    whose limits are configured under ``key``."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            config = current_app.config
            if request.method != "POST" or not config.get("RATELIMIT_ENABLED", True):
                return view(*args, **kwargs)
            limits, items = _parsed(config.get(key) or DEFAULTS[key])
            windows = _windows(current_app)
            booking = windows.acquire(f"{scope}:{member_key()}", limits)
            if isinstance(booking, rate_windows.Full):
                raise _refusal(items, booking, message)
            response = None
            try:
                response = current_app.make_response(view(*args, **kwargs))
            finally:
                if response is None or not _succeeded(response):
                    windows.release(booking)
            return response

        return limited

    return decorate


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

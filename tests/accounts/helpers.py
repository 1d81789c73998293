"""Small helpers shared by the account, API and notification tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

from flask import Flask, g
from flask.testing import FlaskClient

from community.accounts import services as accounts
from community.accounts.models import User
from community.core import mail

SESSION_COOKIE = "session"
REMEMBER_COOKIE = "remember_token"


def is_logged_in(client: FlaskClient) -> bool:
    """Whether the client's cookies still open a page only members may see."""
    response = client.get("/settings/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    return False


def cookie(client: FlaskClient, name: str = SESSION_COOKIE) -> str:
    """The value of one of the client's cookies (which must be set)."""
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def client_with_cookie(app: Flask, value: str, name: str = SESSION_COOKIE) -> FlaskClient:
    """A fresh browser that replays one captured cookie."""
    client = app.test_client()
    client.set_cookie(name, value)
    return client


def last_mail_path(prefix: str) -> str:
    """The site path of the link under ``prefix`` in the newest mail."""
    assert mail.outbox, "no mail was sent"
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"\S+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def tampered(path: str) -> str:
    """The same link with the end of its signature changed."""
    tail = "AAAA" if not path.endswith("AAAA") else "BBBB"
    return path[:-4] + tail


def new_token(user: User, name: str = "script", days: int | None = None) -> str:
    """A usable API token secret for ``user``."""
    _token, secret = accounts.create_token(user, name, days)
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def field_error(html: str, field_id: str) -> str:
    """The error text printed under one form field ("" when it has none)."""
    match = re.search(
        r'<ul class="field-errors" id="' + re.escape(field_id) + r'-error">(.*?)</ul>', html, re.S
    )
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def input_value(html: str, name: str) -> str | None:
    """The value a form input is rendered with (what the user typed), or None."""
    tag = re.search(r'<input[^>]*\bname="' + re.escape(name) + r'"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else None


@contextmanager
def in_request(app: Flask) -> Iterator[None]:
    """Run services that translate messages the way a request would.

    The test app context lives for the whole session; the locale Flask-Babel caches on its
    ``g`` is dropped afterwards so that no other test inherits it.
    """
    with app.test_request_context("/"):
        yield
    g.pop("_flask_babel", None)

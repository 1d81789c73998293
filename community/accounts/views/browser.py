"""The browser session: start it fresh on login, end it (and remember-me) on logout."""

from __future__ import annotations

from flask import (
    current_app,
    request,
    session,
)
from flask_login import current_user, login_user, logout_user

from community.accounts import services


def start_session(user, remember: bool = False) -> None:
    # A fresh session on login: nothing from before survives (no fixation).
    locale = session.get("locale")
    session.clear()
    login_user(user, remember=remember)
    if locale and not user.locale:
        services.set_locale(user, locale)


def end_browser_session() -> None:
    # Clear first: logout_user() then marks the remember-me cookie for deletion, which a
    # later session.clear() would forget, leaving the browser holding a stale credential.
    # The chosen language stays with the browser.
    locale = session.get("locale") or current_user.locale
    session.clear()
    logout_user()
    if locale:
        session["locale"] = locale


def has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies

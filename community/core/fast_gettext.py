"""Jinja's gettext with the request's catalog looked up once per request.

Flask-Babel's Jinja callables find the request context, the locale and the catalog on
every call (about 15 µs; a page makes dozens of calls). These keep the catalog on
Flask-Babel's own request namespace as ``babel_translations``, the attribute its
``force_locale`` clears on entry and restores on exit, so a forced language (a mail or
notification in the recipient's language) is honoured.
"""

from __future__ import annotations

from typing import Any

from babel import support
from flask import Flask
from flask_babel import _get_current_context, get_locale, get_translations


def _translations() -> Any:
    ctx = _get_current_context()
    if ctx is None:
        return support.NullTranslations()
    translations = getattr(ctx, "babel_translations", None)
    if translations is None:
        translations = ctx.babel_translations = get_translations()
    return translations


def install(app: Flask) -> None:
    """Replace the Jinja gettext callables Flask-Babel installed (call after init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )


def current_locale() -> Any:
    """The request's (or a forced) locale, cheaply: a key for per-language caches."""
    ctx = _get_current_context()
    if ctx is None:
        return None
    locale = getattr(ctx, "babel_locale", None)
    return locale if locale is not None else get_locale()

"""Mitmach: a participation-marketing community platform."""

from __future__ import annotations

import functools
import logging
import os

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from community.cli import register_cli
from community.core import fast_gettext, page_cache, pool_ping, query_count
from community.core import sqlite as _sqlite  # noqa: F401 - registers SQLite's engine events
from community.core.db import MAX_ID
from community.core.errors import register_error_handlers
from community.core.security import here
from community.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: type | object | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, CLI."""
    import config as config_module

    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    if config is None:
        env = os.environ.get("MITMACH_ENV", "development")
        config = config_module.CONFIGS[env]
    app.config.from_object(config() if isinstance(config, type) else config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    )
    query_count.init_app(app)
    logging.basicConfig(level=logging.INFO)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    _init_extensions(app)
    app.url_map.converters["int"] = _IdConverter
    _register_blueprints(app)
    _register_request_hooks(app)
    _register_templates(app)

    register_error_handlers(app)
    register_cli(app)
    return app


class _IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number too big for an id is no match (404), not a
    database error."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _init_extensions(app: Flask) -> None:
    from community.accounts import services as accounts
    from community.accounts.models import AnonymousUser

    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    pool_ping.init_app(app)
    page_cache.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    limiter.request_filter(_reads_are_not_limited)
    babel.init_app(app, locale_selector=_select_locale)
    fast_gettext.install(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = AnonymousUser
    login_manager.session_protection = "basic"
    login_manager.user_loader(accounts.load_session_user)


def _reads_are_not_limited() -> bool:
    # Rate limits guard writes; skipping them for reads spares every page the lookup.
    return request.method in ("GET", "HEAD", "OPTIONS")


def _select_locale() -> Locale | None:
    if not has_request_context():
        return None  # the CLI speaks the default language
    languages = current_app.config["LANGUAGES"]
    user_locale = getattr(current_user, "locale", None)
    if user_locale in languages:
        return _locale(user_locale)
    if session.get("locale") in languages:
        return _locale(session["locale"])
    return _locale(
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@functools.cache
def _locale(code: str) -> Locale:
    # Flask-Babel parses a returned string on every request; a Locale it takes as it is.
    return Locale.parse(code)


def _register_blueprints(app: Flask) -> None:
    from community import (
        accounts,
        api,
        catalog,
        forums,
        ideas,
        moderation,
        notifications,
        reputation,
        site,
    )

    for package in (
        site,
        accounts,
        notifications,
        moderation,
        reputation,
        catalog,
        forums,
        ideas,
        api,
    ):
        app.register_blueprint(package.bp)


def _register_request_hooks(app: Flask) -> None:
    from community.api.auth import is_token_request
    from community.core.security import add_security_headers

    @app.before_request
    def _protect_from_csrf():
        # Every state change needs a CSRF token, except API calls that carry a bearer token
        # (a browser cannot attach one cross-site, and such calls ignore the session cookie).
        if not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or is_token_request():
            return
        csrf.protect()

    app.after_request(add_security_headers)


def _register_templates(app: Flask) -> None:
    from flask_babel import format_date, format_datetime, get_locale

    from community.core.forms import ActionForm
    from community.moderation.services import role_label
    from community.reputation.chips import rank_label, user_chip
    from community.reputation.ranks import rank_of
    from community.reputation.services.badges import badge_title
    from community.site import services as site_services

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Globals, not context: imported macros (user chips) see only globals.
    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        rank_of=rank_of,
        rank_label=rank_label,
        badge_title=badge_title,
        user_chip=user_chip,
    )

    @app.context_processor
    def _layout():
        return {
            "branding": site_services.branding,
            "current_locale": lambda: str(get_locale()),
            "action_form": ActionForm,
            "here": here,
            "role_label": role_label,
        }

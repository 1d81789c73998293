"""The page header every page starts with, rendered through ``core/memo.py``.

Everything it shows is computed here per request (branding, the current section, the
viewer's name, unread count and rights) and passed as the memo key, so each distinct
header is rendered once per process and language. The logout form (a CSRF token) and
the login link (back to this page) stay in ``base.html``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import current_app, request, url_for
from flask_login import current_user

from community.core import memo
from community.core.security import here
from community.moderation import policy as moderation_policy
from community.site import bp, services
from community.site.views import SECTIONS

_LABELS = {key: label for key, label, _endpoint in SECTIONS}
# Pages whose login link needs no way back.
_NO_NEXT = ("accounts.login", "accounts.register", "site.home")


@cache
def _section_urls(_script_root: str) -> tuple[tuple[str, str], ...]:
    # The sections' paths (a section not built yet links to its "coming soon" page);
    # the same for every request of this process and mount point.
    urls = []
    for key, _label, endpoint in SECTIONS:
        if endpoint in current_app.view_functions:
            urls.append((key, url_for(endpoint)))
        else:
            urls.append((key, url_for("site.coming_soon", section=key)))
    return tuple(urls)


@bp.app_template_global()
def section_url(key: str, _endpoint: str | None = None) -> str:
    """Where a main section is (its page, or "coming soon" until it is built)."""
    return dict(_section_urls(request.script_root))[key]


@bp.app_template_global()
def section_label(key: str) -> str:
    """A main section's name in the current language."""
    return str(_LABELS[key])


def _current_account_page(user: Any) -> str | None:
    """Which of the viewer's own pages this is, for aria-current in the account menu."""
    path = request.path
    if request.endpoint == "notifications.index":
        return "notifications"
    if (
        request.endpoint == "accounts.profile"
        and (request.view_args or {}).get("username") == user.username
    ):
        return "profile"
    for prefix, name in (("/settings/", "settings"), ("/mod/queue", "queue"), ("/admin/", "admin")):
        if path.startswith(prefix):
            return name
    return None


@bp.app_template_global()
def page_header() -> Any:
    """The header up to the account menu's last item (base.html closes it)."""
    brand = services.branding()
    path = request.path
    sections = tuple(
        (key, url, path.startswith(url)) for key, url in _section_urls(request.script_root)
    )
    search_value = request.args.get("q", "") if request.endpoint == "site.search" else None
    viewer = current = None
    if current_user.is_authenticated:
        viewer = (
            current_user.username,
            current_user.unread_notifications,
            moderation_policy.can_review(current_user),
            current_user.is_admin,
        )
        current = _current_account_page(current_user)
    return memo.render(
        memo.macro("_memo/chrome.html", "header_start"),
        brand.name,
        brand.tagline,
        sections,
        search_value,
        viewer,
        current,
    )


@bp.app_template_global()
def login_url() -> str:
    """The login page, coming back to this page afterwards (not for the pages where
    that means nothing)."""
    if request.endpoint in _NO_NEXT:
        return url_for("accounts.login")
    return url_for("accounts.login", next=here())

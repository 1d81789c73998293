"""Rendered fragments kept in this process, keyed by everything they show.

``render(macro, *args)`` returns ``macro(*args)``, rendered once per (macro, args,
language) and then served from a bounded dictionary. Nothing is ever invalidated, and
nothing needs to be: the key *is* the data the fragment shows (a renamed member, a new
rank, another language make a new key), so every process serves what it would have
rendered, whatever the others cached.

The macros live in ``templates/_memo/`` and may depend only on their arguments and on
what is the same for every request of a language: ``url_for`` of paths (no host),
gettext, and pure globals. ``tests/core/test_memo.py`` checks that they do not mention
``request``, ``session``, ``g``, ``current_user`` or the time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import current_app

from community.core.fast_gettext import current_locale

# Some tens of MB per worker at most; when full, the cache starts over (cheaper than an
# LRU's bookkeeping on every hit, and rare).
MAX_ENTRIES = 20_000

# Values are what Jinja's macros return: already escaped HTML (Markup).
_CACHE: dict[tuple[Any, ...], Any] = {}


@cache
def _macros(env: Any, template: str) -> Any:
    # A template's module: its macros, rendered without any request context.
    return env.get_template(template).module


def macro(template: str, name: str) -> Any:
    """The macro ``name`` of ``templates/<template>`` (looked up once per process)."""
    return getattr(_macros(current_app.jinja_env, template), name)


def render(fragment: Any, *args: Any) -> Any:
    """``fragment(*args)``, from the cache when this process rendered it before in the
    current language. ``args`` must be hashable and hold everything the fragment shows."""
    key = (fragment, args, current_locale())
    html = _CACHE.get(key)
    if html is None:
        html = fragment(*args)
        if len(_CACHE) >= MAX_ENTRIES:
            _CACHE.clear()
        _CACHE[key] = html
    return html


def clear() -> None:
    """Forget every fragment (tests that change templates or translations)."""
    _CACHE.clear()
    _macros.cache_clear()

"""The user chip every author name is shown with: name, role or rank, title badge.

Rendered through ``core/memo.py`` (``templates/_memo/users.html``): a page full of
authors renders each distinct chip once per process and language. Everything it shows is
on the user row, so a list of authors costs no extra query.
"""

from __future__ import annotations

from typing import Any

from community.core import memo
from community.reputation.ranks import LADDER, rank_of

_LABELS = {rank.key: rank.label for rank in LADDER}


def rank_label(key: str) -> str:
    """The rank's name in the current language."""
    return str(_LABELS[key])


def user_chip(user: Any, show_role: bool = True, show_rank: bool = True) -> Any:
    """The chip of ``user`` (None or an erased account: "deleted user")."""
    fragment = memo.macro("_memo/users.html", "user_chip")
    if user is None or user.is_erased:
        return memo.render(fragment, None, None, None, None, None, False, False)
    return memo.render(
        fragment,
        user.username,
        user.name,
        user.role,
        rank_of(user).key,
        user.title_badge,
        bool(show_role),
        bool(show_rank),
    )

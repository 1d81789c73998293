"""Rendered fragments kept per process: the key is the data shown, so a change shows at
once, each language has its own, and the fragments cannot see the request."""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale

from community.core import memo
from community.reputation.chips import user_chip
from tests.factories import make_user

MEMO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "_memo"
# What differs between requests of one language; a memoized fragment must not read it.
PER_REQUEST = re.compile(r"\b(request|session|g|current_user|here|now|utcnow|csrf_token)\b")


def test_memoized_fragments_depend_only_on_their_arguments():
    offenders = []
    for path in sorted(MEMO_TEMPLATES.glob("*.html")):
        code = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        for tag in re.findall(r"\{[{%].*?[}%]\}", code, flags=re.S):
            if PER_REQUEST.search(tag):
                offenders.append(f"{path.name}: {tag}")
    assert not offenders, "\n".join(offenders)


def test_a_chip_is_rendered_once_and_changes_with_what_it_shows(app, db):
    memo.clear()
    user = make_user(username="ada", display_name="Ada L.", reputation=0)
    with app.test_request_context("/"):
        first = user_chip(user)
        assert "Ada L." in first and "/u/ada" in first
        assert user_chip(user) is first  # served from the cache
        user.display_name = "Ada Lovelace"
        renamed = user_chip(user)
        assert "Ada Lovelace" in renamed and renamed is not first
        user.role = "team"
        assert "role-team" in user_chip(user)
        assert "role-team" not in user_chip(user, show_role=False)


def test_each_language_has_its_own_fragment(app, db):
    memo.clear()
    user = make_user(username="bob")
    with app.test_request_context("/"):
        english = user_chip(user)
        with force_locale("de"):
            german = user_chip(user)
        assert english != german
        assert user_chip(user) is english


def test_an_erased_member_is_a_deleted_user(app, db):
    user = make_user(username="gone")
    user.erased_at = user.created_at
    with app.test_request_context("/"):
        chip = user_chip(user)
        assert "deleted user" in chip and "/u/gone" not in chip
        assert "deleted user" in user_chip(None)

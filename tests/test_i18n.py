"""The German translation: complete, compiled, placeholder-safe, and actually used.

The catalog lives in ``community/translations/de/LC_MESSAGES``. To bring it up to date
after adding or changing strings::

    pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.*' -o messages.pot .
    pybabel update -i messages.pot -d community/translations
    # translate the new / fuzzy entries in messages.po, then
    pybabel compile -d community/translations

``--ignore-dirs='.*'`` matters: without it Babel skips every directory whose name starts
with ``_`` or ``.``, and with it the strings of ``templates/_macros/`` (e.g. "deleted user").
"""

from __future__ import annotations

import gettext
import os
import re
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
LOCALE_DIR = ROOT / "community" / "translations" / "de" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "messages.po"
MO_FILE = LOCALE_DIR / "messages.mo"

# The same keywords as ``pybabel extract -k _l -k lazy_gettext``.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

# A printf-style conversion: ``%(name)s``, ``%(n)d``, ``%(x)05.2f``, ``%s``, ``%%``.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>.)"
)


# --------------------------------------------------------------------------- helpers


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """Read babel.cfg exactly as ``pybabel extract -F babel.cfg`` does."""
    from babel.messages import frontend

    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with open(BABEL_CFG, encoding="utf-8") as fileobj:
        return parse(fileobj, filename=str(BABEL_CFG))


def _directory_filter(dirpath: str) -> bool:
    """Like ``--ignore-dirs='.*'``: skip .venv, .git and such, but keep ``_macros``."""
    return not os.path.basename(dirpath).startswith(".")


@cache
def extracted_messages() -> dict[tuple[str | tuple[str, ...], str | None], list[str]]:
    """Every translatable message in the source tree now: {(msgid, context): [locations]}."""
    method_map, options_map = _method_map()
    found: dict[tuple[str | tuple[str, ...], str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=_directory_filter,
    ):
        found.setdefault((message, context), []).append(f"{filename}:{lineno}")
    return found


@cache
def german_catalog() -> Catalog:
    with open(PO_FILE, "rb") as fileobj:
        return read_po(fileobj, locale="de")


def _forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _is_translated(message) -> bool:
    return bool(message.string) and all(_forms(message.string)) and not message.fuzzy


def placeholders(text: str) -> set[tuple[str | None, str]]:
    """The printf-style placeholders in ``text`` as (name, conversion), ``%%`` left out."""
    return {
        (m.group("name"), m.group("conv"))
        for m in PLACEHOLDER.finditer(text)
        if m.group("conv") != "%"
    }


def _translated_messages():
    return [m for m in german_catalog() if m.id and _is_translated(m)]


def _gnu_catalog(data: bytes) -> dict:
    translations = gettext.GNUTranslations(BytesIO(data))
    # The header entry (msgid "") carries revision dates, not translations.
    return {key: value for key, value in translations._catalog.items() if key != ""}


# --------------------------------------------------------------------------- the catalog


def test_source_tree_has_translatable_messages():
    """Guards the completeness test against an extraction that silently finds nothing."""
    ids = {message for message, _context in extracted_messages()}
    assert "Log in" in ids
    assert "deleted user" in ids, "templates/_macros/ was not scanned"
    assert len(ids) > 100


def test_every_message_in_the_source_has_a_german_translation():
    catalog = german_catalog()
    missing = []
    for (message, context), locations in sorted(
        extracted_messages().items(), key=lambda item: item[1][0]
    ):
        entry = catalog.get(message, context=context)
        if entry is None or not _is_translated(entry):
            state = "missing" if entry is None else ("fuzzy" if entry.fuzzy else "empty")
            missing.append(f"  [{state}] {message!r}  ({locations[0]})")
    assert not missing, (
        f"{len(missing)} message(s) lack a German translation in {PO_FILE.relative_to(ROOT)};"
        " run pybabel extract (with --ignore-dirs='.*') and update, translate, then"
        " pybabel compile:\n" + "\n".join(missing)
    )


def test_german_catalog_declares_its_locale_and_plural_rule():
    catalog = german_catalog()
    assert str(catalog.locale) == "de"
    assert catalog.num_plurals == 2
    assert not catalog.fuzzy, "the catalog header is marked fuzzy, so gettext would ignore it"


def test_compiled_catalog_matches_the_po_file():
    assert MO_FILE.exists(), "run: pybabel compile -d community/translations"
    fresh = BytesIO()
    write_mo(fresh, german_catalog(), use_fuzzy=False)
    if fresh.getvalue() == MO_FILE.read_bytes():
        return
    expected = _gnu_catalog(fresh.getvalue())
    actual = _gnu_catalog(MO_FILE.read_bytes())
    stale = sorted(
        repr(key) for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)
    )
    assert not stale, (
        "messages.mo is out of date with messages.po; run: pybabel compile -d"
        " community/translations\n  " + "\n  ".join(stale[:50])
    )


# --------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize("message", _translated_messages(), ids=lambda m: str(m.id)[:40])
def test_translation_keeps_the_placeholders(message):
    ids = _forms(message.id)
    strings = _forms(message.string)
    if len(ids) == 1:
        assert placeholders(strings[0]) == placeholders(ids[0]), (
            f"placeholders differ:\n  msgid:  {ids[0]!r}\n  msgstr: {strings[0]!r}"
        )
        return
    # Plural entries: a form may leave out the count (German "Eine Antwort"), but may
    # not invent a placeholder, and all forms together must use every one of the original.
    allowed = set().union(*(placeholders(text) for text in ids))
    used: set[tuple[str | None, str]] = set()
    for text in strings:
        found = placeholders(text)
        assert found <= allowed, f"unknown placeholders {found - allowed} in {text!r}"
        used |= found
    assert used == allowed, f"placeholders {allowed - used} dropped from {strings!r}"


@pytest.mark.parametrize("message", _translated_messages(), ids=lambda m: str(m.id)[:40])
def test_translation_formats_like_the_original(message):
    """Whatever arguments work for the English text must work for the German one.

    Templates %-format every string, even without arguments, so a stray ``%`` breaks a page.
    """
    ids = _forms(message.id)
    args = {name: 1 for text in ids for name, _conv in placeholders(text) if name}
    for index, translated in enumerate(_forms(message.string)):
        original = ids[min(index, len(ids) - 1)]
        try:
            original % args
        except (KeyError, TypeError, ValueError):
            continue  # not used as a format string
        translated % args


# --------------------------------------------------------------------------- the pages


def test_home_page_is_german_for_german_browsers(client):
    response = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="de"' in html
    assert ">Ideen<" in html
    assert ">Anmelden<" in html
    assert ">Ideas<" not in html


def test_home_page_is_english_for_english_browsers(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="en"' in html
    assert ">Ideas<" in html
    assert ">Ideen<" not in html


def test_login_page_labels_are_german(client):
    response = client.get("/auth/login", headers={"Accept-Language": "de"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Benutzername oder E-Mail" in html
    assert "Passwort vergessen?" in html
    assert "Username or email" not in html

"""Templates: one layout, autoescaping everywhere, and one place that prints trusted HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import nodes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
PACKAGE = ROOT / "community"

BASE = "base.html"
# The one template allowed to print stored, sanitized HTML, and the one module making it.
SAFE_TEMPLATE = "_macros/content.html"
MARKUP_MODULE = PACKAGE / "core" / "content.py"

# `{{ something_html|safe }}`: a variable whose name says it holds rendered HTML.
ALLOWED_SAFE_RE = re.compile(r"\{\{-?\s*(?:[A-Za-z_][\w]*\.)*[A-Za-z_]*html\s*\|\s*safe\s*-?\}\}")
SAFE_FILTER_RE = re.compile(r"\|\s*safe\b")
UNESCAPED_BLOCK_RE = re.compile(r"\{%-?\s*(autoescape\s+(false|off)|filter\s+safe)\b")
STATIC_REF_RE = re.compile(
    r"""url_for\(\s*['"]static['"]\s*,\s*filename\s*=\s*['"]([^'"]+)['"]\s*\)"""
)


def template_names() -> list[str]:
    return sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file())


def is_partial(name: str) -> bool:
    """Macros and included fragments: files named ``_*`` and everything in ``_macros/``
    and ``_memo/``."""
    return name.startswith(("_macros/", "_memo/")) or Path(name).name.startswith("_")


PAGES = [name for name in template_names() if name.endswith(".html") and not is_partial(name)]


def source(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def extends_of(app, name: str) -> str | None:
    tree = app.jinja_env.parse(source(name))
    parents = [
        node.template.value
        for node in tree.find_all(nodes.Extends)
        if isinstance(node.template, nodes.Const)
    ]
    return parents[0] if parents else None


def test_there_are_templates_to_check():
    assert BASE in template_names()
    assert len(PAGES) >= 10


@pytest.mark.parametrize("name", template_names())
def test_template_parses(app, name):
    app.jinja_env.get_template(name)


@pytest.mark.parametrize("name", PAGES)
def test_page_extends_the_base_layout(app, name):
    if name == BASE:
        return
    seen = [name]
    parent = extends_of(app, name)
    while parent is not None and parent != BASE and parent not in seen:
        seen.append(parent)
        parent = extends_of(app, parent)
    assert parent == BASE, f"{' -> '.join(seen)} does not extend {BASE}"


def test_html_templates_are_autoescaped(app):
    assert all(app.jinja_env.autoescape(name) for name in PAGES)


@pytest.mark.parametrize("name", template_names())
def test_safe_only_prints_rendered_html_in_the_content_macro(name):
    text = source(name)
    uses = len(SAFE_FILTER_RE.findall(text))
    if name != SAFE_TEMPLATE:
        assert uses == 0, f"{name} uses |safe; print rendered HTML with {SAFE_TEMPLATE}"
    else:
        allowed = len(ALLOWED_SAFE_RE.findall(text))
        assert uses == allowed, f"{name}: |safe must only print a variable named *html"
    assert not UNESCAPED_BLOCK_RE.search(text), f"{name} switches autoescaping off"


def test_the_content_macro_prints_rendered_html():
    # Keeps the check above from passing because the one allowed use went away.
    assert ALLOWED_SAFE_RE.search(source(SAFE_TEMPLATE))


def test_markup_is_only_made_by_the_content_pipeline():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == MARKUP_MODULE:
            continue
        text = path.read_text(encoding="utf-8")
        for lineno, line in enumerate(text.splitlines(), 1):
            if re.search(r"\bMarkup\s*\(|\bmarkupsafe\b|render_template_string", line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "HTML marked safe outside core/content.py:\n" + "\n".join(offenders)


@pytest.mark.parametrize("name", template_names())
def test_static_files_the_template_links_exist(name):
    missing = [ref for ref in STATIC_REF_RE.findall(source(name)) if not (STATIC / ref).is_file()]
    assert not missing, f"{name} links missing static files: {missing}"

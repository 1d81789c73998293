"""Rendered HTML back to plain text, for excerpts, notifications and mail."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from community.core.content import strip_controls

_WS_RE = re.compile(r"\s+")

_BLOCK_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "template"})


class _TextExtractor(HTMLParser):
    """Collect the character data of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(html: str, limit: int | None = None) -> str:
    """Return the text (not HTML-safe) of rendered HTML, truncated with "…" to ``limit``."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    text = _WS_RE.sub(" ", strip_controls("".join(parser.parts))).strip()
    if limit is None or len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    cut = text[: limit - 1]
    # Prefer a word boundary when it does not throw away too much.
    if not text[limit - 1].isspace():
        space = cut.rfind(" ")
        if space >= (limit - 1) // 2 and space > 0:
            cut = cut[:space]
    return cut.rstrip() + "…"


_SLUG_JUNK_RE = re.compile(r"[^a-z0-9]+")


def slugify(title: str, limit: int = 80) -> str:
    """The URL slug of a title: ASCII lower-case words joined by hyphens ("" for none)."""
    text = unicodedata.normalize("NFKD", title.replace("ß", "ss"))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return _SLUG_JUNK_RE.sub("-", text).strip("-")[:limit].strip("-")

"""User content: the one path from author Markdown to safe HTML.

Every piece of user-written Markdown in the app is rendered through :func:`render`.
The pipeline is:

1. strip NUL and Unicode bidi control characters from the source;
2. parse with markdown-it-py (CommonMark + tables, strikethrough, linkify; raw HTML
   is *not* passed through), resolving ``@username`` mentions on the token stream;
3. render to HTML and clean it with a bleach ``Cleaner`` using an explicit allowlist,
   forcing ``rel="nofollow ugc noopener"`` on every link (defence in depth: the cleaner
   runs even though markdown-it never emits raw HTML).

This is the only module that imports bleach.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from html import unescape
from typing import Any

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup, escape

__all__ = [
    "diff_html",
    "highlight",
    "snippet",
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "LINK_REL",
    "MentionResolver",
    "Rendered",
    "render",
]

MentionResolver = Callable[[set[str]], Mapping[str, str]]

ALLOWED_TAGS: frozenset[str] = frozenset(
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
        "strong",
        "em",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "sup",
        "sub",
    }
)

#: Attributes allowed per tag (``class`` on ``a`` is further restricted to ``mention``).
ALLOWED_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "class", "rel"}),
    "img": frozenset({"src", "alt", "title"}),
    "ol": frozenset({"start"}),
    "th": frozenset({"align"}),
    "td": frozenset({"align"}),
}

ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})
IMG_PROTOCOLS: frozenset[str] = frozenset({"http", "https"})
LINK_REL = "nofollow ugc noopener"
MENTION_CLASS = "mention"

# LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM and NUL.
_STRIP_CHARS_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\x00]")
_MENTION_RE = re.compile(r"(?<!\w)@([A-Za-z0-9_-]{3,30})(?![\w-])")
_ALIGN_RE = re.compile(r"^\s*text-align\s*:\s*(left|right|center)\s*;?\s*$", re.IGNORECASE)
# Whitespace and C0 controls that browsers ignore in URLs.
_URL_JUNK_RE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_WS_RE = re.compile(r"\s+")

_ENV_RESOLVER = "community_mention_resolver"
_ENV_MENTIONS = "community_mentions"


@dataclass(frozen=True)
class Rendered:
    """Sanitized HTML plus the lowercased usernames that were mentioned and resolved."""

    html: str
    mentions: frozenset[str]


def strip_controls(text: str) -> str:
    """Remove NUL and Unicode bidi control characters from ``text``."""
    return _STRIP_CHARS_RE.sub("", text)


# --------------------------------------------------------------------------- markdown


def _table_align_rule(state: StateCore) -> None:
    """Turn markdown-it's ``style="text-align:x"`` on table cells into ``align="x"``."""
    for token in state.tokens:
        if token.type not in ("th_open", "td_open"):
            continue
        style = token.attrs.pop("style", None)
        if isinstance(style, str):
            match = _ALIGN_RE.match(style)
            if match:
                token.attrSet("align", match.group(1).lower())


def _text_runs(children: list[Token]) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` index ranges of adjacent text tokens outside links."""
    link_depth = 0
    start: int | None = None
    for i, tok in enumerate(children):
        is_text = tok.type in ("text", "text_special") and link_depth == 0
        if is_text:
            if start is None:
                start = i
            continue
        if start is not None:
            yield start, i
            start = None
        if tok.type == "link_open":
            link_depth += 1
        elif tok.type == "link_close":
            link_depth = max(0, link_depth - 1)
    if start is not None:
        yield start, len(children)


def _find_mentions(tokens: list[Token]) -> list[tuple[Token, int, int, str, list[re.Match[str]]]]:
    """Locate ``@name`` candidates in the inline text of ``tokens``."""
    found = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for start, end in _text_runs(block.children):
            run = block.children[start:end]
            text = "".join(t.content for t in run)
            if "@" not in text:
                continue
            # An escaped or entity-encoded "@" (text_special) never starts a mention.
            special_at: set[int] = set()
            pos = 0
            for t in run:
                if t.type == "text_special" and t.content == "@":
                    special_at.add(pos)
                pos += len(t.content)
            matches = [m for m in _MENTION_RE.finditer(text) if m.start() not in special_at]
            if matches:
                found.append((block, start, end, text, matches))
    return found


def _mention_tokens(
    text: str, matches: list[re.Match[str]], urls: Mapping[str, str]
) -> list[Token]:
    """Rebuild a text run with resolved mentions turned into links."""
    out: list[Token] = []
    pos = 0

    def add_text(content: str) -> None:
        if content:
            tok = Token("text", "", 0)
            tok.content = content
            out.append(tok)

    for m in matches:
        url = urls.get(m.group(1).lower())
        if not url:
            continue
        add_text(text[pos : m.start()])
        link_open = Token("link_open", "a", 1)
        link_open.attrSet("href", url)
        link_open.attrSet("class", MENTION_CLASS)
        link_open.markup = "mention"
        label = Token("text", "", 0)
        label.content = m.group(0)
        out.extend([link_open, label, Token("link_close", "a", -1)])
        pos = m.end()
    add_text(text[pos:])
    return out


def _mention_rule(state: StateCore) -> None:
    """Resolve ``@username`` mentions (one resolver call per document) into links."""
    resolver: MentionResolver | None = state.env.get(_ENV_RESOLVER)
    resolved: set[str] = state.env.setdefault(_ENV_MENTIONS, set())
    if resolver is None:
        return
    found = _find_mentions(state.tokens)
    candidates = {m.group(1).lower() for *_, matches in found for m in matches}
    if not candidates:
        return
    raw = resolver(set(candidates)) or {}
    urls = {
        str(name).lower(): url
        for name, url in raw.items()
        if isinstance(url, str) and url and str(name).lower() in candidates
    }
    if not urls:
        return
    # Replace runs back to front so earlier indices of the same inline stay valid.
    for block, start, end, text, matches in reversed(found):
        hits = [m for m in matches if m.group(1).lower() in urls]
        if not hits:
            continue
        assert block.children is not None
        block.children[start:end] = _mention_tokens(text, hits, urls)
        resolved.update(m.group(1).lower() for m in hits)


def _build_markdown() -> MarkdownIt:
    """Create the shared markdown-it parser."""
    md = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": True, "typographer": False},
    )
    md.enable(["table", "strikethrough", "linkify"])
    # Runs before text_join so escaped "\@" (text_special) can be told apart.
    md.core.ruler.before("text_join", "mentions", _mention_rule)
    md.core.ruler.push("table_align", _table_align_rule)
    return md


_MD = _build_markdown()


# --------------------------------------------------------------------------- bleach


def _url_scheme(value: str) -> str | None:
    """Return the lowercased scheme of a URL as a browser would see it, or None."""
    cleaned = _URL_JUNK_RE.sub("", unescape(value)).lower()
    match = _SCHEME_RE.match(cleaned)
    return match.group(1) if match else None


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Attribute allowlist used by the cleaner."""
    allowed = ALLOWED_ATTRIBUTES.get(tag)
    if allowed is None or name not in allowed:
        return False
    if tag == "a" and name == "class":
        return value == MENTION_CLASS
    if tag == "img" and name == "src":
        scheme = _url_scheme(value)
        return scheme is None or scheme in IMG_PROTOCOLS
    if name == "start":
        return value.isdigit() and len(value) <= 9
    if name == "align":
        return value in ("left", "right", "center")
    return True


class _LinkRelFilter(Filter):  # type: ignore[misc]
    """html5lib filter forcing ``rel="nofollow ugc noopener"`` on every ``<a>``."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token.get("data") or {})
                attrs = {k: v for k, v in attrs.items() if k[1] != "rel"}
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            yield token


# bleach.Cleaner keeps parser state and is not thread-safe: one per thread.
_cleaners = threading.local()


def _cleaner() -> bleach.Cleaner:
    """Return this thread's configured bleach cleaner."""
    cleaner: bleach.Cleaner | None = getattr(_cleaners, "cleaner", None)
    if cleaner is None:
        cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allow_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_LinkRelFilter],
        )
        _cleaners.cleaner = cleaner
    return cleaner


def clean_html(fragment: str) -> str:
    """Sanitize an HTML fragment with the content allowlist (used by :func:`render`)."""
    return strip_controls(_cleaner().clean(strip_controls(fragment)))


def render(source: str, mentions: MentionResolver | None = None) -> Rendered:
    """Render user Markdown to sanitized HTML, resolving ``@mentions`` via ``mentions``."""
    env: dict[str, Any] = {_ENV_RESOLVER: mentions, _ENV_MENTIONS: set()}
    tokens = _MD.parse(strip_controls(source or ""), env)
    raw_html = _MD.renderer.render(tokens, _MD.options, env)
    return Rendered(html=clean_html(raw_html), mentions=frozenset(env[_ENV_MENTIONS]))


# --------------------------------------------------------------------------- plain text marked up
# The other HTML the app builds from user text: escaped first, then marked up, here so
# that this module stays the only place HTML is declared safe.

_WORD_CHARS = r"[^\W_]"


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    # A term matches at the start of a word and marks the whole word (the last query word
    # may be a prefix; marking every term's completions is what a reader expects).
    return re.compile(
        rf"(?<!{_WORD_CHARS})(" + "|".join(re.escape(w) for w in words) + rf"){_WORD_CHARS}*",
        re.IGNORECASE,
    )


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """``text`` escaped, with the words matching search ``terms`` in ``<mark>``."""
    pattern = _term_pattern(terms)
    if pattern is None:
        return escape(text)
    out: list[Markup] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>{}</mark>").format(match.group(0)))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str, terms: Iterable[str], words: int = 30) -> Markup:
    """About ``words`` words of ``text`` around the first match of ``terms``, highlighted."""
    tokens = text.split()
    if not tokens:
        return Markup("")
    pattern = _term_pattern(terms)
    first = 0
    if pattern is not None:
        first = next((i for i, token in enumerate(tokens) if pattern.search(token)), 0)
    start = max(first - words // 3, 0)
    piece = " ".join(tokens[start : start + words])
    prefix = Markup("… ") if start > 0 else Markup("")
    suffix = Markup(" …") if start + words < len(tokens) else Markup("")
    return prefix + highlight(piece, terms) + suffix


_DIFF_TOKEN_RE = re.compile(r"\s+|[^\s]+")


def diff_html(old: str, new: str) -> Markup:
    """Word-by-word difference of two texts: escaped, deletions in ``<del>``, insertions
    in ``<ins>``."""
    a = _DIFF_TOKEN_RE.findall(old or "")
    b = _DIFF_TOKEN_RE.findall(new or "")
    out: list[Markup] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(Markup("<del>{}</del>").format("".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(Markup("<ins>{}</ins>").format("".join(b[j1:j2])))
    return Markup("").join(out)

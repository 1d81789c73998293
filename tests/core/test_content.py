"""Tests for community.core.content: Markdown rendering, sanitizing, mentions, plain text."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from community.core.content import Rendered, render
from community.core.plain_text import plain_text

ALLOWED_TAGS = {
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
ALLOWED_ATTRS = {
    "a": {"href", "title", "class", "rel"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
BIDI_AND_NUL = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\x00"
URL_JUNK_RE = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u2000-\u200f\u2028-\u202f\ufeff]+")
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")

JS = "javascript:alert(1)"
B64_HTML = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="

HOSTILE = [
    # --- script / style tags
    pytest.param("<script>alert(1)</script>", id="script-basic"),
    pytest.param("<SCRIPT>alert(1)</SCRIPT>", id="script-upper"),
    pytest.param("<ScRiPt>alert(1)</sCrIpT>", id="script-mixed-case"),
    pytest.param("<scr\nipt>alert(1)</scr\nipt>", id="script-split-newline"),
    pytest.param("<script\n>alert(1)</script\n>", id="script-newline-in-tag"),
    pytest.param("<script><script>alert(1)</script></script>", id="script-nested"),
    pytest.param("<script>alert(1)", id="script-unclosed"),
    pytest.param("<script src=//evil.example/x.js></script>", id="script-src"),
    pytest.param("<div>\n<script>alert(1)</script>\n</div>", id="script-in-html-block"),
    pytest.param("<style>body{background:red}</style>", id="style-tag"),
    pytest.param("<STYLE>@import 'http://evil.example/x.css';</STYLE>", id="style-import-upper"),
    pytest.param("<<script>script>alert(1)<</script>/script>", id="script-double-angle"),
    pytest.param("<scr<script>ipt>alert(1)</script>", id="script-split-inner"),
    pytest.param("\\<script>alert(1)\\</script>", id="script-md-escaped"),
    pytest.param("&lt;script&gt;alert(1)&lt;/script&gt;", id="script-entity-encoded"),
    pytest.param("```\n<script>alert(1)</script>\n```", id="script-in-fence"),
    # --- on* handlers
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param('<img src="x" onerror="alert(1)">', id="img-onerror-quoted"),
    pytest.param("<img/src=x/onerror=alert(1)>", id="img-onerror-slashes"),
    pytest.param("<img src=x\nonerror=alert(1)>", id="img-onerror-newline"),
    pytest.param("<img src=x\tonerror\t=\talert(1)>", id="img-onerror-tabs"),
    pytest.param("<IMG SRC=x OnErRoR=alert(1)>", id="img-onerror-mixed-case"),
    pytest.param("<body onload=alert(1)>", id="body-onload"),
    pytest.param('<div onmouseover="alert(1)">hover</div>', id="div-onmouseover"),
    pytest.param("<input autofocus onfocus=alert(1)>", id="input-autofocus-onfocus"),
    pytest.param("<details open ontoggle=alert(1)>", id="details-ontoggle"),
    pytest.param("<p onclick=alert(1)>x</p>", id="p-onclick-unquoted"),
    # --- dangerous schemes in markdown links
    pytest.param(f"[x]({JS})", id="md-link-javascript"),
    pytest.param("[x](JaVaScRiPt:alert(1))", id="md-link-javascript-case"),
    pytest.param("[x](&#106;avascript:alert(1))", id="md-link-entity-dec"),
    pytest.param("[x](&#x6A;avascript:alert(1))", id="md-link-entity-hex"),
    pytest.param("[x](java&#x09;script:alert(1))", id="md-link-entity-tab"),
    pytest.param("[x](jav&#x0A;ascript:alert(1))", id="md-link-entity-newline"),
    pytest.param("[x](javascript&colon;alert(1))", id="md-link-entity-colon"),
    pytest.param(f"[x]( {JS})", id="md-link-leading-space"),
    pytest.param(f"[x](\x01{JS})", id="md-link-leading-control"),
    pytest.param(f"[x](<{JS}>)", id="md-link-angle-dest"),
    pytest.param(f"[x](data:text/html;base64,{B64_HTML})", id="md-link-data-html"),
    pytest.param("[x](vbscript:msgbox(1))", id="md-link-vbscript"),
    pytest.param("[x](file:///etc/passwd)", id="md-link-file"),
    pytest.param("[x](ftp://example.com/x)", id="md-link-ftp"),
    pytest.param(f"[x][r]\n\n[r]: {JS}", id="md-reference-link-javascript"),
    pytest.param(f'[x][r]\n\n[r]: data:text/html;base64,{B64_HTML} "t"', id="md-reference-data"),
    pytest.param(f"![x]({JS})", id="md-image-javascript"),
    pytest.param("![x](data:image/png;base64,iVBORw0KGgo=)", id="md-image-data-png"),
    pytest.param("![x](data:image/svg+xml;base64,PHN2Zz4=)", id="md-image-data-svg"),
    pytest.param("![x](mailto:a@example.com)", id="md-image-mailto"),
    pytest.param(f"![x][r]\n\n[r]: {JS}", id="md-reference-image-javascript"),
    pytest.param(f"<{JS}>", id="autolink-javascript"),
    pytest.param("<JAVASCRIPT:alert(1)>", id="autolink-javascript-upper"),
    pytest.param(f"<data:text/html;base64,{B64_HTML}>", id="autolink-data"),
    pytest.param("<vbscript:msgbox(1)>", id="autolink-vbscript"),
    pytest.param(f"see {JS} now", id="bare-javascript-text"),
    # --- raw HTML links and embedding tags
    pytest.param(f'<a href="{JS}">x</a>', id="raw-a-javascript"),
    pytest.param("<a href=javascript:alert(1)>x</a>", id="raw-a-javascript-unquoted"),
    pytest.param('<a href="http://x" rel="opener">x</a>', id="raw-a-rel-opener"),
    pytest.param(f"<iframe src={JS}></iframe>", id="iframe"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>">', id="iframe-srcdoc"),
    pytest.param('<object data="http://evil.example/x.swf"></object>', id="object"),
    pytest.param('<embed src="http://evil.example/x.swf">', id="embed"),
    pytest.param(f'<form action="{JS}"><button>go</button></form>', id="form-button"),
    pytest.param(f'<button formaction="{JS}">x</button>', id="button-formaction"),
    pytest.param("<input type=image src=x onerror=alert(1)>", id="input-image"),
    pytest.param(
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', id="meta-refresh"
    ),
    pytest.param('<link rel="stylesheet" href="http://evil.example/x.css">', id="link-tag"),
    pytest.param('<base href="http://evil.example/">', id="base-tag"),
    # --- SVG / MathML
    pytest.param("<svg onload=alert(1)>", id="svg-onload"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="svg-script"),
    pytest.param(
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', id="svg-xlink"
    ),
    pytest.param(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        id="mathml-mutation-xss",
    ),
    pytest.param('<math href="javascript:alert(1)">x</math>', id="mathml-href"),
    # --- comments, CDATA, broken markup
    pytest.param("<!--<script>alert(1)</script>-->", id="comment-script"),
    pytest.param("<!--><img src=x onerror=alert(1)>-->", id="comment-breakout"),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", id="cdata"),
    pytest.param("<img src=x onerror=alert(1)//", id="unterminated-tag"),
    pytest.param('"><img src=x onerror=alert(1)>', id="quote-breakout-text"),
    # --- attribute breakouts in markdown
    pytest.param('[a](http://x "\\" onmouseover=alert(1)")', id="title-breakout-double"),
    pytest.param("[a](http://x 'a\\' onclick=alert(1)')", id="title-breakout-single"),
    pytest.param('[a](http://x (") onfocus=alert(1) autofocus x=("))', id="title-breakout-paren"),
    pytest.param('[x](http://x/"onmouseover="alert(1))', id="href-with-quotes"),
    pytest.param('[x](<http://x/" onmouseover="alert(1)>)', id="href-angle-with-quotes"),
    pytest.param('[x](http://x/"><script>alert(1)</script>)', id="href-tag-breakout"),
    pytest.param('https://example.com/"onmouseover="alert(1)', id="linkify-quote"),
    pytest.param("www.example.com/<script>alert(1)</script>", id="linkify-script"),
    pytest.param('![x" onerror="alert(1)](http://x/a.png)', id="img-alt-breakout"),
    pytest.param("[<img src=x onerror=alert(1)>](http://x)", id="html-in-link-text"),
    pytest.param("[x](mailto:a@example.com?body=<script>)", id="mailto-body-script"),
    # --- unicode direction tricks and NUL
    pytest.param("abc\u202etxt.exe", id="bidi-rlo-text"),
    pytest.param("[\u202eevil](http://x/\u202efdp.exe)", id="bidi-rlo-link"),
    pytest.param("&#x202E;txt.exe &#8238;x", id="bidi-rlo-entity"),
    pytest.param("a\u2066b\u2067c\u2068d\u2069e\u200ef\u200fg\u202ah\u202bi", id="bidi-isolates"),
    pytest.param("[x](java\x00script:alert(1))", id="nul-in-scheme"),
    pytest.param("a\x00<script>alert(1)</script>", id="nul-before-script"),
    # --- style attributes and CSS
    pytest.param('<p style="background:url(javascript:alert(1))">x</p>', id="style-url-js"),
    pytest.param('<div style="width: expression(alert(1))">x</div>', id="style-expression"),
    pytest.param("<span style=x:expression(alert(1))>x</span>", id="style-unquoted"),
    # --- tables
    pytest.param(
        "| a | b |\n|:-:|--:|\n| <img src=x onerror=alert(1)> | 2 |", id="table-img-onerror"
    ),
    pytest.param(f"| a |\n|---|\n| [x]({JS}) |", id="table-js-link"),
    pytest.param(
        "<table><td background=javascript:alert(1) style=x>x</td></table>", id="raw-table-attrs"
    ),
]

assert len(HOSTILE) >= 70


class _Inspector(HTMLParser):
    """Record every tag, attribute, text chunk and markup oddity of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.end_tags: list[str] = []
        self.text: list[str] = []
        self.oddities: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.end_tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.oddities.append(f"comment:{data}")

    def handle_decl(self, decl: str) -> None:
        self.oddities.append(f"decl:{decl}")

    def handle_pi(self, data: str) -> None:
        self.oddities.append(f"pi:{data}")

    def unknown_decl(self, data: str) -> None:
        self.oddities.append(f"unknown:{data}")


def _inspect(html: str) -> _Inspector:
    parser = _Inspector()
    parser.feed(html)
    parser.close()
    return parser


def _normalized_url(value: str) -> str:
    return URL_JUNK_RE.sub("", unescape(unescape(value))).lower()


def _assert_url_safe(tag: str, attr: str, value: str) -> None:
    url = _normalized_url(value)
    for bad in ("javascript:", "data:", "vbscript:", "file:"):
        assert not url.startswith(bad), (tag, attr, value)
    match = SCHEME_RE.match(url)
    if match is None:
        return  # relative, protocol-relative, or fragment
    allowed = {"http", "https", "mailto"} if attr == "href" else {"http", "https"}
    assert match.group(1) in allowed, (tag, attr, value)


def assert_safe(html: str) -> None:
    """Assert that ``html`` only uses the allowlist and carries no script vector."""
    for ch in BIDI_AND_NUL:
        assert ch not in html, f"control char {ch!r} in output"
        assert ch not in unescape(html), f"control char {ch!r} in unescaped output"
    parsed = _inspect(html)
    assert not parsed.oddities, parsed.oddities
    for tag in parsed.end_tags:
        assert tag in ALLOWED_TAGS, f"end tag {tag!r} not allowed"
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, f"tag {tag!r} not allowed"
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attributes on {tag}: {names}"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name!r} on {tag}"
            assert name != "style", f"style on {tag}"
            assert name in ALLOWED_ATTRS.get(tag, set()), f"attribute {name!r} on {tag!r}"
            if name in ("href", "src"):
                _assert_url_safe(tag, name, value or "")
            if tag == "a" and name == "class":
                assert value == "mention"
            if name == "align":
                assert value in ("left", "right", "center")
        if tag == "a":
            rel = dict(attrs).get("rel")
            assert rel == "nofollow ugc noopener", f"a without the right rel: {attrs}"


def _hostile_resolver(names: set[str]) -> dict[str, str]:
    return {name: "javascript:alert(1)" for name in names}


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_is_sanitized(source: str) -> None:
    result = render(source)
    assert isinstance(result, Rendered)
    assert_safe(result.html)


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_with_mentions_is_sanitized(source: str) -> None:
    result = render(f"@alice {source} @bob", mentions=_hostile_resolver)
    assert_safe(result.html)


def test_hostile_mention_url_dropped() -> None:
    result = render("hi @alice", mentions=_hostile_resolver)
    assert_safe(result.html)
    assert "javascript" not in result.html
    assert "@alice" in result.html


def test_raw_html_is_shown_as_text() -> None:
    html = render("<script>alert(1)</script>").html
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_javascript_link_not_a_link() -> None:
    html = render("[x](javascript:alert(1))").html
    assert "<a" not in html


def test_data_image_dropped() -> None:
    html = render("![pic](data:image/png;base64,iVBORw0KGgo=)").html
    assert "data:" not in html
    assert 'alt="pic"' in html


def test_bidi_and_nul_stripped() -> None:
    html = render("a\u202eb\x00c\u2066d\u200fe").html
    assert html == "<p>abcde</p>\n"


# --------------------------------------------------------------------------- positives


def test_returns_frozen_dataclass() -> None:
    result = render("hi")
    assert result == Rendered(html="<p>hi</p>\n", mentions=frozenset())
    with pytest.raises(AttributeError):
        result.html = "x"  # type: ignore[misc]


def test_empty_source() -> None:
    assert render("") == Rendered(html="", mentions=frozenset())


def test_headings_and_emphasis() -> None:
    html = render("# Title\n\n### Sub\n\n*em* **strong** ~~gone~~").html
    assert "<h1>Title</h1>" in html
    assert "<h3>Sub</h3>" in html
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<s>gone</s>" in html
    assert_safe(html)


def test_lists_blockquote_hr() -> None:
    html = render("- a\n- b\n\n1. one\n2. two\n\n> quoted\n\n---").html
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in html
    assert "<ol>\n<li>one</li>\n<li>two</li>\n</ol>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<hr>" in html
    assert_safe(html)


def test_code_block_content_is_escaped() -> None:
    html = render("```python\n<script>alert('x')</script>\n```").html
    assert "<pre><code>&lt;script&gt;alert('x')&lt;/script&gt;\n</code></pre>" in html
    assert "<script" not in html
    assert_safe(html)


def test_inline_code_is_escaped() -> None:
    html = render("use `<b>` here").html
    assert "<code>&lt;b&gt;</code>" in html


def test_table_alignment_becomes_align_attribute() -> None:
    html = render("| L | C | R | N |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |").html
    assert "<table>" in html and "<thead>" in html and "<tbody>" in html
    assert '<th align="left">L</th>' in html
    assert '<th align="center">C</th>' in html
    assert '<td align="right">3</td>' in html
    assert "<td>4</td>" in html
    assert "style" not in html
    assert_safe(html)


def test_links_get_rel() -> None:
    html = render('[site](https://example.com "Title")').html
    assert (
        '<a href="https://example.com" title="Title" rel="nofollow ugc noopener">site</a>' in html
    )


def test_bare_url_is_autolinked() -> None:
    html = render("visit https://example.com today").html
    assert (
        '<a href="https://example.com" rel="nofollow ugc noopener">https://example.com</a>' in html
    )
    assert_safe(html)


def test_angle_autolink_and_email() -> None:
    html = render("<https://example.com/a> and <me@example.com>").html
    assert 'href="https://example.com/a"' in html
    assert 'href="mailto:me@example.com"' in html
    assert_safe(html)


def test_image_rendered() -> None:
    html = render('![alt text](https://example.com/a.png "t")').html
    assert '<img src="https://example.com/a.png" alt="alt text" title="t">' in html


def test_hard_break() -> None:
    html = render("a  \nb").html
    assert "a<br>\nb" in html


# --------------------------------------------------------------------------- mentions


class FakeResolver:
    """Records calls and resolves names from a dict."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self.calls: list[set[str]] = []

    def __call__(self, names: set[str]) -> dict[str, str]:
        self.calls.append(set(names))
        return {n: self.users[n] for n in names if n in self.users}


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver({"alice": "/u/alice", "bob_smith": "/u/bob_smith", "x-y-z": "/u/x-y-z"})


def test_existing_mention_becomes_link(resolver: FakeResolver) -> None:
    result = render("hello @Alice!", mentions=resolver)
    assert result.html == (
        '<p>hello <a href="/u/alice" class="mention" rel="nofollow ugc noopener">@Alice</a>!</p>\n'
    )
    assert result.mentions == frozenset({"alice"})
    assert_safe(result.html)


def test_missing_mention_stays_text(resolver: FakeResolver) -> None:
    result = render("hello @nobody", mentions=resolver)
    assert result.html == "<p>hello @nobody</p>\n"
    assert result.mentions == frozenset()


def test_email_is_not_a_mention(resolver: FakeResolver) -> None:
    result = render("mail alice@alice.com or a@alice", mentions=resolver)
    assert 'class="mention"' not in result.html
    assert result.mentions == frozenset()
    assert resolver.calls == []


def test_mentions_in_code_and_links_untouched(resolver: FakeResolver) -> None:
    source = "`@alice`\n\n    @alice in block\n\n```\n@alice\n```\n\n[@alice](https://x.example)"
    result = render(source, mentions=resolver)
    assert 'class="mention"' not in result.html
    assert "<code>@alice</code>" in result.html
    assert result.mentions == frozenset()
    assert resolver.calls == []


def test_escaped_at_is_not_a_mention(resolver: FakeResolver) -> None:
    result = render("\\@alice &#64;alice", mentions=resolver)
    assert result.html == "<p>@alice @alice</p>\n"
    assert result.mentions == frozenset()


def test_resolver_called_once_with_all_candidates(resolver: FakeResolver) -> None:
    source = "@alice and @BOB_smith\n\n- @carol\n- *@alice* @x-y-z\n\n> @dave-1 @ab @" + "a" * 31
    result = render(source, mentions=resolver)
    assert resolver.calls == [{"alice", "bob_smith", "carol", "x-y-z", "dave-1"}]
    assert result.mentions == frozenset({"alice", "bob_smith", "x-y-z"})
    assert '<em><a href="/u/alice" class="mention" rel="nofollow ugc noopener">@alice</a></em>' in (
        result.html
    )
    assert ">@BOB_smith</a>" in result.html
    assert "@carol" in result.html and 'href="/u/carol"' not in result.html
    assert_safe(result.html)


def test_resolver_not_called_without_candidates(resolver: FakeResolver) -> None:
    render("no mentions here", mentions=resolver)
    assert resolver.calls == []


def test_no_resolver_leaves_mentions_as_text() -> None:
    result = render("hi @alice")
    assert result.html == "<p>hi @alice</p>\n"
    assert result.mentions == frozenset()


def test_mention_punctuation_and_underscores(resolver: FakeResolver) -> None:
    result = render("(@alice), @bob_smith's, @alice_", mentions=resolver)
    assert result.html.count('class="mention"') == 2
    assert ">@bob_smith</a>'s" in result.html
    assert "@alice_" in result.html


def test_mention_html_in_resolver_url_is_escaped() -> None:
    result = render("@alice", mentions=lambda names: {"alice": '/u/a"><script>x</script>'})
    assert "<script" not in result.html
    assert_safe(result.html)


# --------------------------------------------------------------------------- plain_text


def test_plain_text_strips_tags_and_unescapes() -> None:
    html = render("# Title\n\nSome *text* &amp; `<code>`\n\n- one\n- two").html
    assert plain_text(html) == "Title Some text & <code> one two"


def test_plain_text_collapses_whitespace() -> None:
    assert plain_text("<p>a\n\n   b</p><p>c</p>") == "a b c"


def test_plain_text_no_truncation_when_short() -> None:
    assert plain_text("<p>short</p>", limit=10) == "short"
    assert plain_text("<p>exactly10!</p>", limit=10) == "exactly10!"


def test_plain_text_truncates_with_ellipsis() -> None:
    text = plain_text("<p>The quick brown fox jumps over the lazy dog</p>", limit=20)
    assert text.endswith("…")
    assert len(text) <= 20
    assert text == "The quick brown fox…"


def test_plain_text_truncates_long_word() -> None:
    text = plain_text("<p>" + "x" * 50 + "</p>", limit=10)
    assert text == "x" * 9 + "…"


def test_plain_text_edge_limits() -> None:
    assert plain_text("<p>abc</p>", limit=0) == ""
    assert plain_text("<p>abc</p>", limit=1) == "…"
    assert plain_text("") == ""

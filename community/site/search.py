"""/search: one search box over everything members write, for the page and the API.

``core.search`` finds the entries the viewer's scopes allow; ``core.subjects`` then says,
per kind and in one query each, which of them the viewer may really see, where each
leads and what it is called. A hit it does not vouch for is dropped (defence in depth:
an index entry that lags behind its subject never shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.core import search, subjects
from community.core.errors import InvalidInput
from community.core.page_cache import cached_page
from community.site import bp

# What a hit of each kind is called on the results page.
KIND_LABELS = {
    "forum_topic": _l("Topic"),
    "forum_post": _l("Reply"),
    "idea": _l("Idea"),
}
# Kinds whose hits are named after what they answer ("Re: <topic title>").
REPLY_KINDS = frozenset({"forum_post"})
QUERY_MAX = 200


@dataclass(frozen=True)
class Found:
    """One result the viewer may open."""

    kind: str
    id: int
    url: str
    title: str
    title_html: Any  # escaped, with the matched words in <mark>
    snippet_html: Any

    @property
    def kind_label(self) -> str:
        label = KIND_LABELS.get(self.kind)
        return str(label) if label is not None else ""


@dataclass(frozen=True)
class SearchPage:
    query: str
    items: list[Found]
    page: int
    next_page: int | None
    previous_page: int | None


def parse_page(value: str | None) -> int:
    """A results page number from the URL: a whole number from 1 (InvalidInput else)."""
    if value is None or value == "":
        return 1
    if not value.isdigit() or not 1 <= int(value) <= search.MAX_PAGES:
        raise InvalidInput(
            _("Choose a page from 1 to %(n)d.", n=search.MAX_PAGES),
            field="page",
        )
    return int(value)


def find(viewer: Any, query: str | None, page: int = 1) -> SearchPage:
    """The results of ``query`` that ``viewer`` may open, best first, with links and names."""
    query = (query or "").strip()[:QUERY_MAX]
    results = search.search(query, search.viewer_scopes(viewer), page=page)
    resolved = subjects.resolve(
        viewer,
        [(hit.kind, hit.subject_id) for hit in results.hits],
        with_links=True,
        with_labels=True,
    )
    items = []
    for hit in results.hits:
        url = resolved.url(hit.kind, hit.subject_id)
        if not resolved.is_visible(hit.kind, hit.subject_id) or url is None:
            continue
        name = resolved.label(hit.kind, hit.subject_id) or hit.title
        title = _("Re: %(title)s", title=name) if hit.kind in REPLY_KINDS else name
        items.append(
            Found(
                kind=hit.kind,
                id=hit.subject_id,
                url=url,
                title=title,
                title_html=search.highlight(title, results.terms),
                snippet_html=hit.snippet_html,
            )
        )
    return SearchPage(
        query=query,
        items=items,
        page=results.page,
        next_page=results.page + 1 if results.has_next else None,
        previous_page=results.page - 1 if results.page > 1 else None,
    )


@bp.route("/search", endpoint="search")
@cached_page
def search_page():
    page = parse_page(request.args.get("page"))
    found = find(current_user, request.args.get("q"), page)
    return render_template("site/search.html", results=found)

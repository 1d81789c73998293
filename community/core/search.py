"""Full-text search over everything members write; knows no feature.

Features keep one row per searchable thing in ``search_entry`` (``index``), mark it
hidden or move it to a restricted audience (``set_hidden``, ``set_scope``) in the same
transaction that changes the thing itself, and register which restricted audiences a
viewer belongs to (``register_scopes``). ``search`` then answers with the rows a viewer
may see, best first.

The engine is the database's own:

- SQLite: an FTS5 table over ``search_entry`` (external content, kept in step by
  triggers), ranked by ``bm25`` with the title weighted 10:1 over the body;
- PostgreSQL: a generated ``tsvector`` column (title weight A, body B) with a GIN index,
  ranked by ``ts_rank_cd``.

Both tokenise the same way for plain words (lower-cased, no stemming, accents kept:
FTS5's ``unicode61 remove_diacritics 0`` and PostgreSQL's ``simple`` configuration), so a
simple query finds the same rows on both. Every word of the query must occur; the last
one may be the start of a word, so results follow as one types. Snippets and title
highlights are cut in Python from the stored text by ``core.content`` (escaped, then
marked up).

Ranking is bounded (issue 6: a search must not cost more as the community grows). Only the
newest ``CANDIDATES`` visible matches of a query are ranked: 500, the pages a reader can
reach (``MAX_PAGES`` of ``PER_PAGE``, 25 of 20). One query takes them newest first and
ranks just them. Newest means the highest entry ids; a search in one kind on PostgreSQL
takes that kind's highest subject ids (the order of its (kind, subject_id) index), which
is the same for subjects indexed as they are created. The trade-off: when more than
``CANDIDATES`` newer visible entries match, an older one is not found even where it would
rank higher, so a common word finds the recent discussion, best first within it; each
added word narrows the matches and reaches further back. Hidden entries, other audiences'
scopes, other kinds and ``exclude`` are filtered out while the newest are taken, so they
never use up places: a page shows every visible result the bound lets in, and the pages
(``has_next``) divide one fixed set. The bound is the cost: on PostgreSQL the newest of a
word in 5 % of the entries are found past about ``CANDIDATES`` / 5 % rows, so 1,000
candidates (50 pages) cost twice as much as 500.

What still grows with the number of matches, measured at a million entries: SQLite's
``bm25`` counts once per query the rows each word occurs in (a pass over the word's
doclist, about 30 ns a row), and FTS5 first merges a prefix (the last word) from every word
it starts: a word in most entries ("the") costs about 20 ms, as a prefix over 100 ms;
"battery" (5 %) under 10 ms. PostgreSQL walks the primary key backwards past entries
that do not match (cost about ``CANDIDATES`` divided by the share that match) or, for rare
words, reads every match through the GIN index (cost about the number of matches); the
planner picks, and a query matching about 1 % of a million entries costs some 20-50 ms
either way (more than ranking all its matches did).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    DDL,
    Boolean,
    Select,
    String,
    UniqueConstraint,
    column,
    event,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from community.core.content import highlight, snippet
from community.core.db import BigId, dialect_insert, intpk, timestamp, utcnow
from community.extensions import db

# A query is at most this many words; longer ones are cut.
MAX_TERMS = 8
PER_PAGE = 20
MAX_PAGES = 25
TITLE_WEIGHT = 10.0
# Only the newest this many visible matches of a query are ranked (the module docstring
# says why and what it costs): every page a reader can reach lies within them.
CANDIDATES = MAX_PAGES * PER_PAGE
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


class SearchEntry(db.Model):
    __tablename__ = "search_entry"
    __table_args__ = (UniqueConstraint("kind", "subject_id"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigId)
    # None: everyone may find it; else only viewers whose scopes include it.
    scope: Mapped[str | None] = mapped_column(String(64))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(default="")
    body: Mapped[str] = mapped_column(default="")
    created_at: Mapped[timestamp]


# What the database adds beside the table. The migration runs the same statements, and
# migrations/env.py leaves these objects out of `flask db check`.
FTS_TABLE = "search_entry_fts"
SQLITE_DDL = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(title, body, content='search_entry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE OF title, body ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_entry_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
POSTGRESQL_DDL = [
    "ALTER TABLE search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, "
    "regexp_replace(coalesce(title, ''), '[^[:alnum:]]+', ' ', 'g')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, "
    "regexp_replace(coalesce(body, ''), '[^[:alnum:]]+', ' ', 'g')), 'B')) STORED",
    "CREATE INDEX ix_search_entry_tsv ON search_entry USING gin (tsv)",
]
for _statement in SQLITE_DDL:
    event.listen(
        SearchEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite")
    )
for _statement in POSTGRESQL_DDL:
    event.listen(
        SearchEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )

# Names `flask db check` must not compare with the models (made by the DDL above).
NOT_MODELLED_TABLE_PREFIX = FTS_TABLE
NOT_MODELLED_COLUMNS = {("search_entry", "tsv")}
NOT_MODELLED_INDEXES = {"ix_search_entry_tsv"}


# ---------------------------------------------------------------- who may find what

_scope_providers: list[Callable[[Any], set[str]]] = []


def register_scopes(provider: Callable[[Any], set[str]]) -> None:
    """Add ``provider(viewer) -> scopes``: the restricted audiences the viewer belongs to."""
    if provider not in _scope_providers:
        _scope_providers.append(provider)


def viewer_scopes(viewer: Any) -> set[str]:
    """Every restricted scope the viewer may search in."""
    scopes: set[str] = set()
    for provider in _scope_providers:
        scopes |= provider(viewer)
    return scopes


# ---------------------------------------------------------------- keeping the index


def index(
    kind: str,
    subject_id: int,
    title: str,
    body: str,
    scope: str | None = None,
    hidden: bool = False,
) -> None:
    """Add or replace the searchable text of one thing (plain text, not HTML)."""
    db.session.execute(index_statement(kind, subject_id, title, body, scope, hidden))


def index_statement(
    kind: str,
    subject_id: int,
    title: str,
    body: str,
    scope: str | None = None,
    hidden: bool = False,
) -> Any:
    """``index``'s statement, to run with other writes (``core.db.write_together``: as a
    CTE it gets no Python-side defaults, so every column is given)."""
    stmt = dialect_insert(SearchEntry.__table__).values(
        kind=kind,
        subject_id=subject_id,
        title=title,
        body=body,
        scope=scope,
        is_hidden=hidden,
        created_at=utcnow(),
    )
    return stmt.on_conflict_do_update(
        index_elements=["kind", "subject_id"],
        set_={"title": title, "body": body, "scope": scope, "is_hidden": hidden},
    )


def _where(kind: str, subject_ids: Iterable[int] | Select[Any]):
    ids = subject_ids if isinstance(subject_ids, Select) else list(subject_ids)
    return (SearchEntry.kind == kind, SearchEntry.subject_id.in_(ids))


def set_hidden(kind: str, subject_ids: Iterable[int] | Select[Any], hidden: bool) -> None:
    """Hide (or show again) entries; ``subject_ids`` may be a SELECT of ids."""
    db.session.execute(
        update(SearchEntry).where(*_where(kind, subject_ids)).values(is_hidden=hidden),
        execution_options={"synchronize_session": False},
    )


def set_scope(kind: str, subject_ids: Iterable[int] | Select[Any], scope: str | None) -> None:
    """Move entries to another audience (None: everyone)."""
    db.session.execute(
        update(SearchEntry).where(*_where(kind, subject_ids)).values(scope=scope),
        execution_options={"synchronize_session": False},
    )


def remove(kind: str, subject_ids: Iterable[int] | Select[Any]) -> None:
    """Forget entries altogether."""
    db.session.execute(
        SearchEntry.__table__.delete().where(*_where(kind, subject_ids)),
        execution_options={"synchronize_session": False},
    )


# ---------------------------------------------------------------- asking


def parse_terms(query: str | None) -> list[str]:
    """The words of a query, lower-cased, at most ``MAX_TERMS``."""
    return [w.lower() for w in _WORD_RE.findall(query or "")][:MAX_TERMS]


@dataclass(frozen=True)
class Hit:
    kind: str
    subject_id: int
    title: str
    body: str
    terms: tuple[str, ...]

    @property
    def title_html(self) -> str:
        """The title, escaped, with the matched words marked."""
        return highlight(self.title, self.terms)

    @property
    def snippet_html(self) -> str:
        """Words of the body around the first match, escaped, matches marked."""
        return snippet(self.body, self.terms)


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    terms: tuple[str, ...]
    page: int
    has_next: bool


def _fts_expression(terms: list[str], any_term: bool) -> str:
    quoted = [f'"{t}"' for t in terms]
    quoted[-1] += "*"
    return (" OR " if any_term else " ").join(quoted)


def _tsquery_expression(terms: list[str], any_term: bool) -> str:
    parts = list(terms)
    parts[-1] += ":*"
    return (" | " if any_term else " & ").join(parts)


def _visible(
    stmt: Select[Any],
    entry: Any,
    scopes: set[str],
    kinds: list[str] | None,
    exclude: list[tuple[str, int]],
) -> Select[Any]:
    """``stmt`` narrowed to the entries of ``entry`` (the table or an alias) a viewer with
    ``scopes`` may find, of ``kinds``, without ``exclude``."""
    stmt = stmt.where(
        entry.c.is_hidden == false(),
        or_(entry.c.scope.is_(None), entry.c.scope.in_(sorted(scopes))),
    )
    if kinds is not None:
        stmt = stmt.where(entry.c.kind == kinds[0] if len(kinds) == 1 else entry.c.kind.in_(kinds))
    for kind, subject_id in exclude:
        stmt = stmt.where(~((entry.c.kind == kind) & (entry.c.subject_id == subject_id)))
    return stmt


def search(
    query: str | None,
    scopes: set[str],
    kinds: Iterable[str] | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    any_term: bool = False,
    exclude: Iterable[tuple[str, int]] = (),
) -> Results:
    """Visible entries matching every word (or, with ``any_term``, any word) of ``query``,
    best first among the newest ``CANDIDATES`` of them; public ones and those in
    ``scopes``, never hidden ones. One SQL query."""
    terms = parse_terms(query)
    page = min(max(page, 1), MAX_PAGES)
    if not terms:
        return Results([], (), page, False)
    kinds = None if kinds is None else list(kinds)
    entry = SearchEntry.__table__
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        tsquery = func.to_tsquery(
            literal_column("'simple'::regconfig"), _tsquery_expression(terms, any_term)
        )
        tsv = literal_column("search_entry.tsv")
        source, match, carried = entry, tsv.op("@@")(tsquery), tsv.label("tsv")
        # The primary key walked backwards (common words) or a bitmap of the GIN index
        # sorted (rare ones): the planner picks. One kind is walked on its own
        # (kind, subject_id) index instead, past none of the other kinds' entries.
        one_kind = kinds is not None and len(kinds) == 1
        newest_first = entry.c.subject_id.desc() if one_kind else entry.c.id.desc()
    else:
        # bm25() works only in the query that matches, so it is computed there, for the
        # rows FTS5 yields walking its doclists newest first until the limit.
        fts = table(FTS_TABLE, column("rowid"))
        source = fts.join(entry, entry.c.id == fts.c.rowid)
        match = literal_column(FTS_TABLE).op("MATCH")(_fts_expression(terms, any_term))
        carried = func.bm25(literal_column(FTS_TABLE), TITLE_WEIGHT, 1.0).label("rank")
        newest_first = fts.c.rowid.desc()
    newest = (
        _visible(
            select(entry.c.id, entry.c.kind, entry.c.subject_id, entry.c.title, entry.c.body)
            .add_columns(carried)
            .select_from(source)
            .where(match),
            entry,
            scopes,
            kinds,
            list(exclude),
        )
        .order_by(newest_first)
        .limit(CANDIDATES)
        .subquery("newest")
    )
    # PostgreSQL ranks out here: in the subquery a bitmap plan would rank every match.
    best_first = func.ts_rank_cd(newest.c.tsv, tsquery).desc() if postgres else newest.c.rank.asc()
    stmt = select(newest.c.kind, newest.c.subject_id, newest.c.title, newest.c.body).order_by(
        best_first, newest.c.id.desc()
    )
    rows = db.session.execute(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all()
    hits = [Hit(r.kind, r.subject_id, r.title, r.body, tuple(terms)) for r in rows[:per_page]]
    return Results(hits, tuple(terms), page, len(rows) > per_page)

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
from community.core.db import BigId, intpk, timestamp
from community.extensions import db

# A query is at most this many words; longer ones are cut.
MAX_TERMS = 8
PER_PAGE = 20
MAX_PAGES = 50
TITLE_WEIGHT = 10.0
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


def _insert_for_dialect():
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def index(
    kind: str,
    subject_id: int,
    title: str,
    body: str,
    scope: str | None = None,
    hidden: bool = False,
) -> None:
    """Add or replace the searchable text of one thing (plain text, not HTML)."""
    insert = _insert_for_dialect()
    stmt = insert(SearchEntry.__table__).values(
        kind=kind, subject_id=subject_id, title=title, body=body, scope=scope, is_hidden=hidden
    )
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["kind", "subject_id"],
            set_={"title": title, "body": body, "scope": scope, "is_hidden": hidden},
        )
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
    best first; public ones and those in ``scopes``, never hidden ones."""
    terms = parse_terms(query)
    page = min(max(page, 1), MAX_PAGES)
    if not terms:
        return Results([], (), page, False)
    entry = SearchEntry.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        tsquery = func.to_tsquery(
            literal_column("'simple'::regconfig"), _tsquery_expression(terms, any_term)
        )
        tsv = literal_column("search_entry.tsv")
        rank = func.ts_rank_cd(tsv, tsquery)
        stmt = select(entry.c.kind, entry.c.subject_id, entry.c.title, entry.c.body).where(
            tsv.op("@@")(tsquery)
        )
        order = (rank.desc(), entry.c.id.desc())
    else:
        fts = table(FTS_TABLE, column("rowid"))
        rank = func.bm25(literal_column(FTS_TABLE), TITLE_WEIGHT, 1.0)
        stmt = (
            select(entry.c.kind, entry.c.subject_id, entry.c.title, entry.c.body)
            .select_from(fts.join(entry, entry.c.id == fts.c.rowid))
            .where(literal_column(FTS_TABLE).op("MATCH")(_fts_expression(terms, any_term)))
        )
        order = (rank.asc(), entry.c.id.desc())
    stmt = stmt.where(
        entry.c.is_hidden == false(),
        or_(entry.c.scope.is_(None), entry.c.scope.in_(sorted(scopes))),
    )
    if kinds is not None:
        stmt = stmt.where(entry.c.kind.in_(list(kinds)))
    for kind, subject_id in exclude:
        stmt = stmt.where(~((entry.c.kind == kind) & (entry.c.subject_id == subject_id)))
    rows = db.session.execute(
        stmt.order_by(*order).limit(per_page + 1).offset((page - 1) * per_page)
    ).all()
    hits = [Hit(r.kind, r.subject_id, r.title, r.body, tuple(terms)) for r in rows[:per_page]]
    return Results(hits, tuple(terms), page, len(rows) > per_page)

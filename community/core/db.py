"""Declarative base, shared column types and time helpers; knows no feature."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    literal,
    select,
)
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry
from sqlalchemy.orm.util import identity_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC without a zone (portable to SQLite) and always returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use utcnow() or an aware value")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


# The largest id a BIGINT holds: a bigger number names no row (and must not reach the
# database, which would refuse it with an error instead of finding nothing).
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """A positive id from user input (a number or its text, "#12" too), or None."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip().lstrip("#"))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


# Integer on SQLite (so it is the rowid alias), BIGINT on PostgreSQL.
BigId = BigInteger().with_variant(Integer(), "sqlite")

intpk = Annotated[int, mapped_column(BigId, primary_key=True)]
str30 = Annotated[str, 30]
str64 = Annotated[str, 64]
str200 = Annotated[str, 200]
str255 = Annotated[str, 255]
timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]


def dialect_insert(table: Any) -> Any:
    """The database's own INSERT (with ON CONFLICT) for ``table`` (a model's table)."""
    if dialect_name() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def insert_ignore(model: type, **values: object) -> None:
    """INSERT a row unless one with the same key exists (both SQLite and PostgreSQL)."""
    from community.extensions import db

    table = model.__table__  # type: ignore[attr-defined]
    db.session.execute(dialect_insert(table).values(**values).on_conflict_do_nothing())


def counter_move(model: type, column: str, delta: Any, when: Any = None, **key: object) -> Any:
    """The statement ``column += delta`` on the row with primary key ``key``, creating it
    (at ``delta``) when missing: INSERT ... ON CONFLICT DO UPDATE, both databases. The
    other columns of a new row take their defaults. Run it with ``write_together``.

    ``when``: an SQL condition without which nothing is written; with it, ``delta`` may
    be a column of what the same statement computes (a CTE's, say the daily cap's grant:
    see ``reputation.services.ledger``)."""
    table = model.__table__  # type: ignore[attr-defined]
    insert = dialect_insert(table)
    if when is None:
        # ``+ delta`` rather than ``+ excluded.column``: building ``excluded`` (an alias
        # of the whole table) costs more Python time than the statement takes to run.
        insert = insert.values(**key, **{column: delta})
        moved = table.c[column] + delta
    else:  # built once (``prepared``)
        row = [as_sql(value).label(name) for name, value in {**key, column: delta}.items()]
        insert = insert.from_select([*key, column], select(*row).where(when))
        moved = table.c[column] + insert.excluded[column]
    return insert.on_conflict_do_update(
        index_elements=table.primary_key.columns, set_={column: moved}
    )


def as_sql(value: Any) -> Any:
    """An SQL expression as it is; a Python value as a bound literal."""
    return value if isinstance(value, ColumnElement) else literal(value)


def add_to_counter(model: type, column: str, delta: int, **key: object) -> None:
    """``column += delta`` on one row (see ``counter_move``): one atomic statement."""
    write_together(counter_move(model, column, delta, **key))


def expire_loaded(model: type, key: Any, attributes: list[str] | None = None) -> None:
    """The session's loaded ``model`` row of primary key ``key``, if any, reads
    ``attributes`` (all when None) again when next used: a statement just moved them in
    the database, outside the session's view."""
    from community.extensions import db

    loaded = db.session.identity_map.get(identity_key(model, key))
    if loaded is not None:
        db.session.expire(loaded, attributes)


def dialect_name() -> str:
    """The name of the database's dialect: ``postgresql`` or ``sqlite``."""
    from community.extensions import db

    return db.session.get_bind().dialect.name


def together(*statements: Any) -> tuple[Any, ...]:
    """Independent INSERT/UPDATE/DELETE statements as what runs them in one round trip
    where the database allows it (for ``run_together``; ``None`` is skipped).

    PostgreSQL gets one statement (the others as data-modifying CTEs of the last);
    SQLite gets them as they are (in-process, there is no round trip to save). So the
    statements must be independent: none may read what another writes, and no two may
    touch the same row (one PostgreSQL statement sees one snapshot). Stored counters
    moved by one change are the typical case. A statement run as a CTE gets no
    Python-side column defaults: an INSERT gives every column.
    """
    present = [s for s in statements if s is not None]
    if len(present) > 1 and dialect_name() == "postgresql":
        *first, last = present
        return (last.add_cte(*(stmt.cte(f"write_{i}") for i, stmt in enumerate(first))),)
    return tuple(present)


def run_together(statements: tuple[Any, ...], params: dict[str, Any] | None = None) -> Any:
    """Run what ``together`` made, with ``params`` for its bound parameters; returns the
    result of the last statement (its RETURNING rows), or None when there is none."""
    from community.extensions import db

    result = None
    for stmt in statements:
        result = db.session.execute(stmt, params) if params else db.session.execute(stmt)
    return result


def write_together(*statements: Any) -> Any:
    """``together`` and ``run_together`` in one: for statements built with their values.
    A hot path builds its statements once instead (``prepared``)."""
    return run_together(together(*statements))


def prepared(build: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the statements ``build(*shape)`` makes from ``bindparam``s are built
    once per database dialect and shape and then reused with each call's parameters.

    For the hot write paths: building a statement, and SQLAlchemy working out its cache
    key, cost more Python time than the database takes to run it; a reused statement
    object keeps its cache key. Name the parameters apart from the tables' columns: an
    INSERT or UPDATE takes a parameter named like one of its columns as a value for it.
    """
    built: dict[tuple[Any, ...], Any] = {}

    @functools.wraps(build)
    def get(*shape: Any) -> Any:
        key = (dialect_name(), *shape)
        statement = built.get(key)
        if statement is None:
            statement = built[key] = build(*shape)
        return statement

    return get


class Base(DeclarativeBase):
    # One explicit registry: Flask-SQLAlchemy subclasses this base, and SQLAlchemy 2.1
    # only carries a type map through subclasses when it lives on the registry.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            dt.datetime: UTCDateTime(),
            str30: String(30),
            str64: String(64),
            str200: String(200),
            str255: String(255),
            str: Text(),
        },
    )

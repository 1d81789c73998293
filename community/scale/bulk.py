"""Bulk writing on the session's own connection, so it joins the session's transaction
(the CLI's, or a test's): ``COPY ... FROM STDIN`` on PostgreSQL, ``executemany`` on
SQLite.

Rows are tuples of stored values (timestamps as ``Timeline.stamp`` strings, JSON as
text). Columns a caller does not give are filled from the model's scalar defaults, so a
new column with a default needs no change here; a new required column without one
stops the build with its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.orm import Session


def table_of(model_or_table: Any) -> Table:
    return model_or_table if isinstance(model_or_table, Table) else model_or_table.__table__


def _defaults(table: Table, given: Sequence[str]) -> tuple[list[str], tuple]:
    """Columns to add with their constant default; refuse a required column we lack."""
    names, values = [], []
    for column in table.columns:
        if column.name in given or column.computed is not None:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            value = default.arg
            names.append(column.name)
            values.append(value.value if hasattr(value, "value") else value)
        elif not (column.nullable or column.server_default is not None):
            raise RuntimeError(
                f"seed-scale does not fill the required column {table.name}.{column.name}; "
                "add it to community/scale"
            )
    return names, tuple(values)


class Bulk:
    """Inserts, updates and plain SQL on the session's connection."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.is_postgres = self.connection.dialect.name == "postgresql"
        self.raw = self.connection.connection.dbapi_connection
        self._quote = self.connection.dialect.identifier_preparer.quote

    # ------------------------------------------------------------ plain SQL

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        """Run one statement (``%s`` placeholders on both databases); returns its rows."""
        cursor = self.raw.cursor()
        try:
            if not self.is_postgres:
                sql = sql.replace("%s", "?")
            cursor.execute(sql, tuple(params or ()))
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            cursor.close()

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    # ------------------------------------------------------------ inserts

    def insert(self, model: Any, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Insert ``rows`` (tuples in the order of ``columns``); returns how many."""
        table = table_of(model)
        extra_names, extra = _defaults(table, columns)
        all_columns = [*columns, *extra_names]
        if extra:
            rows = (row + extra for row in rows)
        column_list = ", ".join(self._quote(n) for n in all_columns)
        target = f"{self._quote(table.name)} ({column_list})"
        cursor = self.raw.cursor()
        count = 0
        try:
            if self.is_postgres:
                with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                counted = _Counted(rows)
                marks = ", ".join("?" for _ in all_columns)
                sql = f"INSERT INTO {target} VALUES ({marks})"  # noqa: S608 - model names
                cursor.executemany(sql, counted)
                count = counted.count
        finally:
            cursor.close()
        return count

    def update(self, model: Any, key: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """Set ``columns`` of the rows whose ``key`` is the first value of each tuple."""
        if not rows:
            return
        table = table_of(model)
        name = self._quote(table.name)
        if not self.is_postgres:
            sets = ", ".join(f"{self._quote(c)} = ?" for c in columns)
            cursor = self.raw.cursor()
            try:
                reordered = (row[1:] + row[:1] for row in rows)
                sql = f"UPDATE {name} SET {sets} WHERE {key} = ?"  # noqa: S608 - model names
                cursor.executemany(sql, reordered)
            finally:
                cursor.close()
            return
        dialect = self.connection.dialect
        scratch = self._quote(f"scale_{table.name}")
        typed = ", ".join(
            f"{self._quote(c)} {table.c[c].type.compile(dialect=dialect)}" for c in [key, *columns]
        )
        self.execute(f"CREATE TEMPORARY TABLE {scratch} ({typed}) ON COMMIT DROP")
        self.insert(_scratch_table(table, scratch, [key, *columns]), [key, *columns], rows)
        sets = ", ".join(f"{self._quote(c)} = s.{self._quote(c)}" for c in columns)
        match = f"{name}.{key} = s.{key}"
        self.execute(f"UPDATE {name} SET {sets} FROM {scratch} s WHERE {match}")  # noqa: S608
        self.execute(f"DROP TABLE {scratch}")

    # ------------------------------------------------------------ indexes, sequences

    def secondary_indexes(self, tables: Iterable[str]) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the plain indexes of ``tables``: not those behind a
        primary key or unique constraint."""
        tables = sorted(tables)
        if self.is_postgres:
            rows = self.execute(
                "SELECT ci.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class ct ON ct.oid = i.indrelid JOIN pg_class ci ON ci.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = ct.relnamespace "
                "WHERE n.nspname = current_schema() AND ct.relname = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                "ORDER BY ct.relname, ci.relname",
                [tables],
            )
        else:
            marks = ", ".join("?" for _ in tables)
            cursor = self.raw.cursor()
            try:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                    f"AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
                    tables,
                )
                rows = cursor.fetchall()
            finally:
                cursor.close()
        return [(name, sql) for name, sql in rows]

    def drop_indexes(self, indexes: Iterable[tuple[str, str]]) -> None:
        for name, _sql in indexes:
            self.execute(f"DROP INDEX {self._quote(name)}")

    def create_indexes(self, indexes: Iterable[tuple[str, str]]) -> None:
        for _name, sql in indexes:
            self.execute(sql)

    def drop_triggers(self, names: Iterable[str]) -> list[str]:
        """SQLite: drop these triggers; returns their CREATE statements."""
        if self.is_postgres:
            return []
        saved = []
        for name in names:
            sql = self.scalar(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [name]
            )
            if sql:
                self.execute(f"DROP TRIGGER {self._quote(name)}")
                saved.append(sql)
        return saved

    def create_triggers(self, statements: Iterable[str]) -> None:
        for sql in statements:
            self.execute(sql)

    def reset_sequences(self, tables: Iterable[str]) -> None:
        """PostgreSQL: let each ``id`` sequence continue after the ids written here."""
        if not self.is_postgres:
            return
        for name in sorted(tables):
            sequence = self.scalar(
                "SELECT pg_get_serial_sequence(%s, 'id') FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "AND column_name = 'id'",
                [name, name],
            )
            if sequence:
                self.execute(
                    f"SELECT setval(%s, coalesce(max(id), 1), max(id) IS NOT NULL) "  # noqa: S608
                    f"FROM {self._quote(name)}",
                    [sequence],
                )


class _Counted:
    """An iterator that counts what executemany took from it."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        self._rows = iter(rows)
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> tuple:
        row = next(self._rows)
        self.count += 1
        return row


def _scratch_table(table: Table, name: str, columns: list[str]) -> Table:
    """A table object for the temporary table ``update`` fills."""
    scratch = Table(name.strip('"'), MetaData())
    for column in columns:
        scratch.append_column(Column(column, table.c[column].type))
    return scratch


def names(text: str) -> list[str]:
    """Column names written as one string: ``names("id user_id created_at")``."""
    return text.split()

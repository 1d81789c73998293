"""Stored counters against the rows they count: the drift report and fix that every
feature's ``flask <feature> recount [--fix]`` is made of.

A feature says what its counters mean, in its own ``services/recount.py``; this module
knows no feature and no model, only how to compare and repair. A counter is described
by a ``Check``: one table, the stored columns to check, and a subquery ``computed``
with the right value of each of them for every row. That subquery has a column ``id``
(matched with the table's key column, ``id`` unless ``key`` names another, e.g.
``user_id``), a column ``label`` (how a line names the row: its id, a slug, a username)
and one column per checked column, of the same name. Most counters are a number of rows
per key, 0 where there is none: ``count_by`` counts them, ``count_check`` builds the
whole check from such counts.

``run`` does the rest in a handful of set-based statements, so a check costs the same
few statements on a million rows:

- it joins the table with ``computed`` and keeps the rows where any checked column
  ``IS DISTINCT FROM`` its computed value (a NULL against a value is a drift too);
- it lists the first ``MAX_EXAMPLES`` drifted rows in key order, one line per wrong
  column, ``"<noun> <label> <column>: stored <value>, counted <value>"`` (``show``
  writes the values: ``nothing`` for NULL, times to the second), then one summary line
  ``"... and <n> more <noun>s with drift"`` for the rest;
- with ``fix`` it sets the computed values with one ``UPDATE ... FROM`` the drift
  subquery, a form SQLite (3.33 and later) and PostgreSQL both run, in the caller's
  transaction: nothing here commits.

A check that this form cannot express (rows missing altogether, a value computed in
Python) is a function of ``fix`` returning its lines, written with the same parts:
``count_rows``, ``drift_line``, ``more`` and ``write``. ``run_all`` runs a feature's
checks in order (so a later check reads what an earlier fix wrote) and, after a fix,
expires the session's objects, which may hold the old values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Executable, Select, Subquery, func, or_, select, update

from community.extensions import db

# Drifts listed one by one per check; beyond that a summary line says how many more.
MAX_EXAMPLES = 20


@dataclass(frozen=True)
class Check:
    """Stored columns of one table against values computed for every row."""

    noun: str  # how a line names a row's kind: "topic", "idea", ...
    model: Any  # a mapped class: its __table__ holds the stored columns
    # the computed values: a subquery with "id", "label" and one column per stored column
    computed: Subquery
    columns: Sequence[str]
    key: str = "id"  # the table's key column, matched with the computed "id"


# A step of ``run_all``: a check, or a function of ``fix`` that returns its own lines.
Step = Check | Callable[[bool], list[str]]


def run(check: Check, fix: bool) -> list[str]:
    """The drifts of one check, as lines (empty when there is none); with ``fix`` the
    stored columns of the drifted rows are set to the computed values."""
    table, computed = check.model.__table__, check.computed
    key = table.c[check.key]
    drift = (
        select(
            key.label("key"),
            computed.c.label,
            *(table.c[name].label(f"stored_{name}") for name in check.columns),
            *(computed.c[name].label(f"counted_{name}") for name in check.columns),
        )
        .join(computed, computed.c.id == key)
        .where(or_(*(table.c[name].is_distinct_from(computed.c[name]) for name in check.columns)))
    )
    total = count_rows(drift)
    if not total:
        return []
    lines: list[str] = []
    for row in db.session.execute(drift.order_by(key).limit(MAX_EXAMPLES)).mappings():
        for name in check.columns:
            stored, counted = row[f"stored_{name}"], row[f"counted_{name}"]
            if stored != counted:
                lines.append(drift_line(check.noun, row["label"], name, stored, counted))
    lines += more(f"{check.noun}s", total)
    if fix:
        wrong = drift.subquery()
        write(
            update(table)
            .where(key == wrong.c.key)
            .values({name: wrong.c[f"counted_{name}"] for name in check.columns})
        )
    return lines


def run_all(steps: Iterable[Step], fix: bool) -> list[str]:
    """The lines of every step, in order; after a fix that changed anything the session's
    objects are expired, so what it loads next is the corrected values."""
    lines: list[str] = []
    for step in steps:
        lines += run(step, fix) if isinstance(step, Check) else step(fix)
    if fix and lines:
        db.session.expire_all()
    return lines


def count_by(key: ColumnElement[Any], *where: ColumnElement[bool], join=None) -> Subquery:
    """Rows per ``key`` (columns ``key`` and ``n``) among those meeting ``where``, read
    from ``join`` when the key and the conditions span tables."""
    stmt = select(key.label("key"), func.count().label("n"))
    if join is not None:
        stmt = stmt.select_from(join)
    return stmt.where(*where).group_by(key).subquery()


def count_check(
    noun: str,
    model: Any,
    label: ColumnElement[Any],
    counts: Mapping[str, Subquery],
    key: str = "id",
) -> Check:
    """The usual check: each stored column in ``counts`` against the ``n`` of its subquery
    (``count_by``'s shape: ``key``, ``n``) for the row whose ``key`` column matches, 0 for
    a row the subquery has nothing for; ``label`` names the row in a line."""
    row_key = model.__table__.c[key]
    computed = select(
        row_key.label("id"),
        label.label("label"),
        *(func.coalesce(counted.c.n, 0).label(name) for name, counted in counts.items()),
    )
    for counted in counts.values():
        computed = computed.outerjoin(counted, counted.c.key == row_key)
    return Check(noun, model, computed.subquery(), tuple(counts), key)


def count_rows(stmt: Select[Any]) -> int:
    """How many rows ``stmt`` returns, counted in the database."""
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def drift_line(noun: str, label: Any, name: str, stored: Any, counted: Any) -> str:
    """One drift as the report writes it."""
    return f"{noun} {label} {name}: stored {show(stored)}, counted {show(counted)}"


def more(nouns: str, total: int, shown: int = MAX_EXAMPLES) -> list[str]:
    """The summary line for the drifts beyond the ``shown`` examples (none when every
    drift was shown); ``nouns`` is the plural: "topics", "post reaction counts"."""
    if total <= shown:
        return []
    return [f"... and {total - shown} more {nouns} with drift"]


def show(value: Any) -> str:
    """A stored or computed value in a line: ``nothing`` for NULL, times to the second."""
    if value is None:
        return "nothing"
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def write(stmt: Executable, rows: list[dict[str, Any]] | None = None) -> None:
    """Run one fixing statement (with ``rows``: once per row) in the caller's transaction,
    leaving the session's objects alone: ``run_all`` expires them after the fix."""
    db.session.execute(stmt, rows, execution_options={"synchronize_session": False})


def add_recount_command(group: Any, what: str, recount: Callable[[bool], list[str]]) -> None:
    """Give a feature's CLI group ``recount [--fix]``: run ``recount(fix)`` (it returns the
    drift lines), commit a fix, and say what was found (``what``: "forum", "ideas")."""
    import click

    @group.command("recount")
    @click.option("--fix", is_flag=True, help="Correct the counters that drifted.")
    def recount_command(fix: bool) -> None:
        """Recompute every stored counter from the rows and list the drifts."""
        started = time.perf_counter()
        lines = recount(fix)
        if fix:
            db.session.commit()
        seconds = time.perf_counter() - started
        for line in lines:
            click.echo(f"  {line}")
        if not lines:
            click.echo(f"all {what} counters are right ({seconds:.1f}s)")
        elif fix:
            click.echo(f"fixed the drifts above ({seconds:.1f}s)")
        else:
            click.echo(f"found the drifts above; run with --fix to correct them ({seconds:.1f}s)")

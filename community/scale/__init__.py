"""``flask --app wsgi seed-scale``: a large deterministic dataset, written in bulk.

Floor 5 like ``demo``: it may read any feature's models and rules. Each part plans in
memory (ids and times from ``random.Random(seed)`` only) and writes through ``Bulk`` on
the session's connection; every stored counter and total is computed while planning, as
``forums recount`` and ``reputation rebuild`` define them. ``build`` never commits (the
tests run it inside their transaction); ``seed_database`` is the command: fast-load
settings, build, commit, ANALYZE.

Every feature adds its part here when it lands (ideas, reviews, parliament, ...).
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import text

from community.core.db import utcnow
from community.extensions import db
from community.scale.bulk import Bulk, names
from community.scale.forum_plan import plan_forums
from community.scale.forum_rows import write_forums
from community.scale.idea_extras import plan_extras
from community.scale.ideas import plan_ideas
from community.scale.ideas_rows import write_ideas
from community.scale.ledger import run_ledger
from community.scale.members import plan_members, write_members
from community.scale.moderation_plan import plan_moderation
from community.scale.moderation_rows import write_moderation
from community.scale.sizes import SIZES, Scale, scale_of
from community.scale.timeline import Timeline
from community.scale.totals import score_mavens, update_members, write_manifest
from community.scale.words import Texts

__all__ = ["SIZES", "ScaleError", "build", "seed_database"]

# Tables whose plain indexes are dropped during the load and built again after it:
# one sort per index instead of millions of random inserts.
REINDEXED = names(
    "audit_entry badge_award category_reputation daily_reputation flag forum_post "
    "forum_reaction forum_topic forum_topic_tag forum_topic_user idea idea_comment idea_follow "
    "idea_status_change idea_tag_link idea_vote period_reputation reputation_event review_item "
    "search_entry"
)
# Tables with an id sequence to move past the ids written here (PostgreSQL).
SEQUENCED = [
    *REINDEXED,
    *names("api_token forum_category forum_tag maven_designation penalty product user_account"),
    *names("idea_merge idea_tag idea_challenge"),
]


class ScaleError(Exception):
    """The dataset cannot be built here (not an empty database, ...)."""


@dataclass
class Report:
    scale: Scale
    parts: list[tuple[str, int, float]] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def build(
    name: str,
    seed: int = 1,
    factor: float | None = None,
    today: dt.date | None = None,
    echo: Callable[[str], None] = lambda line: None,
) -> Report:
    """Write the dataset into the session's transaction (no commit). The same name (or
    factor), seed and ``today`` always give the same rows."""
    _refuse_unless_empty()
    scale = scale_of(name, factor)
    timeline = Timeline(today or utcnow().date())
    bulk = Bulk(db.session)
    report = Report(scale)

    def rng(part: str) -> random.Random:
        return random.Random(f"{seed}:{part}")

    @contextmanager
    def part(title: str) -> Iterator[list[int]]:
        started = time.perf_counter()
        rows = [0]
        yield rows
        seconds = time.perf_counter() - started
        report.parts.append((title, rows[0], seconds))
        echo(f"  {title:<12} {rows[0]:>11,} rows {seconds:8.1f}s")

    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small tuples: the collector would only slow the plan down
    try:
        _session_settings(bulk, loading=True)
        indexes = bulk.secondary_indexes(REINDEXED)
        bulk.drop_indexes(indexes)
        with part("members") as rows:
            members = plan_members(rng("members"), scale, timeline)
            rows[0] = write_members(bulk, rng("profiles"), members, timeline, seed)
        with part("forums") as rows:
            forums = plan_forums(rng("forums"), scale, members, timeline)
            moderation = plan_moderation(
                rng("moderation"), forums, members, timeline, scale.flags, set(members.writers)
            )
            texts = Texts(rng("texts"))
            rows[0] = write_forums(bulk, rng("bodies"), forums, members, texts, timeline)
        with part("ideas") as rows:
            ideas = plan_ideas(rng("ideas"), scale, members, timeline)
            extras = plan_extras(
                rng("idea-extras"),
                ideas,
                members,
                timeline.content_start,
                timeline.end - 1,
                scale.challenges,
            )
            rows[0] = write_ideas(bulk, rng("idea-bodies"), ideas, extras, members, texts, timeline)
        with part("reputation") as rows:
            ledger = run_ledger(
                bulk,
                rng("ledger"),
                forums,
                moderation,
                ideas,
                extras,
                members,
                timeline,
                scale.events,
            )
            rows[0] = ledger.rows
        with part("moderation") as rows:
            rows[0], states, audit_id = write_moderation(bulk, moderation, timeline)
        with part("indexes") as rows:
            bulk.create_indexes(indexes)
            rows[0] = len(indexes)
        with part("totals") as rows:
            rows[0] = update_members(bulk, rng("titles"), members, ledger, states, timeline)
            rows[0] += score_mavens(bulk, members, forums, ideas, ledger, states, timeline)
            report.manifest = write_manifest(
                bulk, members, forums, ledger, timeline, audit_id, scale.name, seed
            )
            # Last: the mavens' badges and designations and the manifest have ids too.
            bulk.reset_sequences(SEQUENCED)
        _session_settings(bulk, loading=False)
    finally:
        if gc_was_enabled:
            gc.enable()
    return report


def _refuse_unless_empty() -> None:
    for table in ("user_account", "forum_topic", "reputation_event"):
        probe = text(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608 - a table of ours
        if db.session.execute(probe).first() is not None:
            raise ScaleError(
                f"the database already has data ({table} is not empty); seed-scale needs an "
                "empty, freshly migrated database"
            )


def _session_settings(bulk: Bulk, loading: bool) -> None:
    """PostgreSQL, for this transaction: no per-row foreign key triggers while loading
    (the plan keeps every reference right, and the SQLite tests check them; needs a
    superuser, else they stay on), more memory for building indexes."""
    if not bulk.is_postgres:
        return
    is_superuser = bulk.scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not loading:
        if is_superuser:
            bulk.execute("SET LOCAL session_replication_role = DEFAULT")
        return
    bulk.execute("SET LOCAL maintenance_work_mem = '1GB'")
    bulk.execute("SET LOCAL work_mem = '256MB'")
    bulk.execute("SET LOCAL synchronous_commit = off")
    if is_superuser:
        bulk.execute("SET LOCAL session_replication_role = replica")


def seed_database(
    name: str, seed: int = 1, echo: Callable[[str], None] = print, factor: float | None = None
) -> Report:
    """The seed-scale command: build with fast-load settings, commit, then ANALYZE."""
    started = time.perf_counter()
    with _sqlite_fast_load():
        report = build(name, seed, factor=factor, echo=echo)
        commit_started = time.perf_counter()
        db.session.commit()
        echo(f"  {'commit':<12} {'':>11}      {time.perf_counter() - commit_started:8.1f}s")
    analyze_started = time.perf_counter()
    _analyze()
    echo(f"  {'analyze':<12} {'':>11}      {time.perf_counter() - analyze_started:8.1f}s")
    echo(f"  {'total':<12} {'':>11}      {time.perf_counter() - started:8.1f}s")
    return report


@contextmanager
def _sqlite_fast_load() -> Iterator[None]:
    """SQLite: journal in memory, no fsync and no per-row foreign key look-ups during the
    load (the plan keeps every reference right; the tests build with the checks on), then
    the app's settings again. Set on the pooled connection the session uses next, before
    its transaction begins; a crash leaves a database to recreate anyway."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        yield
        return
    db.session.remove()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        synchronous = cursor.execute("PRAGMA synchronous").fetchone()[0]
        for pragma in (
            "journal_mode = MEMORY",
            "synchronous = OFF",
            "cache_size = -1000000",
            "temp_store = MEMORY",
            "foreign_keys = OFF",
        ):
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        raw.close()
    try:
        yield
    finally:
        db.session.remove()
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for pragma in (
                "journal_mode = WAL",
                f"synchronous = {synchronous}",
                "cache_size = -2000",
                "temp_store = DEFAULT",
                "foreign_keys = ON",
            ):
                cursor.execute(f"PRAGMA {pragma}")
        finally:
            raw.close()


def _analyze() -> None:
    """Planner statistics for the new data (PostgreSQL: and the visibility map, so
    index-only scans work from the first request)."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("VACUUM (ANALYZE)")
        else:
            connection.exec_driver_sql("PRAGMA analysis_limit = 2000")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()

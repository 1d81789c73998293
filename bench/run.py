#!/usr/bin/env python3
"""The benchmark driver: Mitmach's main pages and write paths against the Flask floor.

    .venv/bin/python bench/run.py --size small --db both --quick     # make bench-quick
    .venv/bin/python bench/run.py --size large --db both             # part of make bench

For each database: build (or reuse) the seeded dataset, clone it for this run, serve the
app and bench/floor.py under gunicorn, drive every page with wrk, count each page's SQL
queries, print a Markdown table on stdout and write bench/results/<date>-<db>-<size>.json.
Progress goes to stderr. bench/README.md explains the columns and the goals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from harness.common import (
    BENCH,
    CONNECTIONS,
    DATA,
    ROOT,
    THREADS,
    WORKER_CLASS,
    WRK_THREADS,
    BenchError,
    say,
)
from harness.databases import (
    Database,
    PostgresDatabase,
    SQLiteDatabase,
    app_env,
    load_targets,
    prepare_dataset,
    reset_redis,
)
from harness.measure import (
    Settings,
    WriteLines,
    ensure_wrk,
    measure_read,
    measure_write,
    query_counts,
)
from harness.report import judge, markdown, save, small_baseline, small_p50
from harness.servers import Server, log_in


def bench_database(db: Database, args: argparse.Namespace, settings: Settings) -> dict:
    reset_redis()
    prepare_dataset(db, args.reseed)
    say(f"{db.kind}: copying the dataset for this run")
    db.copy_for_run()
    env = app_env(db.run_url(), page_cache=not args.no_page_cache)
    # --targets: a hand-written targets file instead of scale-targets (developing the bench).
    targets = json.loads(Path(args.targets).read_text()) if args.targets else load_targets(db, env)
    pages = [p for p in targets["pages"] if re.search(args.only, p["page"])]
    writes = [w for w in targets.get("writes", []) if re.search(args.only, w["page"])]
    if args.no_writes:
        writes = []
    server_options = {
        "worker_class": args.worker_class,
        "threads": args.threads,
    }

    say(f"{db.kind}: the floor")
    floor = Server(
        f"{db.kind}-floor", "floor:app", env, args.port + 1, chdir=BENCH, **server_options
    )
    try:
        floor.start()
        measured = measure_read(floor, "/", None, settings)
    finally:
        floor.stop()
    if measured.get("error"):
        raise BenchError(f"the floor failed: {measured['error']}; see {floor.log}")

    rows: list[dict[str, Any]] = []
    lines = {write["page"]: WriteLines(write) for write in writes}
    app = Server(f"{db.kind}-app", "wsgi:app", env, args.port, **server_options)
    cookie = None
    try:
        app.start()
        if any(page.get("auth") for page in pages):
            login = targets["login"]
            cookie = log_in(app.base, login["username"], login["password"])
        for page in pages:
            say(f"{db.kind}: {page['page']}  {page['path']}")
            result = measure_read(app, page["path"], cookie if page.get("auth") else None, settings)
            rows.append(
                {
                    "page": page["page"],
                    "method": "GET",
                    "simple": bool(page.get("simple")),
                    **result,
                }
            )
        for write in writes:
            say(f"{db.kind}: {write['page']}  ({len(lines[write['page']].pool)} lines)")
            result = measure_write(app, write, lines[write["page"]], settings, db.sqlalchemy_url())
            rows.append(
                {
                    "page": write["page"],
                    "method": write.get("method", "POST"),
                    "simple": False,
                    "rate_goal": bool(write.get("rate_goal")),
                    **result,
                }
            )
    finally:
        app.stop()

    say(f"{db.kind}: queries per request (X-Query-Count)")
    counter = Server(
        f"{db.kind}-queries",
        "wsgi:app",
        app_env(db.run_url(), query_count=True, page_cache=not args.no_page_cache),
        args.port + 2,
        workers=1,
        **server_options,
    )
    try:
        counter.start()
        counts, kept = query_counts(counter, pages, writes, lines, cookie)
    finally:
        counter.stop()

    variant = "uncached" if args.no_page_cache else ""
    baseline, baseline_file = small_baseline(db.kind, variant) if db.size != "small" else ({}, None)
    for row in rows:
        row.setdefault("rps", None)
        row.setdefault("p50_ms", None)
        row.setdefault("p99_ms", None)
        row.setdefault("rss_mb", None)
        row["queries"] = counts.get(row["page"])
        row["queries_kept"] = kept.get(row["page"])
        small = small_p50(baseline, row["page"], {other["page"] for other in rows})
        row["growth"] = round(row["p50_ms"] / small, 2) if small and row["p50_ms"] else None
        row["misses"] = judge(row, db.kind, measured["rps"])
    return {
        "db": db.kind,
        "size": db.size,
        "date": dt.date.today().isoformat(),
        "variant": variant,
        "floor_rps": measured["rps"],
        "floor_p50_ms": measured["p50_ms"],
        "floor_p99_ms": measured["p99_ms"],
        "floor_rss_mb": measured["rss_mb"],
        "floor_others_cpu_pct": measured["others_cpu_pct"],
        "server": app.describe(),
        "wrk": f"-t{WRK_THREADS} -c{CONNECTIONS}",
        "runs": settings.runs,
        "run_seconds": settings.seconds,
        "warmup_seconds": settings.warmup,
        "growth_from": baseline_file,
        "others_cpu_pct_max": max(
            [measured["others_cpu_pct"]] + [row.get("others_cpu_pct") or 0 for row in rows]
        ),
        "rows": rows,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("small", "large"), default="small")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="1 s runs, 1 s warm-up")
    parser.add_argument("--seconds", type=int, help="seconds per run (default 10, quick 1)")
    parser.add_argument("--warmup", type=int, help="warm-up seconds (default 2, quick 1)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reseed", action="store_true", help="rebuild the dataset")
    parser.add_argument("--only", default="", help="regex: bench only the matching pages")
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default=WORKER_CLASS)
    parser.add_argument("--threads", type=int, default=THREADS, help="gthread threads")
    parser.add_argument("--port", type=int, default=8760, help="app; floor +1, counting +2")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", help="default: postgres, else root")
    parser.add_argument("--no-save", action="store_true", help="print only, write no JSON")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="render every page (MITMACH_PAGE_CACHE=0); results go to *-uncached.json",
    )
    parser.add_argument("--targets", help="a targets JSON to use instead of scale-targets")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(
        seconds=args.seconds or (1 if args.quick else 10),
        warmup=args.warmup or (1 if args.quick else 2),
        runs=args.runs,
    )
    started = time.monotonic()
    DATA.mkdir(parents=True, exist_ok=True)
    try:
        ensure_wrk()
        kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
        for kind in kinds:
            db: Database = (
                SQLiteDatabase(args.size)
                if kind == "sqlite"
                else PostgresDatabase(args.size, args.pg_host, args.pg_port, args.pg_user)
            )
            result = bench_database(db, args, settings)
            if not args.no_save:
                say(f"{kind}: wrote {save(result).relative_to(ROOT)}")
            print(markdown(result), flush=True)
    except BenchError as error:
        say(f"error: {error}")
        return 1
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

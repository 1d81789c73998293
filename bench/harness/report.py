"""The goals, the Markdown table and the results file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from harness.common import CONNECTIONS, RESULTS, WRK_THREADS

# The goals (issue 6): every read page at least a third of the floor's requests per
# second, half for the simple pages; p99 under 100 ms; large/small p50 at most 1.3;
# reactions and idea votes (``rate_goal`` in the targets) at least 300 per second on
# PostgreSQL; every write's counts exact.
READ_RATIO = 1 / 3
SIMPLE_RATIO = 1 / 2
P99_MS = 100.0
GROWTH = 1.3
WRITE_RPS_POSTGRESQL = 300.0


def small_baseline(kind: str, variant: str = "") -> tuple[dict[str, float], str | None]:
    """p50 per page from the newest small-dataset result of this database (and variant:
    "uncached" compares with uncached runs)."""
    suffix = f"-{variant}" if variant else ""
    files = sorted(
        RESULTS.glob(f"*-{kind}-small{suffix}.json"), key=lambda p: (p.name, p.stat().st_mtime)
    )
    if not files:
        return {}, None
    data = json.loads(files[-1].read_text())
    return {row["page"]: row["p50_ms"] for row in data["rows"] if row.get("p50_ms")}, files[-1].name


def small_p50(baseline: dict[str, float], page: str, pages: set[str]) -> float | None:
    """The small dataset's p50 of ``page``. A small page whose name differs only in its
    numbers, and that is not a page of this run itself, is the same page: "category p500"
    on large is the last page, "category p12", on small."""
    if page in baseline:
        return baseline[page]
    masked = re.sub(r"\d+", "#", page)
    same = [
        p50
        for name, p50 in baseline.items()
        if name not in pages and re.sub(r"\d+", "#", name) == masked
    ]
    return same[0] if len(same) == 1 else None


def judge(row: dict[str, Any], kind: str, floor_rps: float) -> list[str]:
    """The goals a row misses, in words; empty when it meets them all."""
    misses = []
    if row.get("error"):
        misses.append(row["error"])
    if row["rps"] is None:
        return misses
    if row["method"] == "GET":
        need = SIMPLE_RATIO if row.get("simple") else READ_RATIO
        if row["rps"] < need * floor_rps:
            misses.append(f"{row['rps'] / floor_rps:.2f}x floor < {need:.2f}x")
        if row["p99_ms"] >= P99_MS:
            misses.append(f"p99 {row['p99_ms']:.0f} >= {P99_MS:.0f} ms")
        if row.get("growth") is not None and row["growth"] > GROWTH:
            misses.append(f"growth {row['growth']:.2f} > {GROWTH}")
    else:
        if kind == "postgresql" and row.get("rate_goal") and row["rps"] < WRITE_RPS_POSTGRESQL:
            misses.append(f"{row['rps']:.0f}/s < {WRITE_RPS_POSTGRESQL:.0f}/s")
    return misses


BUSY_PCT = 5.0


def busy_note(result: dict[str, Any]) -> list[str]:
    """A warning when other processes competed for the CPU during the measurements."""
    busiest = result["others_cpu_pct_max"]
    if busiest <= BUSY_PCT:
        return []
    return [
        f"**Warning: other processes used up to {busiest:.0f}% of the CPU during the runs; "
        "these numbers are not comparable. Bench on an idle machine.**",
        "",
    ]


def markdown(result: dict[str, Any]) -> str:
    def number(value, digits=1):
        return "–" if value is None else f"{value:,.{digits}f}"

    floor = result["floor_rps"]
    lines = [
        f"### {result['db']}, {result['size']}"
        + (f", {result['variant']}" if result.get("variant") else "")
        + f" ({result['date']})",
        "",
        f"{result['server']}; wrk -t{WRK_THREADS} -c{CONNECTIONS}, "
        f"{result['runs']} run{'s' if result['runs'] != 1 else ''} of {result['run_seconds']} s "
        "after a "
        f"{result['warmup_seconds']} s warm-up, medians."
        + (f" Growth against {result['growth_from']}." if result.get("growth_from") else ""),
        "",
        *busy_note(result),
        "| page | method | rps | x floor | p50 ms | p99 ms | queries (kept) | rss MB | growth "
        "| goal |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| floor (bench/floor.py) | GET | {number(floor)} | 1.00 | "
        f"{number(result['floor_p50_ms'], 2)} | {number(result['floor_p99_ms'], 2)} | 1 | "
        f"{number(result['floor_rss_mb'])} | – | |",
    ]
    for row in result["rows"]:
        ratio = row["rps"] / floor if row["rps"] is not None and floor else None
        goal = "ok" if not row["misses"] else "MISS: " + "; ".join(row["misses"])
        if row.get("note"):
            goal += f" ({row['note']})"
        lines.append(
            f"| {row['page']} | {row['method']} | {number(row['rps'])} | {number(ratio, 2)} | "
            f"{number(row['p50_ms'], 2)} | {number(row['p99_ms'], 2)} | "
            f"{queries(row)} | {number(row['rss_mb'])} | "
            f"{number(row['growth'], 2)} | {goal} |"
        )
    return "\n".join(lines) + "\n"


def queries(row: dict[str, Any]) -> str:
    """Queries to render the page, and in brackets to serve it kept (when it differs)."""
    if row["queries"] is None:
        return "–"
    kept = row.get("queries_kept")
    return (
        f"{row['queries']} ({kept})"
        if kept is not None and kept != row["queries"]
        else str(row["queries"])
    )


ROW_KEYS = ("page", "method", "rps", "p50_ms", "p99_ms", "queries", "rss_mb", "growth")


def save(result: dict[str, Any]) -> Path:
    """bench/results/<date>-<db>-<size>.json: the issue's keys first, then the details."""
    rows = []
    for row in result["rows"]:
        ordered = {key: row.get(key) for key in ROW_KEYS}
        ordered["ratio"] = round(row["rps"] / result["floor_rps"], 3) if row.get("rps") else None
        ordered["meets_goals"] = not row["misses"]
        ordered["misses"] = row["misses"]
        extras = ("queries_kept", "simple", "rate_goal", "ok_2xx", "new_rows", "counts_exact")
        extras += ("table", "note")
        for key in extras:
            if row.get(key) is not None:
                ordered[key] = row[key]
        ordered["others_cpu_pct"] = row.get("others_cpu_pct")
        rows.append(ordered)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = f"-{result['variant']}" if result.get("variant") else ""
    path = RESULTS / f"{result['date']}-{result['db']}-{result['size']}{suffix}.json"
    path.write_text(json.dumps({**result, "rows": rows}, indent=2) + "\n")
    return path

"""wrk runs: the read pages, the write paths (with the row counts), queries per request."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.common import CONNECTIONS, DATA, USER_AGENT, WRK_SCRIPTS, WRK_THREADS, BenchError, say
from harness.databases import count_rows
from harness.servers import CpuWatch, Server, fetch

# The table a write path adds one row to, when the targets do not name it.
WRITE_TABLES = [
    (re.compile(r"/api/v1/posts/\d+/reactions/"), "forum_reaction"),
    (re.compile(r"/api/v1/topics/\d+/posts$"), "forum_post"),
    (re.compile(r"/api/v1/ideas/\d+/vote$"), "idea_vote"),
]


def ensure_wrk() -> str:
    """The path of wrk, installing the Debian package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is missing: installing the Debian package (apt-get install -y wrk)")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "wrk"]
    quiet = {"env": env, "stdout": sys.stderr, "check": False}  # stdout is for the tables
    if subprocess.run(install, **quiet).returncode != 0:  # noqa: S603 - fixed arguments
        subprocess.run([*sudo, "apt-get", "update"], **quiet)  # noqa: S603
        subprocess.run(install, **quiet)  # noqa: S603
    found = shutil.which("wrk")
    if found:
        return found
    raise BenchError(
        "wrk is not installed and could not be installed. Install it as root "
        "(apt-get install wrk, the Debian package) and run the bench again."
    )


def wrk(
    url: str,
    seconds: int,
    script: str,
    headers: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One wrk run at concurrency 8; the numbers its Lua done() printed."""
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(WRK_SCRIPTS / script)]
    for name, value in {"User-Agent": USER_AGENT, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    result = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=seconds + 120,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            numbers = json.loads(line[len("BENCH_JSON ") :])
            numbers["rps"] = numbers["requests"] / (numbers["duration_us"] / 1e6)
            return numbers
    raise BenchError(f"wrk printed no result for {url}:\n{result.stdout}\n{result.stderr}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


@dataclass
class Settings:
    seconds: int
    warmup: int
    runs: int


def measure_read(server: Server, path: str, cookie: str | None, settings: Settings) -> dict:
    """Warm-up, then ``runs`` runs of wrk; medians of requests/s, p50 and p99."""
    headers = {"Cookie": cookie} if cookie else {}
    status, response_headers, _body = fetch(server.base, path, headers=headers)
    if status != 200:
        where = response_headers.get("Location", "")
        return {"error": f"status {status} {where}".strip()}
    server.reset_peak_memory()
    url = server.base + path
    wrk(url, settings.warmup, "read.lua", headers)
    watch = CpuWatch(server)
    runs = [wrk(url, settings.seconds, "read.lua", headers) for _ in range(settings.runs)]
    errors = sum(run["status_errors"] + run["socket_errors"] for run in runs)
    return {
        "rps": round(median([run["rps"] for run in runs]), 1),
        "p50_ms": round(median([run["p50_us"] for run in runs]) / 1000, 2),
        "p99_ms": round(median([run["p99_us"] for run in runs]) / 1000, 2),
        "rss_mb": server.peak_memory_mb(),
        "others_cpu_pct": watch.others_percent(),
        "error": f"{errors} failed requests" if errors else None,
    }


def write_table(write: dict[str, Any], sample_path: str) -> str:
    if write.get("table"):
        return write["table"]
    for pattern, table in WRITE_TABLES:
        if pattern.search(sample_path):
            return table
    raise BenchError(f"which table does {write['page']} ({sample_path}) add rows to?")


class WriteLines:
    """A write path's lines (token, path); each is sent at most once in a run."""

    def __init__(self, write: dict[str, Any]) -> None:
        self.body = write.get("body")
        self.lines: list[tuple[str, str]] = []
        for line in Path(write["file"]).read_text().splitlines():
            if line.strip():
                token, path = line.split(None, 1)
                self.lines.append((token, path.strip()))
        self.pool = list(range(len(self.lines)))

    def request(self, index: int) -> tuple[str, str, str]:
        token, path = self.lines[index]
        body = (self.body or "").replace("%d", str(index))
        return token, path, body

    def take(self, count: int) -> list[int]:
        taken, self.pool = self.pool[:count], self.pool[count:]
        return taken

    def give_back(self, indexes: list[int]) -> None:
        self.pool = indexes + self.pool


def measure_write(
    server: Server, write: dict[str, Any], lines: WriteLines, settings: Settings, db_url: str
) -> dict:
    """Warm-up, then ``runs`` runs, each sending unused lines only for ``seconds``; after
    each run the new rows must equal the 2xx answers."""
    table = write_table(write, lines.lines[0][1])
    server.reset_peak_memory()
    durations = [settings.warmup] + [settings.seconds] * settings.runs
    watch = CpuWatch(server)
    runs, ok_total, rows_total, notes = [], 0, 0, []
    ran_out = False
    codes: dict[str, int] = {}
    for number, seconds in enumerate(durations):
        share = len(lines.pool) * seconds // sum(durations[number:])
        allotted = lines.take(share)
        if not allotted:
            ran_out = True
            break
        requests_file = DATA / "logs" / "writes.tsv"
        with requests_file.open("w") as out:
            for index in allotted:
                out.write("\t".join(lines.request(index)) + "\n")
        before = count_rows(db_url, table)
        result = wrk(
            server.base,
            seconds + 1,  # the last second drains: nothing is in flight when wrk stops
            "writes.lua",
            env={
                "BENCH_WRITES_FILE": str(requests_file),
                "BENCH_THREADS": str(WRK_THREADS),
                # wrk starts within milliseconds; the deadline is common to its threads.
                "BENCH_DEADLINE": f"{time.time() + seconds + 0.05:.3f}",
                "BENCH_METHOD": write.get("method", "POST"),
            },
        )
        if result["issued"] != result["ok"] + result["other"]:
            time.sleep(2)  # answers still on their way: let them land before counting
        after = count_rows(db_url, table)
        # Thread t sent the first issued[t] of lines t, t+T, ...: the rest go back.
        unused = []
        for thread, issued in enumerate(result["issued_per_thread"]):
            mine = allotted[thread::WRK_THREADS]
            unused += mine[issued:]
            if issued == len(mine):
                ran_out = True
        lines.give_back(sorted(unused))
        result["rps"] = (result["ok"] + result["other"]) / max(result["window_s"], 1e-9)
        result["new_rows"] = after - before
        if result["issued"] != result["ok"] + result["other"]:
            notes.append(f"{result['issued'] - result['ok'] - result['other']} unanswered")
        for code, count in re.findall(r"(\d+):(\d+)", result["codes"]):
            codes[code] = codes.get(code, 0) + int(count)
        if number == 0:
            continue  # the warm-up is checked above for answers, not counted below
        runs.append(result)
        ok_total += result["ok"]
        rows_total += result["new_rows"]
    if codes:
        notes.append("non-2xx " + ", ".join(f"{n} x {code}" for code, n in sorted(codes.items())))
    exact = bool(runs) and all(run["new_rows"] == run["ok"] for run in runs)
    if not exact:
        notes.append(f"counts differ: {ok_total} 2xx, {rows_total} new rows")
    return {
        "table": table,
        "rps": round(median([run["rps"] for run in runs]), 1),
        "p50_ms": round(median([run["p50_us"] for run in runs]) / 1000, 2),
        "p99_ms": round(median([run["p99_us"] for run in runs]) / 1000, 2),
        "rss_mb": server.peak_memory_mb(),
        "others_cpu_pct": watch.others_percent(),
        "ok_2xx": ok_total,
        "new_rows": rows_total,
        "counts_exact": exact,
        "error": "; ".join(dict.fromkeys(notes)) or None,
        # Not a miss: the rate is measured over the time lines lasted. More lines help.
        "note": "write lines ran out" if ran_out else None,
    }


def query_counts(
    server: Server, pages: list[dict], writes: list[dict], lines: dict[str, WriteLines], cookie
) -> tuple[dict[str, int | None], dict[str, int | None]]:
    """X-Query-Count of each page rendered (its first fetch, on one worker) and served
    again (the second: from the page cache, where the page is kept), and of one write per
    write path (rendered only)."""
    counts: dict[str, int | None] = {}
    kept: dict[str, int | None] = {}
    for page in pages:
        headers = {"Cookie": cookie} if page.get("auth") else {}
        values = []
        for _attempt in range(2):
            status, response_headers, _body = fetch(server.base, page["path"], headers=headers)
            value = response_headers.get("X-Query-Count") if status == 200 else None
            values.append(int(value) if value is not None else None)
        counts[page["page"]], kept[page["page"]] = values
    for write in writes:
        taken = lines[write["page"]].take(1)
        value = None
        if taken:
            token, path, body = lines[write["page"]].request(taken[0])
            headers = {"Authorization": f"Bearer {token}"}
            if body:
                headers["Content-Type"] = "application/json"
            method = write.get("method", "POST")
            status, response_headers, _body = fetch(
                server.base, path, method, headers, body.encode() if body else None
            )
            value = response_headers.get("X-Query-Count") if 200 <= status < 300 else None
        counts[write["page"]] = int(value) if value is not None else None
    return counts, kept

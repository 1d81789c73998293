"""What every part of the harness shares: paths, the load, the gunicorn settings."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
WRK_SCRIPTS = BENCH / "wrk"
BIN = Path(sys.executable).parent  # the venv's bin: flask and gunicorn live beside python

# wrk: two threads, concurrency 8 (issue 6).
WRK_THREADS = 2
CONNECTIONS = 8
WORKERS = 2
# Measured on the 2-core machine (bench/README.md, "Worker class"): sync workers serve
# the app's pages up to twice as fast as gthread, with half the p99.
WORKER_CLASS = "sync"
THREADS = 4  # only for --worker-class gthread

USER_AGENT = "mitmach-bench"


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchError(RuntimeError):
    """A problem the harness cannot work around; the message says what to do."""

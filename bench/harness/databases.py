"""The datasets: seeding (or reusing) them, a fresh copy per run, the app's environment."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness.common import BIN, DATA, ROOT, BenchError, say

SECRET_KEY = "bench-only-secret-key-not-for-production"  # noqa: S105 - local benchmark

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def run_flask(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run ``flask --app wsgi ARGS`` in the repository; its output streams to stderr."""
    command = [str(BIN / "flask"), "--app", "wsgi", *args]
    result = subprocess.run(  # noqa: S603 - our own commands
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if capture else sys.stderr,
        stderr=sys.stderr,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"`flask --app wsgi {' '.join(args)}` failed (exit {result.returncode})")
    return result.stdout or ""


def fingerprint() -> str:
    """Changes when the seed code (community/scale/) changes: then the dataset is rebuilt.
    A new migration alone does not rebuild it: ``db upgrade`` brings the seeded data along."""
    digest = hashlib.sha256()
    folder = ROOT / "community" / "scale"
    for path in sorted(folder.rglob("*.py")) if folder.exists() else []:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Database:
    """The seeded dataset (kept between runs) and this run's copy of it."""

    kind = ""

    def __init__(self, size: str) -> None:
        self.size = size

    @property
    def marker(self) -> Path:
        return DATA / f"{self.kind}-{self.size}.seeded.json"

    def pristine_exists(self) -> bool:
        raise NotImplementedError

    def recreate_pristine(self) -> None:
        raise NotImplementedError

    def after_seed(self) -> None:
        """Bring the seeded dataset to a steady state before it is copied."""

    def copy_for_run(self) -> None:
        raise NotImplementedError

    def pristine_url(self) -> str:
        raise NotImplementedError

    def run_url(self) -> str:
        raise NotImplementedError

    def sqlalchemy_url(self) -> str:
        url = self.run_url()
        return url.replace("postgresql://", "postgresql+psycopg://", 1)


class SQLiteDatabase(Database):
    kind = "sqlite"

    @property
    def pristine(self) -> Path:
        return DATA / f"sqlite-{self.size}.db"

    @property
    def run_copy(self) -> Path:
        return DATA / f"sqlite-{self.size}-run.db"

    def pristine_exists(self) -> bool:
        return self.pristine.exists()

    @staticmethod
    def _remove(path: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def recreate_pristine(self) -> None:
        self._remove(self.pristine)

    def after_seed(self) -> None:
        # Fold the write-ahead log into the file, so that copying the file copies it all.
        connection = sqlite3.connect(self.pristine)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()

    def copy_for_run(self) -> None:
        self.after_seed()
        self._remove(self.run_copy)
        shutil.copyfile(self.pristine, self.run_copy)

    def pristine_url(self) -> str:
        return f"sqlite:///{self.pristine}"

    def run_url(self) -> str:
        return f"sqlite:///{self.run_copy}"


class PostgresDatabase(Database):
    kind = "postgresql"

    def __init__(self, size: str, host: str, port: int, user: str | None) -> None:
        super().__init__(size)
        self.host, self.port = host, port
        if shutil.which("psql") is None:
            raise BenchError("psql is not installed (apt-get install postgresql-client).")
        self.user = user or self._find_user()
        self.pristine = f"mitmach_bench_{size}"
        self.run_copy = f"mitmach_bench_{size}_run"

    def _psql(self, sql: str, database: str = "postgres", user: str | None = None) -> str:
        command = ["psql", "-h", self.host, "-p", str(self.port), "-U", user or self.user]
        command += ["-d", database, "-v", "ON_ERROR_STOP=1", "-Atqc", sql]
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise BenchError(f"psql failed: {sql}\n{result.stderr.strip()}")
        return result.stdout.strip()

    def _find_user(self) -> str:
        errors = []
        for user in ("postgres", "root"):
            try:
                self._psql("SELECT 1", user=user)
                return user
            except BenchError as error:
                errors.append(str(error))
        raise BenchError(
            f"cannot reach PostgreSQL on {self.host}:{self.port} as postgres or root "
            "(--pg-user sets another user):\n" + "\n".join(errors)
        )

    def _exists(self, name: str) -> bool:
        # Our own names (mitmach_bench_<size>), never input.
        return self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608

    def _drop(self, name: str) -> None:
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def pristine_exists(self) -> bool:
        return self._exists(self.pristine)

    def recreate_pristine(self) -> None:
        self._drop(self.pristine)
        self._psql(f'CREATE DATABASE "{self.pristine}"')

    def after_seed(self) -> None:
        # What autovacuum does soon after a bulk load anyway: planner statistics and the
        # visibility map (index-only scans), so that every run plans alike.
        self._psql("VACUUM ANALYZE", database=self.pristine)

    def copy_for_run(self) -> None:
        self._drop(self.run_copy)
        version = int(self._psql("SHOW server_version_num"))
        strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
        self._psql(f'CREATE DATABASE "{self.run_copy}" TEMPLATE "{self.pristine}"{strategy}')

    def _url(self, name: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{name}"

    def pristine_url(self) -> str:
        return self._url(self.pristine)

    def run_url(self) -> str:
        return self._url(self.run_copy)


def app_env(
    database_url: str, query_count: bool = False, page_cache: bool = True
) -> dict[str, str]:
    """The environment of every app process and flask command: production settings."""
    env = dict(os.environ)
    for name in ("TRUSTED_PROXIES", "SERVER_NAME", "RATELIMIT_ENABLED", "MAIL_SERVER"):
        env.pop(name, None)
    env.update(
        MITMACH_ENV="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database_url,
        MITMACH_QUERY_COUNT_HEADER="1" if query_count else "0",
        MITMACH_PAGE_CACHE="1" if page_cache else "0",
        PYTHONUNBUFFERED="1",
    )
    if REDIS_URL:
        env["REDIS_URL"] = REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    return env


def prepare_dataset(db: Database, reseed: bool) -> None:
    """Seed the dataset unless one of this size, seed code and schema exists already."""
    wanted = {"size": db.size, "fingerprint": fingerprint()}
    reason = None
    if reseed:
        reason = "--reseed"
    elif not db.pristine_exists():
        reason = "no seeded database yet"
    elif not db.marker.exists():
        reason = "the database was not seeded to the end"
    else:
        seeded = json.loads(db.marker.read_text())
        if seeded.get("fingerprint") != wanted["fingerprint"]:
            reason = "the seed code changed"
    env = app_env(db.pristine_url())
    if reason is None:
        say(f"{db.kind}: reusing the seeded {db.size} dataset ({db.pristine_url()})")
        run_flask(env, "db", "upgrade")
        return
    say(f"{db.kind}: seeding {db.size} ({reason}) into {db.pristine_url()}")
    db.marker.unlink(missing_ok=True)
    db.recreate_pristine()
    started = time.monotonic()
    run_flask(env, "db", "upgrade")
    run_flask(env, "seed-scale", "--size", db.size)
    db.after_seed()
    seconds = round(time.monotonic() - started, 1)
    db.marker.write_text(json.dumps({**wanted, "seconds": seconds}) + "\n")
    say(f"{db.kind}: seeded {db.size} in {seconds} s")


def load_targets(db: Database, env: dict[str, str]) -> dict[str, Any]:
    out = DATA / f"{db.kind}-{db.size}-targets"
    out.mkdir(parents=True, exist_ok=True)
    text = run_flask(env, "scale-targets", "--out", str(out), capture=True).strip()
    try:
        targets = json.loads(text[text.index("{") :])
    except ValueError as error:
        raise BenchError(f"scale-targets printed no JSON object: {text[:300]!r}") from error
    if targets.get("size") != db.size:
        raise BenchError(f"scale-targets says size {targets.get('size')!r}, expected {db.size}")
    return targets


def count_rows(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            count = text(f"SELECT count(*) FROM {table}")  # noqa: S608 - a known table name
            return int(connection.execute(count).scalar_one())
    finally:
        engine.dispose()


def reset_redis() -> None:
    """Empty the bench's own Redis database: rate-limit counts start at zero each run."""
    global REDIS_URL
    if not REDIS_URL:
        return
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except Exception as error:  # any failure means: no Redis
        say(f"Redis at {REDIS_URL} is not usable ({error}): rate limits count per process")
        REDIS_URL = ""

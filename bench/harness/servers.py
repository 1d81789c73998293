"""gunicorn on 127.0.0.1, its workers' memory, how busy the machine is, HTTP helpers."""

from __future__ import annotations

import http.client
import os
import re
import resource
import signal
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from harness.common import (
    BIN,
    DATA,
    ROOT,
    THREADS,
    USER_AGENT,
    WORKER_CLASS,
    WORKERS,
    BenchError,
)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Server:
    """One gunicorn on 127.0.0.1: the app, the floor or the query-counting app."""

    name: str
    app: str
    env: dict[str, str]
    port: int
    workers: int = WORKERS
    worker_class: str = WORKER_CLASS
    threads: int = THREADS
    chdir: Path = ROOT
    process: subprocess.Popen | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = DATA / "logs" / f"{self.name}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def describe(self) -> str:
        kind = self.worker_class
        if kind == "gthread":
            kind += f", {self.threads} threads"
        return f"gunicorn {self.workers} workers ({kind})"

    def start(self) -> Server:
        if not port_is_free(self.port):
            raise BenchError(f"port {self.port} is in use (--port picks other ports)")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [str(BIN / "gunicorn"), "-w", str(self.workers), "-k", self.worker_class]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        command += ["-b", f"127.0.0.1:{self.port}", "--chdir", str(self.chdir)]
        command += ["--timeout", "120", "--log-level", "warning", self.app]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} did not start; see {self.log}")
            try:
                status, _headers, _body = fetch(self.base, "/")
                if status < 500 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise BenchError(f"{self.name} did not answer within 90 s; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        # The parent pid is the second field after the parenthesised command.
        return [
            pid
            for pid, stat in processes("stat")
            if int(stat.rsplit(b")", 1)[1].split()[1]) == self.process.pid
        ]

    def reset_peak_memory(self) -> bool:
        """Reset each worker's peak RSS (VmHWM) to its current RSS; False if not allowed."""
        try:
            for pid in self.worker_pids():
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def peak_memory_mb(self) -> float:
        """The largest peak RSS (VmHWM) of the workers, in MB."""
        peak = 0
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        return round(peak / 1024, 1)


def processes(name: str) -> Iterator[tuple[int, bytes]]:
    """(pid, contents of /proc/<pid>/<name>) of every process still there to read."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                yield int(entry.name), (entry / name).read_bytes()
            except OSError:
                continue


_PG_BACKGROUND = (b"checkpointer", b"background writer", b"walwriter", b"autovacuum")


class CpuWatch:
    """How busy the machine was with other processes while a server was measured.

    Busy CPU time from /proc/stat, minus the server's processes, the PostgreSQL backends
    serving the bench database, Redis, wrk and this driver; as a share of all cores.
    Above a few percent the numbers are not to be trusted.
    """

    def __init__(self, server: Server) -> None:
        self.server = server
        self.start = self._sample()

    def _helpers(self) -> list[int]:
        """PostgreSQL backends of the bench database, and Redis."""
        database = self.server.env.get("DATABASE_URL", "").rsplit("/", 1)[-1]
        pids = []
        for pid, command in processes("cmdline"):
            if command.startswith(b"redis-server") or (
                command.startswith(b"postgres: ")
                and (
                    f" {database} ".encode() in command or any(b in command for b in _PG_BACKGROUND)
                )
            ):
                pids.append(pid)
        return pids

    @staticmethod
    def _jiffies(pid: int) -> int:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0
        return int(fields[11]) + int(fields[12])  # utime + stime

    def _sample(self) -> tuple[float, int, int, float]:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        # Interrupt time is left out: on loopback it is mostly the bench's own traffic.
        user, nice, system, _idle, _iowait, _irq, _softirq, steal = map(int, fields[:8])
        busy = user + nice + system + steal
        assert self.server.process is not None
        pids = [self.server.process.pid, *self.server.worker_pids(), *self._helpers()]
        ours = sum(self._jiffies(pid) for pid in pids)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        me = resource.getrusage(resource.RUSAGE_SELF)
        seconds = children.ru_utime + children.ru_stime + me.ru_utime + me.ru_stime
        return time.monotonic(), busy, ours, seconds

    def others_percent(self) -> float:
        end = self._sample()
        tick = os.sysconf("SC_CLK_TCK")
        wall = end[0] - self.start[0]
        others = (end[1] - self.start[1] - end[2] + self.start[2]) / tick
        others -= end[3] - self.start[3]
        return round(max(0.0, others) / (wall * (os.cpu_count() or 1)) * 100, 1)


def fetch(
    base: str,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request without following redirects: (status, headers, body)."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request(
            method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def log_in(base: str, username: str, password: str) -> str:
    """A Cookie header of a session logged in through the real login form."""
    cookies: dict[str, str] = {}

    def keep(headers: http.client.HTTPMessage) -> None:
        for value in headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                cookies[name] = morsel.value

    def header() -> str:
        return "; ".join(f"{name}={value}" for name, value in cookies.items())

    status, headers, body = fetch(base, "/auth/login")
    keep(headers)
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
    if status != 200 or not match:
        raise BenchError(f"the login form did not load (status {status})")
    form = urllib.parse.urlencode(
        {"login": username, "password": password, "csrf_token": match.group(1).decode()}
    ).encode()
    status, headers, _body = fetch(
        base,
        "/auth/login",
        "POST",
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": header()},
        form,
    )
    keep(headers)
    if status not in (302, 303):
        raise BenchError(f"logging in as {username} failed (status {status})")
    return header()

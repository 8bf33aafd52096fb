"""Servers under test as separate processes, and what we measure of them: memory, CPU, idleness."""

from __future__ import annotations

import asyncio
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.http import Target, basic_auth

TICKS = os.sysconf("SC_CLK_TCK")


def raise_fd_limit() -> int:
    """Lift the soft fd limit to the hard one (10,000 connections need more than 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rss_mb(pid: int) -> float:
    return _status_kb(pid, "VmRSS") / 1024


def peak_rss_mb(pid: int) -> float:
    return _status_kb(pid, "VmHWM") / 1024


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def wait_idle(pid: int, *, quiet: float = 0.6, step: float = 0.1, limit: float = 120.0) -> None:
    """Until the server has used (almost) no CPU for ``quiet`` seconds: every request it was sent
    has been read and is parked. Both servers are judged by the same rule."""
    deadline = time.monotonic() + limit
    last = cpu_seconds(pid)
    calm = 0.0
    while time.monotonic() < deadline:
        await asyncio.sleep(step)
        now = cpu_seconds(pid)
        calm = calm + step if now - last <= 1.0 / TICKS else 0.0
        last = now
        if calm >= quiet:
            return
    raise TimeoutError("server did not settle")


def machine_facts() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    load = os.getloadavg()
    return {
        "cpu": f"{cpu} x {os.cpu_count()}",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load average at start": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }


def _preexec() -> None:
    raise_fd_limit()


class Server:
    """A server process on a loopback port."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.port = port
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def target(self, headers: dict[str, str] | None = None) -> Target:
        return Target("127.0.0.1", self.port, dict(headers or {}))

    def start(self) -> None:
        out = self.log.open("wb")
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_preexec)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log.read_text()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/status.php", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text()}")

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()  # one that never answered is still running
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def baseline_server(workdir: Path) -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, "BENCH_BASELINE_DB": str(workdir / "baseline.db")}
    argv = [
        sys.executable, "-m", "uvicorn", "bench.baseline_app:app", "--port", str(port),
        "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
        "--backlog", "4096",
    ]  # fmt: skip
    with Server("bare Starlette", argv, env, port, workdir / "baseline.log") as server:
        yield server


BENCH_USERS = {"alice": "Alice Adams", "bob": "Bob Brown", "carol": "Carol Clark", "dave": "Dave Davis"}


def password_of(uid: str) -> str:
    return f"{uid}-bench-password"


async def seed_users(database_url: str) -> None:
    from causerie.services.accounts import users
    from causerie.storage.db import Database
    from causerie.storage.migrate import upgrade

    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.write() as conn:
            for uid, name in BENCH_USERS.items():
                await users.create(conn, uid, password_of(uid), name)
    finally:
        await db.dispose()


PG_ADMIN_DSN = os.environ.get("CAUSERIE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new PostgreSQL database for one benchmark run, dropped afterwards."""
    import psycopg2

    name = f"causerie_bench_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_ADMIN_DSN, connect_timeout=3)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@contextmanager
def causerie_server(
    workdir: Path, extra_env: dict[str, str] | None = None, database_url: str | None = None, *, seeded: bool = False
) -> Iterator[Server]:
    """Causerie as operators run it (``causerie serve``), on a fresh SQLite file unless given a
    ``database_url`` (``seeded``: its users are there already)."""
    data = workdir / "causerie-data"
    data.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{data / 'causerie.db'}"
    # The benchmarks call this from inside their event loop; seed on a loop of its own.
    if not seeded:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, seed_users(database_url)).result()
    port = free_port()
    env = {
        **os.environ,
        "CAUSERIE_DATA_DIR": str(data),
        "CAUSERIE_DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    argv = [sys.executable, "-m", "causerie", "serve", "--port", str(port), "--log-level", "warning"]
    with Server("Causerie", argv, env, port, workdir / "causerie.log") as server:
        yield server


def user_target(server: Server, uid: str) -> Target:
    return server.target({"OCS-APIRequest": "true", "Accept": "application/json", **basic_auth(uid, password_of(uid))})

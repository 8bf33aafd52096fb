"""A real Causerie process on a loopback port, with its own data directory and database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from causerie.services.accounts import users
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Database
from causerie.storage.migrate import upgrade

PG_ADMIN_DSN = os.environ.get("CAUSERIE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CAUSERIE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def services_required() -> bool:
    return os.environ.get("CAUSERIE_REQUIRE_SERVICES", "") not in ("", "0")


def test_database_kind() -> str:
    return os.environ.get("CAUSERIE_TEST_DB", "sqlite")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test session, dropped afterwards."""
    import psycopg2

    name = f"causerie_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_ADMIN_DSN, connect_timeout=3)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def start_process(
    command: list[str], *, env: dict[str, str], log_path: Path, ready_url: str, name: str, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``command`` with its output in ``log_path`` and wait until ``ready_url`` answers 200."""
    log = log_path.open("wb")
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    # Generous: several servers may start at once on a loaded two-core machine; not a speed check.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(ready_url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not start:\n{log_path.read_text()}")


USERS = {
    "admin": "Administrator",
    "alice": "Alice Adams",
    "bob": "Bob Brown",
    "carol": "Carol Clark",
    "dave": "Dave Davis",
}
GROUPS = {"team": ["carol", "dave"]}


def password_of(uid: str) -> str:
    return f"{uid}-password-1"


async def _seed(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db)
        async with db.write() as conn:
            for uid, name in USERS.items():
                await users.create(conn, uid, password_of(uid), name)
            for gid, members in GROUPS.items():
                await accounts.insert_group(conn, gid, gid.capitalize())
                for uid in members:
                    await accounts.add_member(conn, gid, uid)
    finally:
        await db.dispose()


def database_beside(tmp_path: Path, database_url: str) -> str:
    """The database for a server a test starts beside the session's: on PostgreSQL the session's
    own (several processes may serve it); on SQLite a seeded file of its own, since a second server
    on a SQLite file is refused."""
    if not database_url.startswith("sqlite"):
        return database_url
    url = f"sqlite:///{tmp_path / 'beside.db'}"
    asyncio.run(_seed(url))
    return url


async def _execute(database_url: str, statement: str, params: dict[str, Any]) -> None:
    db = Database(database_url)
    try:
        async with db.write() as conn:
            await conn.execute(text(statement), params)
    finally:
        await db.dispose()


async def _query(database_url: str, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    db = Database(database_url)
    try:
        async with db.read() as conn:
            return [dict(row._mapping) for row in await conn.execute(text(statement), params)]
    finally:
        await db.dispose()


async def _reset_bruteforce(database_url: str, ip: str) -> None:
    from causerie.services.accounts.bruteforce import Throttler

    db = Database(database_url)
    try:
        await Throttler(db).reset(ip)
    finally:
        await db.dispose()


class ServerProcess:
    def __init__(
        self,
        data_dir: Path,
        database_url: str,
        *,
        broker_url: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CAUSERIE_DATA_DIR": str(data_dir),
            "CAUSERIE_DATABASE_URL": database_url,
            "CAUSERIE_BRUTEFORCE_SLEEP": "0",
            "PYTHONUNBUFFERED": "1",
        }
        if broker_url:
            self.env["CAUSERIE_BROKER_URL"] = broker_url
        self.env.update(extra_env or {})
        self.log_path = data_dir / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def seed(self) -> None:
        asyncio.run(_seed(self.database_url))

    def start(self) -> None:
        self.proc = start_process(
            [sys.executable, "-m", "causerie", "serve", "--port", str(self.port), "--log-level", "warning"],
            env=self.env,
            log_path=self.log_path,
            ready_url=f"{self.base_url}/status.php",
            name="server",
        )

    def stop(self, timeout: float = 15) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def reset_bruteforce(self, ip: str = "127.0.0.1") -> None:
        """What ``occ security:bruteforce:reset IP`` does, without paying for a process start.

        On a thread of its own: Playwright's sync API keeps an event loop running in this one.
        """
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, _reset_bruteforce(self.database_url, ip)).result()

    def occ(
        self, *args: str, env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "causerie.cli.occ", *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"occ {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result

    def sql(self, statement: str, **params: Any) -> None:
        """Run one statement on the server's database, for set-ups no API call can make."""
        asyncio.run(_execute(self.database_url, statement, params))

    def query(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        """Read rows straight from the server's database, for state no API exposes yet."""
        return asyncio.run(_query(self.database_url, statement, params))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def seeded_server(data_dir: Path, database_url: str, **kwargs: Any) -> Iterator[ServerProcess]:
    """A running server on a database seeded with the test users and groups; stopped afterwards."""
    process = ServerProcess(data_dir, database_url, **kwargs)
    process.seed()
    process.start()
    try:
        yield process
    finally:
        process.stop()

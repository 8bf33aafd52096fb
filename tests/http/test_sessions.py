"""Browser and guest sessions end after a time unused, are kept alive by use, and are deleted."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import ServerProcess, database_beside
from tests.web.test_pages import log_in

DAY = 24 * 3600


@pytest.fixture
def web(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client


def age(server: ServerProcess, web: httpx.Client, seconds: int) -> str:
    """Make the client's session look unused for ``seconds``; returns its id hash."""
    id_hash = hashlib.sha256(web.cookies["causerie_session"].encode()).hexdigest()
    server.sql("UPDATE http_sessions SET last_seen = :t WHERE id_hash = :h", t=int(time.time()) - seconds, h=id_hash)
    return id_hash


def last_seen(server: ServerProcess, id_hash: str) -> int | None:
    rows = server.query("SELECT last_seen FROM http_sessions WHERE id_hash = :h", h=id_hash)
    return int(rows[0]["last_seen"]) if rows else None


def test_a_browser_session_in_use_stays_and_one_unused_for_15_days_is_over(
    server: ServerProcess, web: httpx.Client, reset_bruteforce: None
) -> None:
    assert log_in(web).status_code == 303
    id_hash = age(server, web, 2 * 3600)
    assert web.get("/apps/spreed").status_code == 200
    seen = last_seen(server, id_hash)
    assert seen is not None and seen >= time.time() - 60  # used, so kept alive
    age(server, web, 16 * DAY)
    assert web.get("/apps/spreed", follow_redirects=False).status_code == 303  # back to the login


def test_an_anonymous_session_ends_after_a_day(server: ServerProcess, web: httpx.Client) -> None:
    web.get("/login")
    first = web.cookies["causerie_session"]
    age(server, web, 2 * DAY)
    web.get("/login")
    assert web.cookies["causerie_session"] != first


def test_expired_sessions_are_deleted_when_a_server_starts(tmp_path: Path, database_url: str) -> None:
    own = ServerProcess(tmp_path, database_beside(tmp_path, database_url))
    own.start()
    try:
        with httpx.Client(base_url=own.base_url) as stale, httpx.Client(base_url=own.base_url) as fresh:
            stale.get("/login")
            fresh.get("/login")
            stale_hash = age(own, stale, 2 * DAY)
            fresh_hash = age(own, fresh, 60)
        own.stop()
        own.start()
        deadline = time.monotonic() + 30
        while last_seen(own, stale_hash) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert last_seen(own, stale_hash) is None
        assert last_seen(own, fresh_hash) is not None
    finally:
        own.stop()

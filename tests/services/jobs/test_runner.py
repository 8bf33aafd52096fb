"""Durable jobs: written with the change that asks for them, run once, retried, given up on."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from causerie.events.broker import LocalBroker
from causerie.events.hub import Hub
from causerie.services import clock
from causerie.services.jobs import queue as jobs
from causerie.services.jobs.queue import GiveUp, JobContext
from causerie.services.jobs.runner import LEASE_S, Runner
from causerie.storage import jobs as store
from causerie.storage.db import Database
from causerie.storage.migrate import upgrade
from tests.conftest import fresh_postgres_database
from tests.support import server as support
from tests.support.server import ServerProcess


@pytest.fixture
def database_urls(tmp_path: Path) -> Iterator[str]:
    """A fresh database of the kind the suite runs on."""
    if support.test_database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.db'}"
        return
    yield from fresh_postgres_database()


@pytest.fixture(autouse=True)
def restore_clock() -> Iterator[None]:
    before = clock._offset
    yield
    clock._offset = before


async def _database(url: str) -> Database:
    db = Database(url)
    await upgrade(db)
    return db


class Recorder:
    def __init__(self, fail_times: int = 0, give_up: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail_times = fail_times
        self.give_up = give_up

    async def __call__(self, context: JobContext, payload: dict[str, Any]) -> None:
        self.calls.append(payload)
        if self.give_up:
            raise GiveUp("the subscription is gone")
        if len(self.calls) <= self.fail_times:
            raise ConnectionError("the other side is down")


def _runner(db: Database, handlers: dict[str, Any]) -> Runner:
    hub = Hub()
    return Runner(JobContext(db, httpx.AsyncClient(), LocalBroker(hub)), hub, handlers)


async def _rows(db: Database) -> list[Any]:
    async with db.read() as conn:
        return list(await store.list_jobs(conn, limit=10_000))


async def _run_until_idle(*runners: Runner) -> None:
    while True:
        started = 0
        for runner in runners:
            started += await runner.run_due()
        for runner in runners:
            await runner.drain()
        if not started:
            return


def test_a_job_exists_only_if_its_transaction_commits(database_urls: str) -> None:
    async def main() -> list[Any]:
        db = await _database(database_urls)
        try:
            with pytest.raises(RuntimeError):
                async with db.write() as conn:
                    await jobs.enqueue(conn, "push", {"to": "alice"})
                    raise RuntimeError("the change failed")
            async with db.write() as conn:
                await jobs.enqueue(conn, "push", {"to": "bob"})
            return await _rows(db)
        finally:
            await db.dispose()

    rows = asyncio.run(main())
    assert [json.loads(row.payload) for row in rows] == [{"to": "bob"}]


def test_a_job_runs_once_and_is_done(database_urls: str) -> None:
    handler = Recorder()

    async def main() -> list[Any]:
        db = await _database(database_urls)
        try:
            async with db.write() as conn:
                await jobs.enqueue(conn, "push", {"to": "alice"})
            await _run_until_idle(_runner(db, {"push": handler}))
            return await _rows(db)
        finally:
            await db.dispose()

    rows = asyncio.run(main())
    assert handler.calls == [{"to": "alice"}]
    assert [(row.state, row.attempts) for row in rows] == [("done", 1)]


def test_a_failing_job_is_tried_again_after_its_backoff(database_urls: str) -> None:
    handler = Recorder(fail_times=2)

    async def main() -> list[Any]:
        db = await _database(database_urls)
        try:
            async with db.write() as conn:
                await jobs.enqueue(conn, "webhook", {"n": 1})
            runner = _runner(db, {"webhook": handler})
            await _run_until_idle(runner)
            assert len(handler.calls) == 1  # the retry is not due yet
            for _ in range(2):
                clock.advance(jobs.BACKOFF_CAP_S)
                await _run_until_idle(runner)
            return await _rows(db)
        finally:
            await db.dispose()

    rows = asyncio.run(main())
    assert len(handler.calls) == 3
    assert [(row.state, row.attempts, row.last_error) for row in rows] == [("done", 3, None)]


def test_jobs_that_cannot_succeed_are_dead_and_can_be_revived(database_urls: str) -> None:
    async def main() -> tuple[list[Any], list[Any]]:
        db = await _database(database_urls)
        try:
            async with db.write() as conn:
                await jobs.enqueue(conn, "gone", {})
                await jobs.enqueue(conn, "flaky", {}, max_attempts=2)
                await jobs.enqueue(conn, "unknown kind", {})
            runner = _runner(db, {"gone": Recorder(give_up=True), "flaky": Recorder(fail_times=5)})
            await _run_until_idle(runner)
            clock.advance(jobs.BACKOFF_CAP_S)
            await _run_until_idle(runner)
            dead = await _rows(db)
            assert await jobs.retry_dead(db, None) == 3
            return dead, await _rows(db)
        finally:
            await db.dispose()

    dead, revived = asyncio.run(main())
    by_kind = {row.kind: row for row in dead}
    assert {row.state for row in dead} == {"dead"}
    assert by_kind["gone"].attempts == 1 and "gave up" in by_kind["gone"].last_error
    assert by_kind["flaky"].attempts == 2 and "ConnectionError" in by_kind["flaky"].last_error
    assert "no handler" in by_kind["unknown kind"].last_error
    assert {(row.state, row.attempts) for row in revived} == {("pending", 0)}


def test_two_processes_run_each_job_once(database_urls: str) -> None:
    done: Counter[int] = Counter()

    async def handler(context: JobContext, payload: dict[str, Any]) -> None:
        done[payload["n"]] += 1
        await asyncio.sleep(0)

    async def main() -> list[Any]:
        first, second = await _database(database_urls), await _database(database_urls)
        try:
            async with first.write() as conn:
                for n in range(200):
                    await jobs.enqueue(conn, "work", {"n": n})
            await _run_until_idle(_runner(first, {"work": handler}), _runner(second, {"work": handler}))
            return await _rows(first)
        finally:
            await first.dispose()
            await second.dispose()

    rows = asyncio.run(main())
    assert done == Counter({n: 1 for n in range(200)})
    assert {row.state for row in rows} == {"done"}


def test_a_job_whose_runner_died_is_taken_over_after_its_lease(database_urls: str) -> None:
    handler = Recorder()

    async def main() -> list[Any]:
        db = await _database(database_urls)
        try:
            async with db.write() as conn:
                await jobs.enqueue(conn, "push", {"to": "carol"})
                # A runner took it and died before finishing.
                now = clock.now()
                claimed = await store.claim(conn, worker="gone:1", now=now, lease_until=now + LEASE_S, limit=1)
            assert len(claimed) == 1
            runner = _runner(db, {"push": handler})
            await _run_until_idle(runner)
            assert handler.calls == []  # the lease still holds
            clock.advance(LEASE_S + 1)
            await _run_until_idle(runner)
            return await _rows(db)
        finally:
            await db.dispose()

    rows = asyncio.run(main())
    assert handler.calls == [{"to": "carol"}]
    assert [(row.state, row.attempts) for row in rows] == [("done", 2)]


def test_a_dedupe_key_keeps_one_job(database_urls: str) -> None:
    async def main() -> tuple[bool, bool, int]:
        db = await _database(database_urls)
        try:
            async with db.write() as conn:
                first = await jobs.enqueue(conn, "reminder", {"m": 1}, dedupe_key="reminder:alice:1")
                again = await jobs.enqueue(conn, "reminder", {"m": 1}, dedupe_key="reminder:alice:1")
            return first, again, len(await _rows(db))
        finally:
            await db.dispose()

    assert asyncio.run(main()) == (True, False, 1)


async def _enqueue_unknown(url: str) -> None:
    db = Database(url)
    try:
        async with db.write() as conn:
            await jobs.enqueue(conn, "no such kind", {"from": "a test"})
    finally:
        await db.dispose()


def test_the_server_runs_jobs_and_occ_shows_the_dead(server: ServerProcess) -> None:
    asyncio.run(_enqueue_unknown(server.database_url))
    # The runner polls at least every second; wait for its verdict on the job.
    for _ in range(100):
        listed = json.loads(server.occ("background-job:list", "--state", "dead", "--output", "json").stdout)
        if any(job["kind"] == "no such kind" for job in listed):
            break
        asyncio.run(asyncio.sleep(0.1))
    job = next(job for job in listed if job["kind"] == "no such kind")
    assert "no handler" in job["last_error"]
    revived = server.occ("background-job:retry", str(job["id"]))
    assert "1 job(s) will be tried again" in revived.stdout

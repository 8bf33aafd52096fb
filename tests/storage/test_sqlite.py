"""SQLite writes committed in groups: each writer's work is committed before its write() returns,
and a writer that fails or goes away takes only its own work with it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select

from causerie.storage.db import Database
from causerie.storage.prepared import prepared

notes = Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("text", String(20)))


async def _database(path: Path) -> Database:
    db = Database(f"sqlite:///{path / 'group.db'}")
    async with db.write() as conn:
        await conn.run_sync(notes.create)
    return db


async def _texts(db: Database) -> list[str]:
    async with db.read() as conn:
        return [row.text for row in await conn.execute(select(notes.c.text).order_by(notes.c.id))]


def test_concurrent_writers_each_see_their_write_committed_when_it_returns(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[bool], list[str]]:
        db = await _database(tmp_path)

        async def writer(i: int) -> bool:
            async with db.write() as conn:
                await conn.execute(notes.insert().values(text=f"n{i}"))
            # Another connection: only committed rows are visible to it.
            return f"n{i}" in await _texts(db)

        try:
            seen = await asyncio.gather(*(writer(i) for i in range(20)))
            return list(seen), await _texts(db)
        finally:
            await db.dispose()

    seen, texts = asyncio.run(scenario())
    assert all(seen)
    assert sorted(texts) == sorted(f"n{i}" for i in range(20))


def test_a_failing_writer_in_a_group_rolls_back_only_its_own_work(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[object], list[str]]:
        db = await _database(tmp_path)

        async def writer(i: int) -> str:
            async with db.write() as conn:
                await conn.execute(notes.insert().values(text=f"n{i}"))
                if i == 3:
                    raise ValueError("refused")
            return "ok"

        try:
            outcomes = await asyncio.gather(*(writer(i) for i in range(6)), return_exceptions=True)
            return list(outcomes), await _texts(db)
        finally:
            await db.dispose()

    outcomes, texts = asyncio.run(scenario())
    assert [type(o).__name__ if isinstance(o, Exception) else o for o in outcomes] == [
        "ok", "ok", "ok", "ValueError", "ok", "ok",
    ]  # fmt: skip
    assert sorted(texts) == ["n0", "n1", "n2", "n4", "n5"]


def test_failing_writers_anywhere_in_a_long_group_roll_back_only_their_own_work(tmp_path: Path) -> None:
    # One group of 40 writers: failures first, last, in runs and alone must all leave the others' work.
    failing = {0, 3, 8, 9, 16, 17, 18, 30, 39}

    async def scenario() -> list[str]:
        db = await _database(tmp_path)

        async def writer(i: int) -> None:
            async with db.write() as conn:
                await conn.execute(notes.insert().values(text=f"n{i}"))
                if i in failing:
                    raise ValueError("refused")

        try:
            await asyncio.gather(*(writer(i) for i in range(40)), return_exceptions=True)
            return await _texts(db)
        finally:
            await db.dispose()

    assert sorted(asyncio.run(scenario())) == sorted(f"n{i}" for i in range(40) if i not in failing)


def test_a_writer_that_goes_away_does_not_stop_the_commit_of_the_others(tmp_path: Path) -> None:
    async def scenario() -> tuple[bool, list[str]]:
        db = await _database(tmp_path)

        async def writer(text: str) -> None:
            async with db.write() as conn:
                await conn.execute(notes.insert().values(text=text))

        try:
            first = asyncio.ensure_future(writer("gone"))
            second = asyncio.ensure_future(writer("stays"))
            await asyncio.sleep(0)  # both are in the group and waiting for its commit
            first.cancel()
            await second
            await asyncio.gather(first, return_exceptions=True)
            return first.cancelled(), await _texts(db)
        finally:
            await db.dispose()

    cancelled, texts = asyncio.run(scenario())
    # Its work was in the group before it went away: committed with the others, as a request whose
    # client hangs up after sending still leaves its message.
    assert cancelled and texts == ["gone", "stays"]


def test_a_read_is_one_snapshot_unless_asked_otherwise(tmp_path: Path) -> None:
    async def counts(snapshot: bool) -> tuple[int, int]:
        db = await _database(tmp_path / str(snapshot))
        try:
            async with db.read(snapshot=snapshot) as conn:
                before = len((await conn.execute(select(notes.c.id))).all())
                # A commit between two statements of the read.
                async with db.write() as writer:
                    await writer.execute(notes.insert().values(text="late"))
                after = len((await conn.execute(select(notes.c.id))).all())
            return before, after
        finally:
            await db.dispose()

    assert asyncio.run(counts(snapshot=True)) == (0, 0)
    assert asyncio.run(counts(snapshot=False)) == (0, 1)


def test_a_connection_kept_after_its_transaction_refuses_statements(tmp_path: Path) -> None:
    # Its sqlite3 connection is back in the pool, maybe inside another request's transaction.
    by_text = prepared(select(notes.c.id).where(notes.c.text == bindparam("text")))

    async def scenario() -> list[str]:
        db = await _database(tmp_path)
        refused = []
        try:
            async with db.write() as kept_writer:
                await kept_writer.execute(by_text, {"text": "x"})
            async with db.read() as kept_reader:
                await kept_reader.execute(by_text, {"text": "x"})
            for conn in (kept_writer, kept_reader):
                for statement, parameters in ((by_text, {"text": "x"}), (notes.insert().values(text="late"), None)):
                    try:
                        await conn.execute(statement, parameters)
                    except RuntimeError:
                        refused.append("refused")
            return refused + await _texts(db)
        finally:
            await db.dispose()

    assert asyncio.run(scenario()) == ["refused"] * 4

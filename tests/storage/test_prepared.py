"""Prepared statements give the same results as SQLAlchemy's execution, on the test database.

On SQLite they run on the ``sqlite3`` connection directly, so these tests hold that path to
SQLAlchemy's behaviour: Booleans, column defaults, RETURNING, rowcount, rows by name and index.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, bindparam, select, update

from causerie.storage.db import Database, insert_id
from causerie.storage.prepared import plan_for, prepared

_names = itertools.count()


def _table() -> Table:
    return Table(
        f"prepared_probe_{next(_names)}",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(32), nullable=False),
        Column("flag", Boolean, nullable=False, default=False),
        Column("note", String(32), nullable=True),
    )


def run(database_url: str, table: Table, body: Callable[[Database], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        db = Database(database_url)
        try:
            async with db.write() as conn:
                await conn.run_sync(table.create)
            try:
                return await body(db)
            finally:
                async with db.write() as conn:
                    await conn.run_sync(table.drop)
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_select_rows_match_sqlalchemy(database_url: str) -> None:
    table = _table()
    by_name = prepared(select(table).where(table.c.name == bindparam("name")).order_by(table.c.id))

    async def body(db: Database) -> None:
        async with db.write() as conn:
            await conn.execute(
                table.insert(),
                [{"name": "a", "flag": True}, {"name": "a", "flag": False}, {"name": "b", "flag": False}],
            )
        async with db.read() as conn:
            fast = (await conn.execute(by_name, {"name": "a"})).all()
            plain = (await conn.execute(select(table).where(table.c.name == "a").order_by(table.c.id))).all()
        assert [tuple(r) for r in fast] == [tuple(r) for r in plain]
        assert [r.flag for r in fast] == [True, False]
        assert all(type(r.flag) is bool for r in fast)
        assert fast[0]._mapping["name"] == "a" and fast[0][1] == "a" and fast[1].note is None

    run(database_url, table, body)


def test_insert_fills_column_defaults_and_returns_the_id(database_url: str) -> None:
    table = _table()
    insert = prepared(table.insert().values(name=bindparam("name")).returning(table.c.id))

    async def body(db: Database) -> None:
        async with db.write() as conn:
            first = (await conn.execute(insert, {"name": "x"})).scalar_one()
            second = (await conn.execute(insert, {"name": "y"})).scalar_one()
            # A statement SQLAlchemy runs sees the rows the prepared one wrote in the same transaction.
            rows = (await conn.execute(select(table.c.id, table.c.flag).order_by(table.c.id))).all()
        assert second > first
        assert [tuple(r) for r in rows] == [(first, False), (second, False)]

    run(database_url, table, body)


def test_insert_id_is_the_new_rows_key_with_and_without_the_direct_path(database_url: str) -> None:
    table = _table()
    fast = prepared(table.insert().values(name=bindparam("name")))

    async def body(db: Database) -> None:
        async with db.write() as conn:
            first = await insert_id(conn, fast, {"name": "x"})
            second = await insert_id(conn, table.insert().values(name="y"))
            third = await insert_id(conn, fast, {"name": "z"})
            rows = (await conn.execute(select(table.c.id, table.c.name).order_by(table.c.id))).all()
        assert [tuple(r) for r in rows] == [(first, "x"), (second, "y"), (third, "z")]

    run(database_url, table, body)


def test_update_reports_rowcount_and_a_failed_transaction_keeps_nothing(database_url: str) -> None:
    table = _table()
    rename = prepared(update(table).where(table.c.name == bindparam("old")).values(name=bindparam("new")))
    count = prepared(select(table.c.id).where(table.c.name == bindparam("name")))

    async def body(db: Database) -> None:
        async with db.write() as conn:
            await conn.execute(table.insert(), [{"name": "a"}, {"name": "a"}, {"name": "b"}])
            assert (await conn.execute(rename, {"old": "a", "new": "c"})).rowcount == 2
        with pytest.raises(RuntimeError):
            async with db.write() as conn:
                await conn.execute(rename, {"old": "c", "new": "d"})
                raise RuntimeError("abandon")
        async with db.read() as conn:
            assert len((await conn.execute(count, {"name": "c"})).all()) == 2
            assert (await conn.execute(count, {"name": "d"})).first() is None

    run(database_url, table, body)


def test_only_marked_statements_take_the_direct_path() -> None:
    table = _table()
    statement = select(table).where(table.c.id == bindparam("id"))
    assert plan_for(statement) is None
    assert plan_for(prepared(statement)) is not None


def test_a_computed_column_default_is_refused() -> None:
    table = Table(
        "computed_default", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer, default=lambda: 1)
    )
    with pytest.raises(TypeError, match="scalar column defaults"):
        plan_for(prepared(table.insert().values(id=bindparam("id"))))

"""The database handle: engines, SQLite pragmas, and read()/write() transactions.

Storage functions take a ``Conn``: on PostgreSQL SQLAlchemy's ``AsyncConnection`` (asyncpg), on
SQLite a ``LoopConnection``, SQLAlchemy's synchronous connection run in place on the event loop.

SQLite is a library, not a server: a statement on Causerie's small indexed tables takes a few
microseconds, while an asyncio driver hands every cursor, execute, fetch and close to a worker thread
and back, through greenlets. Measured with ``bench/``, those hand-offs were most of a request's
cost. Running in place is safe because:

- one process owns the file (the several-process setup runs on PostgreSQL);
- writers of this process queue on an ``asyncio.Lock``, so ``BEGIN IMMEDIATE`` never waits for
  another transaction of this process (which could not finish while the loop is blocked), only,
  within ``busy_timeout``, for a short write of an ``occ`` command;
- in WAL mode readers never wait for the writer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, CursorResult, Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlalchemy.sql.base import Executable

from causerie.settings import normalise_database_url
from causerie.storage.prepared import plan_for

T = TypeVar("T")


class Conn(Protocol):
    """What storage code may do with a connection inside ``read()`` or ``write()``."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[*tuple[Any, ...]]: ...

    def begin_nested(self) -> Any: ...

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T: ...


class LoopConnection:
    """A synchronous SQLAlchemy connection behind the ``Conn`` interface; statements run in place,
    prepared ones (``storage.prepared``) straight on the ``sqlite3`` connection."""

    def __init__(self, sync: Connection, driver: sqlite3.Connection) -> None:
        self.sync = sync
        self._driver = driver

    @property
    def dialect(self) -> Dialect:
        return self.sync.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[*tuple[Any, ...]]:
        plan = plan_for(statement)
        if plan is None:
            return self.sync.execute(statement, parameters)
        # Result offers the part of CursorResult that storage code uses.
        return plan.run(self._driver, parameters)  # type: ignore[return-value]

    @asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        with self.sync.begin_nested():
            yield

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return fn(self.sync, *args)


class _SQLiteConnections:
    """Open SQLite connections, each kept with its SQLAlchemy ``Connection`` for good.

    Transactions are begun and ended on the ``sqlite3`` connection itself (SQLAlchemy's begin,
    commit and pool checkout cost about fifty microseconds a transaction, the statements a few).
    SQLAlchemy still runs the statements given to it inside; it sees them as "autobegun" and is
    reset after the real COMMIT or ROLLBACK. Everything runs on one thread, so a transaction never
    waits for a connection: another one is opened (readers do not block each other in WAL mode).
    """

    KEEP_IDLE = 32

    def __init__(self, url: str) -> None:
        file = _sqlite_file(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        self._engine = create_engine(url, connect_args={"timeout": 30}, poolclass=NullPool)
        event.listen(self._engine, "connect", _sqlite_pragmas)
        self._idle: list[tuple[Connection, Any]] = []

    @contextmanager
    def transaction(self, *, immediate: bool) -> Iterator[LoopConnection]:
        if self._idle:
            sync, driver = self._idle.pop()
        else:
            sync = self._engine.connect()
            driver = sync.connection.driver_connection
        try:
            driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield LoopConnection(sync, driver)
            except BaseException:
                driver.rollback()
                if sync.in_transaction():
                    sync.rollback()
                raise
            driver.commit()
            if sync.in_transaction():
                sync.commit()
        except BaseException:
            sync.close()
            raise
        if len(self._idle) < self.KEEP_IDLE:
            self._idle.append((sync, driver))
        else:
            sync.close()

    def dispose(self) -> None:
        idle, self._idle = self._idle, []
        for sync, _ in idle:
            sync.close()
        self._engine.dispose()


def _sqlite_file(url: str) -> Path | None:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path.startswith(":memory:"):
        return None
    return Path(path.split("?", 1)[0])


def _sqlite_pragmas(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    # BEGIN is issued by _SQLiteConnections, so that write transactions can be IMMEDIATE.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """One per process. SQLite runs in WAL mode and every write transaction starts with ``BEGIN
    IMMEDIATE``: a deferred BEGIN that reads and then writes loses the race to a concurrent writer
    with "database is locked"."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._sqlite: _SQLiteConnections | None = None
        self._pg: AsyncEngine | None = None
        self._write_lock = asyncio.Lock()
        if self.is_sqlite:
            self._sqlite = _SQLiteConnections(self.url)
        else:
            self._pg = create_async_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        """A read-only transaction (a consistent snapshot on both engines)."""
        if self._pg is not None:
            async with self._pg.connect() as conn, conn.begin():
                yield conn
            return
        assert self._sqlite is not None
        with self._sqlite.transaction(immediate=False) as loop_conn:
            yield loop_conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        """A write transaction, committed when the block ends without an exception."""
        if self._pg is not None:
            async with self._pg.connect() as conn, conn.begin():
                yield conn
            return
        assert self._sqlite is not None
        async with self._write_lock:
            with self._sqlite.transaction(immediate=True) as loop_conn:
                yield loop_conn

    async def dispose(self) -> None:
        if self._pg is not None:
            await self._pg.dispose()
        if self._sqlite is not None:
            self._sqlite.dispose()

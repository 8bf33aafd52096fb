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
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar, Unpack

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.base import Executable

from causerie.settings import normalise_database_url

T = TypeVar("T")
_IMMEDIATE = "causerie_immediate"


class Conn(Protocol):
    """What storage code may do with a connection inside ``read()`` or ``write()``."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Unpack[tuple[Any, ...]]]: ...

    def begin_nested(self) -> Any: ...

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T: ...


class LoopConnection:
    """A synchronous SQLAlchemy connection behind the ``Conn`` interface; statements run in place."""

    def __init__(self, sync: Connection) -> None:
        self.sync = sync

    @property
    def dialect(self) -> Dialect:
        return self.sync.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Unpack[tuple[Any, ...]]]:
        return self.sync.execute(statement, parameters)

    @asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        with self.sync.begin_nested():
            yield

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return fn(self.sync, *args)


def _sqlite_file(url: str) -> Path | None:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path.startswith(":memory:"):
        return None
    return Path(path.split("?", 1)[0])


def _sqlite_engine(url: str) -> Engine:
    file = _sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    # Everything runs on one thread, so a checkout must never wait for a connection to come back:
    # the pool opens another one instead (readers do not block each other in WAL mode).
    engine = create_engine(url, connect_args={"timeout": 30}, pool_size=10, max_overflow=-1)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN out of the driver's hands so that we can choose IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One per process. SQLite runs in WAL mode and every write transaction starts with ``BEGIN
    IMMEDIATE``: a deferred BEGIN that reads and then writes loses the race to a concurrent writer
    with "database is locked"."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._sqlite: Engine | None = None
        self._pg: AsyncEngine | None = None
        self._write_lock = asyncio.Lock()
        if self.is_sqlite:
            self._sqlite = _sqlite_engine(self.url)
        else:
            self._pg = create_async_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)

    @contextmanager
    def _sqlite_transaction(self, *, immediate: bool) -> Iterator[LoopConnection]:
        assert self._sqlite is not None
        with self._sqlite.connect() as sync:
            if immediate:
                sync = sync.execution_options(**{_IMMEDIATE: True})
            with sync.begin():
                yield LoopConnection(sync)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Conn]:
        """A read-only transaction (a consistent snapshot on both engines)."""
        if self._pg is not None:
            async with self._pg.connect() as conn, conn.begin():
                yield conn
            return
        with self._sqlite_transaction(immediate=False) as loop_conn:
            yield loop_conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        """A write transaction, committed when the block ends without an exception."""
        if self._pg is not None:
            async with self._pg.connect() as conn, conn.begin():
                yield conn
            return
        async with self._write_lock:
            with self._sqlite_transaction(immediate=True) as loop_conn:
                yield loop_conn

    async def dispose(self) -> None:
        if self._pg is not None:
            await self._pg.dispose()
        if self._sqlite is not None:
            self._sqlite.dispose()

"""SQLite run in place on the event loop: connections, read transactions and grouped commits.

SQLite is a library, not a server: a statement on Causerie's small indexed tables takes a few
microseconds, while an asyncio driver hands every cursor, execute, fetch and close to a worker
thread and back, through greenlets. Measured with ``bench/``, those hand-offs were most of a
request's cost. Running in place is safe because:

- one process owns the file (the several-process setup runs on PostgreSQL);
- writers of this process queue on an ``asyncio.Lock``, so ``BEGIN IMMEDIATE`` never waits for
  another transaction of this process (which could not finish while the loop is blocked), only,
  within ``busy_timeout``, for a short write of an ``occ`` command;
- in WAL mode readers never wait for the writer.

Writes are committed in groups. A COMMIT costs more than the statements of a chat message (the
WAL frames of every page touched), so the writers that arrive while a transaction is open share
it: each runs inside a SAVEPOINT of its own (a failing writer rolls back only its own work), and
all of them wait for the one COMMIT, which runs once they are through. Nobody's write is answered
before it is committed.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, CursorResult, Dialect
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlalchemy.sql.base import Executable

from causerie.storage.prepared import known_plan, plan_for

T = TypeVar("T")


class LoopConnection:
    """A synchronous SQLAlchemy connection behind the ``Conn`` interface; statements run in place,
    prepared ones (``storage.prepared``) straight on the ``sqlite3`` connection."""

    __slots__ = ("_closed", "_cursor", "driver", "sync")

    def __init__(self, sync: Connection, driver: sqlite3.Connection) -> None:
        self.sync = sync
        self.driver = driver
        # One cursor for the transaction's prepared statements (``Connection.execute`` would make
        # one per statement); each statement's rows are fetched before the next runs.
        self._cursor: sqlite3.Cursor | None = None
        self._closed = False

    @property
    def dialect(self) -> Dialect:
        return self.sync.dialect

    def close(self) -> None:
        """At the end of the transaction. The connection goes back to the pool, so this object
        refuses statements from now on (they would run in another request's transaction); and
        it drops its cursor, since a request may keep it in scope (a long-poll parks with it)."""
        self._closed = True
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise RuntimeError("statement on a connection whose transaction has ended")

    def _open_cursor(self) -> sqlite3.Cursor:
        self._refuse_if_closed()
        self._cursor = self.driver.cursor()
        return self._cursor

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[*tuple[Any, ...]]:
        plan = known_plan(id(statement)) or plan_for(statement)
        if plan is None:
            self._refuse_if_closed()
            return self.sync.execute(statement, parameters)
        # Result offers the part of CursorResult that storage code uses.
        return plan.run(self._cursor or self._open_cursor(), parameters)  # type: ignore[return-value]

    @asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        with self.sync.begin_nested():
            yield

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        # The transaction was begun on the driver; SQLAlchemy (and Alembic, which would otherwise
        # commit it itself) must see one open too.
        if not self.sync.in_transaction():
            self.sync.begin()
        return fn(self.sync, *args)


def _file_of(url: str) -> Path | None:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path.startswith(":memory:"):
        return None
    return Path(path.split("?", 1)[0])


def _pragmas(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
    # BEGIN is issued here, not by the driver, so that write transactions can be IMMEDIATE.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _end(sync: Connection, driver: sqlite3.Connection, *, commit: bool) -> None:
    """End the transaction on the driver, then tell SQLAlchemy (it saw the statements it ran as
    "autobegun")."""
    if commit:
        driver.commit()
    else:
        driver.rollback()
    if sync.in_transaction():
        sync.rollback()


class _Group:
    """The write transaction the current writers share, and the COMMIT they wait for."""

    def __init__(self, sync: Connection, driver: sqlite3.Connection) -> None:
        self.sync = sync
        self.driver = driver
        self.writers = 0
        # One future per writer that waits for the COMMIT: a writer that goes away cancels its own
        # (cheaper than shielding one shared future for each).
        self.waiting: list[asyncio.Future[None]] = []

    def settle(self, error: BaseException | None) -> None:
        """Tell the writers still waiting how the COMMIT went."""
        for committed in self.waiting:
            if committed.done():
                continue  # its writer went away
            if error is None:
                committed.set_result(None)
            else:
                committed.set_exception(error)


# Transactions as plain context-manager classes: every request opens one or two, and a generator
# based context manager costs a frame and a generator each time.


class _Read:
    """A read transaction on a connection of its own; a connection whose block failed is closed.
    Without ``snapshot`` there is no BEGIN: each statement reads the latest commit on its own."""

    __slots__ = ("_conn", "_db", "_snapshot")

    def __init__(self, db: SQLiteDatabase, snapshot: bool) -> None:
        self._db = db
        self._snapshot = snapshot

    async def __aenter__(self) -> LoopConnection:
        sync, driver = self._db._checkout()
        try:
            if self._snapshot:
                driver.execute("BEGIN")
        except BaseException:
            sync.close()
            raise
        self._conn = LoopConnection(sync, driver)
        return self._conn

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        conn = self._conn
        conn.close()
        try:
            _end(conn.sync, conn.driver, commit=False)
        except BaseException:
            conn.sync.close()
            raise
        if kind is None:
            self._db._checkin(conn.sync, conn.driver)
        else:
            conn.sync.close()


class _Write:
    """A writer's part of the current group: a SAVEPOINT, then the wait for the group's COMMIT."""

    __slots__ = ("_conn", "_db", "_group", "_savepoint")

    def __init__(self, db: SQLiteDatabase) -> None:
        self._db = db

    async def __aenter__(self) -> LoopConnection:
        db = self._db
        await db._write_lock.acquire()
        try:
            group = db._group or db._open_group()
            self._savepoint = savepoint = f"causerie_write_{group.writers}"
            group.writers += 1
            group.driver.execute(f"SAVEPOINT {savepoint}")
        except BaseException:
            db._write_lock.release()
            raise
        self._group = group
        self._conn = LoopConnection(group.sync, group.driver)
        return self._conn

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._conn.close()
        group, savepoint = self._group, self._savepoint
        try:
            if kind is not None:
                group.driver.execute(f"ROLLBACK TO {savepoint}")
            group.driver.execute(f"RELEASE {savepoint}")
        finally:
            self._db._write_lock.release()
        if kind is None:
            committed = asyncio.get_running_loop().create_future()
            group.waiting.append(committed)
            await committed


class SQLiteDatabase:
    """Open SQLite connections, each kept with its SQLAlchemy ``Connection`` for good.

    Transactions are begun and ended on the ``sqlite3`` connection itself (SQLAlchemy's begin,
    commit and pool checkout cost about fifty microseconds a transaction, the statements a few).
    Everything runs on one thread, so a transaction never waits for a connection: another one is
    opened (readers do not block each other in WAL mode).
    """

    KEEP_IDLE = 32

    def __init__(self, url: str) -> None:
        file = _file_of(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        self._engine = create_engine(url, connect_args={"timeout": 30}, poolclass=NullPool)
        event.listen(self._engine, "connect", _pragmas)
        self._idle: list[tuple[Connection, Any]] = []
        self._write_lock = asyncio.Lock()
        self._group: _Group | None = None
        self._commits: set[asyncio.Task[None]] = set()

    def _checkout(self) -> tuple[Connection, sqlite3.Connection]:
        if self._idle:
            return self._idle.pop()
        sync = self._engine.connect()
        return sync, sync.connection.driver_connection  # type: ignore[return-value]

    def _checkin(self, sync: Connection, driver: sqlite3.Connection) -> None:
        if len(self._idle) < self.KEEP_IDLE:
            self._idle.append((sync, driver))
        else:
            sync.close()

    @property
    def idle(self) -> int:
        """Open connections waiting for a transaction (for the metrics)."""
        return len(self._idle)

    def read(self, *, snapshot: bool = True) -> _Read:
        return _Read(self, snapshot)

    def write(self) -> _Write:
        return _Write(self)

    def _open_group(self) -> _Group:
        sync, driver = self._checkout()
        try:
            driver.execute("BEGIN IMMEDIATE")
        except BaseException:
            sync.close()
            raise
        group = self._group = _Group(sync, driver)
        # Queued on the lock behind the writers already waiting, which join this group first.
        task = asyncio.get_running_loop().create_task(self._commit(group))
        self._commits.add(task)
        task.add_done_callback(self._commits.discard)
        return group

    async def _commit(self, group: _Group) -> None:
        async with self._write_lock:
            self._group = None
            try:
                _end(group.sync, group.driver, commit=True)
            except BaseException as error:
                group.sync.close()
                group.settle(error)
                return
            self._checkin(group.sync, group.driver)
            group.settle(None)

    async def dispose(self) -> None:
        if self._commits:
            await asyncio.gather(*self._commits, return_exceptions=True)
        idle, self._idle = self._idle, []
        for sync, _ in idle:
            sync.close()
        self._engine.dispose()

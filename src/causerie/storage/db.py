"""The database handle: read() and write() transactions on SQLite or PostgreSQL.

Storage functions take a ``Conn``: on PostgreSQL SQLAlchemy's ``AsyncConnection`` (asyncpg), on
SQLite a ``LoopConnection``, SQLAlchemy's synchronous connection used in place on the event loop
(``storage/sqlite.py`` says why that is safe and fast).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.sql.base import Executable

from causerie.settings import normalise_database_url
from causerie.storage.sqlite import SQLiteDatabase

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")


class Conn(Protocol):
    """What storage code may do with a connection inside ``read()`` or ``write()``."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[*tuple[Any, ...]]: ...

    def begin_nested(self) -> Any: ...

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T: ...


async def insert_id(conn: Conn, statement: Executable, parameters: Any = None) -> int:
    """Run an INSERT of one row and return its new primary key: SQLite's rowid there (a RETURNING
    clause would cost SQLite an ephemeral table per statement), RETURNING on PostgreSQL."""
    key = (await conn.execute(statement, parameters)).inserted_primary_key
    assert key is not None
    return int(key[0])


class Database:
    """One per process. SQLite runs in WAL mode and every write transaction starts with ``BEGIN
    IMMEDIATE``: a deferred BEGIN that reads and then writes loses the race to a concurrent writer
    with "database is locked"."""

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._sqlite: SQLiteDatabase | None = None
        self._pg: AsyncEngine | None = None
        if self.is_sqlite:
            self._sqlite = SQLiteDatabase(self.url)
        else:
            # Imported here: SQLAlchemy's asyncio layer brings its ORM along, a tenth of a second
            # every occ call on SQLite would pay for nothing.
            from sqlalchemy.ext.asyncio import create_async_engine

            self._pg = create_async_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)

    def read(self, *, snapshot: bool = True) -> AbstractAsyncContextManager[Conn]:
        """A read-only transaction (a consistent snapshot on both engines). ``snapshot=False`` is
        for reads whose statements need not agree with each other (one lookup): on SQLite each
        statement then runs on its own, without the BEGIN and ROLLBACK around it."""
        if self._sqlite is not None:
            return self._sqlite.read(snapshot=snapshot)
        return self._pg_transaction()

    def write(self) -> AbstractAsyncContextManager[Conn]:
        """A write transaction: committed when the block ends without an exception, before
        ``write()`` returns; rolled back (only this block's work) when it raises."""
        if self._sqlite is not None:
            return self._sqlite.write()
        return self._pg_transaction()

    @asynccontextmanager
    async def _pg_transaction(self) -> AsyncIterator[Conn]:
        assert self._pg is not None
        async with self._pg.connect() as conn, conn.begin():
            yield conn

    def pool_status(self) -> dict[str, int]:
        """Connections in use and idle (PostgreSQL's pool; SQLite opens one per transaction at need
        and reports its idle ones)."""
        if self._pg is not None:
            pool: Any = self._pg.pool
            return {"in_use": int(pool.checkedout()), "idle": int(pool.checkedin())}
        assert self._sqlite is not None
        return {"idle": self._sqlite.idle}

    async def dispose(self) -> None:
        if self._pg is not None:
            await self._pg.dispose()
        if self._sqlite is not None:
            await self._sqlite.dispose()

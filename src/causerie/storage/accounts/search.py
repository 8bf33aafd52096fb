"""SQL for finding people by name (``core/autocomplete``): exact, prefix and substring matches on the
lower-cased copies of user ids and display names.

Exact and prefix matches are ranges on the ``ix_users_*_lower`` indexes. SQLite compares the
columns bytewise; PostgreSQL's operator class ``text_pattern_ops`` orders them bytewise too, and is
reached only through its own operators (``~>=~``, ``~<~``), so the range is built per engine.
Substring matches cannot use a B-tree: they scan, and are asked only for what the exact and prefix
matches left of the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.tables.accounts import groups, users

_COLUMNS = (users.c.uid, users.c.display_name, users.c.email)
_ORDER = (users.c.name_lower, users.c.uid)


def prefix_end(prefix: str) -> str | None:
    """The smallest string above every string that starts with ``prefix`` (None: no bound)."""
    while prefix:
        code = ord(prefix[-1]) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be encoded
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:-1] + chr(code)
        prefix = prefix[:-1]
    return None


def _starts_with(conn: Conn, column: Any, prefix: str) -> ColumnElement[bool]:
    postgres = conn.dialect.name == "postgresql"
    low = column.op("~>=~")(prefix) if postgres else column >= prefix
    end = prefix_end(prefix)
    if end is None:
        return low  # type: ignore[no-any-return]
    high = column.op("~<~")(end) if postgres else column < end
    return and_(low, high)


def _prefix(conn: Conn, needle: str) -> ColumnElement[bool]:
    return or_(_starts_with(conn, users.c.uid_lower, needle), _starts_with(conn, users.c.name_lower, needle))


async def exact_users(conn: Conn, needle: str) -> list[Row[Any]]:
    """Users whose id or display name is ``needle`` (lower-cased)."""
    query = (
        select(*_COLUMNS)
        .where(or_(users.c.uid_lower == needle, users.c.name_lower == needle))
        .order_by(users.c.name_lower, users.c.uid)
    )
    return list(await conn.execute(query))


def prefix_query(conn: Conn, by_name: bool, needle: str, limit: int) -> Select[Any]:
    column = users.c.name_lower if by_name else users.c.uid_lower
    return select(*_COLUMNS).where(_starts_with(conn, column, needle)).order_by(column, users.c.uid).limit(limit)


async def prefix_users(conn: Conn, by_name: bool, needle: str, limit: int) -> list[Row[Any]]:
    """Users whose display name (``by_name``) or id starts with ``needle``, in the order of that
    column: a walk along its index that stops after ``limit`` rows."""
    return list(await conn.execute(prefix_query(conn, by_name, needle, limit)))


async def substring_users(conn: Conn, needle: str, limit: int) -> list[Row[Any]]:
    """Users whose id or display name holds ``needle`` after its first character, by display name."""
    contains = or_(
        users.c.uid_lower.contains(needle, autoescape=True), users.c.name_lower.contains(needle, autoescape=True)
    )
    # Sorted after the scan: ordered by the bare column, SQLite would walk the whole name index and
    # fetch every row from it, three times slower than reading the table.
    order = users.c.name_lower.concat("")
    query = select(*_COLUMNS).where(contains, not_(_prefix(conn, needle))).order_by(order, users.c.uid).limit(limit)
    return list(await conn.execute(query))


async def all_groups(conn: Conn) -> Sequence[Row[Any]]:
    """Groups are few next to users: they are ranked in Python."""
    return list(await conn.execute(select(groups.c.gid, groups.c.display_name).order_by(groups.c.gid)))

"""Statements built once, at import, with ``bindparam()`` placeholders for their values.

The hot paths of a request (who is asking, which room, send, receive) run the same few statements
over and over. Built once, a statement skips SQLAlchemy's expression building on every call; on
PostgreSQL it then runs through SQLAlchemy like any other. On SQLite, ``LoopConnection`` goes one
step further: it compiles the statement once and runs it on the ``sqlite3`` connection itself,
which costs a few microseconds where SQLAlchemy's execution machinery costs about forty.

What the direct path keeps from SQLAlchemy: the SQL it compiles, the literal values, Python-side
column defaults and bind conversions, and the result conversions (Booleans come back as
``bool``). Rows answer by attribute, by index and through ``_mapping``, as SQLAlchemy's rows do.
Only plain values may be bound (no ``expanding`` IN lists): those statements stay dynamic.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.sql.base import Executable

S = TypeVar("S", bound=Executable)

_REGISTERED: dict[int, Executable] = {}
_PLANS: dict[int, _Plan] = {}
# sqlite3 takes named parameters from a dict, so no reordering is needed.
_DIALECT = SQLiteDialect_pysqlite(paramstyle="named")


def prepared(statement: S) -> S:
    """Mark a statement built once at import; it is returned unchanged."""
    _REGISTERED[id(statement)] = statement
    return statement


class Result:
    """The part of SQLAlchemy's ``CursorResult`` that storage code uses, over fetched rows."""

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self._lastrowid = lastrowid

    @property
    def inserted_primary_key(self) -> tuple[Any, ...]:
        # An INSERT's new rowid, as SQLAlchemy gives it on SQLite.
        return (self._lastrowid,)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return self._rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0][0]


def _row_class(names: Sequence[str]) -> type:
    base = namedtuple("Row", names, rename=True)  # type: ignore[misc]
    keys = tuple(names)

    def mapping(self: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(keys, self, strict=True))

    # ``_keys``: the column names, for ``storage.rows`` to read fields by position.
    return type("Row", (base,), {"__slots__": (), "_mapping": property(mapping), "_keys": keys})


def _row_maker(row: type, processors: Sequence[Callable[[Any], Any] | None]) -> Callable[[Any], Any]:
    """A function from a driver row to a ``row``, converting the columns that have a processor."""
    if not any(processors):
        return row._make  # type: ignore[attr-defined,no-any-return]
    # One generated call per row instead of a generator over the columns.
    scope: dict[str, Any] = {"new": tuple.__new__, "Row": row}
    items = []
    for index, processor in enumerate(processors):
        if processor is None:
            items.append(f"r[{index}]")
        else:
            scope[f"p{index}"] = processor
            items.append(f"p{index}(r[{index}])")
    exec(f"def make(r):\n    return new(Row, ({', '.join(items)},))", scope)
    return scope["make"]  # type: ignore[no-any-return]


def _scalar_defaults(compiled: Any) -> dict[str, Any]:
    """Column defaults SQLAlchemy would fill in at execution (``default=`` / ``onupdate=``)."""
    found: dict[str, Any] = {}
    prefetch = [*compiled.insert_prefetch, *compiled.update_prefetch]
    if not prefetch:
        return found
    key_of = compiled._within_exec_param_key_getter
    for column in prefetch:
        default = column.default if column in compiled.insert_prefetch else column.onupdate
        if default is None or not default.is_scalar:
            raise TypeError(f"prepared statements take scalar column defaults only ({column})")
        found[key_of(column)] = default.arg
    return found


class _Plan:
    def __init__(self, statement: Executable) -> None:
        compiled: Any = statement.compile(dialect=_DIALECT)  # type: ignore[attr-defined]
        self.sql = str(compiled)
        self._compiled = compiled
        # The values that do not change between runs: literals written into the statement and column
        # defaults; a run adds its parameters (a missing one makes sqlite3 raise).
        fixed = {k: v for k, v in compiled.construct_params(_check=False).items() if v is not None}
        self._fixed = {**fixed, **_scalar_defaults(compiled)}
        self._bind_processors = dict(compiled._bind_processors)
        # Most statements take their parameters as they are: no copy then (sqlite3 only reads them).
        self._as_given = not self._fixed and not self._bind_processors
        columns = compiled._result_columns
        self._make: Callable[[Any], Any] | None = None
        if columns:
            processors = [column[3]._cached_result_processor(_DIALECT, None) for column in columns]
            self._make = _row_maker(_row_class([column[0] for column in columns]), processors)

    def run(self, cursor: sqlite3.Cursor, parameters: dict[str, Any] | None) -> Result:
        if self._as_given:
            values = parameters or {}
        else:
            values = {**self._fixed, **parameters} if parameters else dict(self._fixed)
            for name, processor in self._bind_processors.items():
                if name in values:
                    values[name] = processor(values[name])
        cursor.execute(self.sql, values)
        make = self._make
        if make is None:
            return Result([], cursor.rowcount, cursor.lastrowid)
        raw = cursor.fetchall()
        return Result([make(r) for r in raw], cursor.rowcount, cursor.lastrowid)


# The plan of a prepared statement already run, by ``id(statement)`` (a dict lookup, no call).
known_plan = _PLANS.get


def plan_for(statement: Executable) -> _Plan | None:
    """The direct plan of a prepared statement, None for any other."""
    key = id(statement)
    plan = _PLANS.get(key)
    if plan is None:
        if _REGISTERED.get(key) is not statement:
            return None
        plan = _PLANS[key] = _Plan(statement)
    return plan

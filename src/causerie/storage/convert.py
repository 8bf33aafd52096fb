"""Copying a SQLite database into PostgreSQL (``occ db:convert-type``).

The SQLite file is only read, in one read transaction, so the copy is one consistent snapshot and
the file stays exactly as it was. The target gets the schema from the migrations (the same as any
new PostgreSQL installation), then every table's rows in the order foreign keys need, in batches.
The full-text index of messages is not copied: PostgreSQL's triggers build it from the messages as
they are inserted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, func, select, text

from causerie.storage.db import Database
from causerie.storage.migrate import current_revisions, script_heads, upgrade
from causerie.storage.schema import SEARCH_OBJECTS, metadata

BATCH = 1000
# The trigger of migration 0002 sets these when a message is inserted; the copied values are put
# back once the messages are in.
_TRIGGER_SET = ("rooms", ("last_message_id", "last_activity"))


class ConvertError(Exception):
    """The conversion cannot be done; the message says why."""


@dataclass(frozen=True)
class Counted:
    table: str
    source: int
    target: int


def _tables() -> list[Table]:
    return list(metadata.sorted_tables)


async def _target_rows(target: Database) -> int:
    total = 0
    async with target.read() as conn:
        for table in _tables():
            total += int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
    return total


async def clear_schema(target: Database) -> None:
    """Drop every table Causerie made in the target (``--clear-schema``)."""
    async with target.write() as conn:
        for table in reversed(_tables()):
            await conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        # What the migrations make beside the tables of metadata: triggers' functions, the search index.
        await conn.execute(text(f"DROP TABLE IF EXISTS {SEARCH_OBJECTS} CASCADE"))
        for function in (
            "causerie_room_last_message()",
            "causerie_message_search()",
            "causerie_message_text(TEXT, TEXT)",
        ):
            await conn.execute(text(f"DROP FUNCTION IF EXISTS {function} CASCADE"))


async def convert(
    source_file: Path, target: Database, *, clear: bool, progress: Callable[[str, int], None]
) -> list[Counted]:
    """Copy every table of ``source_file`` into ``target`` and return both row counts per table."""
    source_url = f"sqlite+pysqlite:///{source_file}"
    source_db = Database(source_url)
    try:
        if await current_revisions(source_db) != script_heads():
            raise ConvertError("the SQLite database is not at the current schema: run `causerie db upgrade` first")
    finally:
        await source_db.dispose()
    if clear:
        await clear_schema(target)
    await upgrade(target)
    if await _target_rows(target):
        raise ConvertError("the target database holds data already; --clear-schema empties it first")

    # Read-only: nothing this process does can change the file (no journal mode switch either).
    engine = create_engine(
        "sqlite+pysqlite://",
        creator=lambda: sqlite3.connect(f"file:{source_file}?mode=ro", uri=True, check_same_thread=False),
    )
    counted: list[Counted] = []
    try:
        with engine.connect() as source:
            source.exec_driver_sql("BEGIN")  # one snapshot for every table
            fixups: list[dict[str, Any]] = []
            for table in _tables():
                copied = 0
                async with target.write() as conn:
                    result = source.execution_options(yield_per=BATCH).execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                    for batch in result.partitions(BATCH):
                        rows = [dict(row._mapping) for row in batch]
                        await conn.execute(table.insert(), rows)
                        copied += len(rows)
                        if table.name == _TRIGGER_SET[0]:
                            fixups.extend(rows)
                progress(table.name, copied)
            async with target.write() as conn:
                name, columns = _TRIGGER_SET
                table = metadata.tables[name]
                for row in fixups:
                    await conn.execute(
                        table.update().where(table.c.id == row["id"]).values({c: row[c] for c in columns})
                    )
                await _advance_sequences(conn)
            for table in _tables():
                in_source = int(source.execute(select(func.count()).select_from(table)).scalar_one())
                async with target.read() as conn:
                    in_target = int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
                counted.append(Counted(table.name, in_source, in_target))
            source.exec_driver_sql("ROLLBACK")
    finally:
        engine.dispose()
    wrong = [c for c in counted if c.source != c.target]
    if wrong:
        details = ", ".join(f"{c.table}: {c.source} → {c.target}" for c in wrong)
        raise ConvertError(f"row counts differ after the copy ({details})")
    return counted


async def _advance_sequences(conn: Any) -> None:
    """New rows must get ids after the copied ones: each serial column's sequence moves past them."""
    for table in _tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or keys[0].type.python_type is not int:
            continue
        name, column = table.name, keys[0].name
        await conn.execute(
            text(
                f"SELECT setval(s.seq, m.top) FROM (SELECT pg_get_serial_sequence('{name}', '{column}') AS seq) s, "
                f'(SELECT max("{column}") AS top FROM "{name}") m WHERE s.seq IS NOT NULL AND m.top IS NOT NULL'
            )
        )

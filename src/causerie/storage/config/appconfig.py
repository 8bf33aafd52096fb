"""SQL for the per-app configuration store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.config import appconfig


@dataclass(frozen=True)
class StoredValue:
    key: str
    value: str
    type: str
    sensitive: bool


_APP = prepared(select(appconfig).where(appconfig.c.appid == bindparam("app")))


async def load_app(conn: Conn, app: str) -> dict[str, StoredValue]:
    rows = await conn.execute(_APP, {"app": app})
    return {r.configkey: StoredValue(r.configkey, r.configvalue, r.type, bool(r.sensitive)) for r in rows}


async def list_apps(conn: Conn) -> list[str]:
    rows = await conn.execute(select(appconfig.c.appid).distinct().order_by(appconfig.c.appid))
    return [r[0] for r in rows]


async def store(conn: Conn, app: str, value: StoredValue) -> None:
    await remove(conn, app, value.key)
    await conn.execute(
        appconfig.insert().values(
            appid=app,
            configkey=value.key,
            configvalue=value.value,
            type=value.type,
            sensitive=value.sensitive,
        )
    )


async def remove(conn: Conn, app: str, key: str) -> bool:
    result = await conn.execute(delete(appconfig).where(appconfig.c.appid == app, appconfig.c.configkey == key))
    return bool(result.rowcount)


async def insert_if_absent(conn: Conn, app: str, value: StoredValue) -> None:
    """Store ``value`` unless the key exists; of two concurrent first writers, the first one wins."""
    statement: Any
    if conn.dialect.name == "postgresql":
        # Imported here: every occ config command on SQLite would load the dialect for nothing.
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(appconfig).on_conflict_do_nothing(index_elements=["appid", "configkey"])
    else:
        statement = sqlite_insert(appconfig).on_conflict_do_nothing(index_elements=["appid", "configkey"])
    await conn.execute(
        statement.values(
            appid=app, configkey=value.key, configvalue=value.value, type=value.type, sensitive=value.sensitive
        )
    )

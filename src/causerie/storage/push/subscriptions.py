"""SQL for web push subscriptions, one per user and app password (a device)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.accounts import app_passwords
from causerie.storage.tables.push import push_subscriptions

_OF_DEVICE = prepared(
    select(push_subscriptions).where(
        push_subscriptions.c.uid == bindparam("uid"), push_subscriptions.c.app_password_id == bindparam("device")
    )
)
_BY_ID = prepared(select(push_subscriptions).where(push_subscriptions.c.id == bindparam("id")))
_APP_PASSWORD = prepared(
    select(app_passwords.c.id).where(
        app_passwords.c.uid == bindparam("uid"), app_passwords.c.token_hash == bindparam("token_hash")
    )
)


async def app_password_id(conn: Conn, uid: str, token_hash: str) -> int | None:
    """The id of ``uid``'s app password with this hash, if it is one."""
    row = (await conn.execute(_APP_PASSWORD, {"uid": uid, "token_hash": token_hash})).first()
    return None if row is None else int(row.id)


async def of_device(conn: Conn, uid: str, device: int) -> Row[Any] | None:
    return (await conn.execute(_OF_DEVICE, {"uid": uid, "device": device})).first()


async def by_id(conn: Conn, subscription_id: int) -> Row[Any] | None:
    return (await conn.execute(_BY_ID, {"id": subscription_id})).first()


async def insert(conn: Conn, **values: Any) -> None:
    await conn.execute(push_subscriptions.insert().values(**values))


async def update_fields(conn: Conn, subscription_id: int, **values: Any) -> None:
    await conn.execute(update(push_subscriptions).where(push_subscriptions.c.id == subscription_id).values(**values))


async def delete_of_device(conn: Conn, uid: str, device: int) -> bool:
    result = await conn.execute(
        delete(push_subscriptions).where(
            push_subscriptions.c.uid == uid, push_subscriptions.c.app_password_id == device
        )
    )
    return bool(result.rowcount)


async def delete_by_id(conn: Conn, subscription_id: int) -> bool:
    result = await conn.execute(delete(push_subscriptions).where(push_subscriptions.c.id == subscription_id))
    return bool(result.rowcount)


async def activated_of(conn: Conn, uids: Sequence[str]) -> list[Row[Any]]:
    """The activated subscriptions of these users, in one query."""
    if not uids:
        return []
    query = select(push_subscriptions).where(
        push_subscriptions.c.uid.in_(sorted(set(uids))), push_subscriptions.c.activated.is_(True)
    )
    return list(await conn.execute(query.order_by(push_subscriptions.c.id)))

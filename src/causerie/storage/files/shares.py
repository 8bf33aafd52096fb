"""SQL of files shared into conversations, and of the names shares have in recipients' trees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.engine import Row

from causerie.storage.db import Conn, insert_id
from causerie.storage.tables.files import file_nodes, file_share_targets, file_shares
from causerie.storage.tables.rooms import attendees, rooms

ShareRow = Row[Any]
USERS = "users"

# A share with its file's columns (prefixed ``node_``) and its room's token, type and name.
_FILE_COLUMNS = [column.label(f"node_{column.name}") for column in file_nodes.c]
_JOINED = (
    select(
        file_shares,
        *_FILE_COLUMNS,
        rooms.c.token.label("room_token"),
        rooms.c.type.label("room_type"),
        rooms.c.name.label("room_name"),
    )
    .join(file_nodes, file_nodes.c.id == file_shares.c.file_id)
    .join(rooms, rooms.c.id == file_shares.c.room_id)
)


def _member(uid: str) -> Any:
    return exists().where(
        attendees.c.room_id == file_shares.c.room_id,
        attendees.c.actor_type == USERS,
        attendees.c.actor_id == uid,
    )


async def insert(conn: Conn, *, file_id: int, room_id: int, owner: str, token: str, now: int) -> int:
    values = {"file_id": file_id, "room_id": room_id, "owner": owner, "token": token, "created_at": now}
    return await insert_id(conn, file_shares.insert().values(**values))


async def find(conn: Conn, file_id: int, room_id: int) -> ShareRow | None:
    query = _JOINED.where(file_shares.c.file_id == file_id, file_shares.c.room_id == room_id)
    return (await conn.execute(query)).first()


async def by_id(conn: Conn, share_id: int) -> ShareRow | None:
    return (await conn.execute(_JOINED.where(file_shares.c.id == share_id))).first()


async def by_ids(conn: Conn, ids: Sequence[int]) -> dict[int, ShareRow]:
    if not ids:
        return {}
    rows = await conn.execute(_JOINED.where(file_shares.c.id.in_(sorted(set(ids)))))
    return {int(row.id): row for row in rows}


async def by_token(conn: Conn, token: str) -> ShareRow | None:
    return (await conn.execute(_JOINED.where(file_shares.c.token == token))).first()


async def delete_share(conn: Conn, share_id: int) -> None:
    await conn.execute(delete(file_shares).where(file_shares.c.id == share_id))


async def delete_in_room(conn: Conn, room_id: int) -> None:
    await conn.execute(delete(file_shares).where(file_shares.c.room_id == room_id))


async def visible_to(conn: Conn, uid: str, share_ids: Sequence[int]) -> set[int]:
    """Which of ``share_ids`` are in conversations ``uid`` is in now."""
    if not share_ids:
        return set()
    query = select(file_shares.c.id).where(file_shares.c.id.in_(sorted(set(share_ids))), _member(uid))
    return {int(row.id) for row in await conn.execute(query)}


# --- recipients' names (mounts) --------------------------------------------------------------------


async def unnamed_for(conn: Conn, uid: str) -> list[ShareRow]:
    """Shares of others' files in ``uid``'s conversations that have no name in its tree yet."""
    named = exists().where(file_share_targets.c.share_id == file_shares.c.id, file_share_targets.c.uid == uid)
    query = _JOINED.where(_member(uid), file_nodes.c.owner != uid, ~named).order_by(file_shares.c.id)
    return list(await conn.execute(query))


async def target_names(conn: Conn, uid: str) -> set[str]:
    rows = await conn.execute(select(file_share_targets.c.name).where(file_share_targets.c.uid == uid))
    return {row.name for row in rows}


async def add_target(conn: Conn, share_id: int, uid: str, name: str) -> None:
    await conn.execute(file_share_targets.insert().values(share_id=share_id, uid=uid, name=name))


_MOUNTS = _JOINED.add_columns(file_share_targets.c.name.label("target")).join(
    file_share_targets, file_share_targets.c.share_id == file_shares.c.id
)


async def mounts(conn: Conn, uid: str, *, name: str | None = None, file_id: int | None = None) -> list[ShareRow]:
    """The shares ``uid`` sees in its attachment folder now (conversations it is in), with their
    names there (``target``); by name or by file id when given."""
    query = _MOUNTS.where(file_share_targets.c.uid == uid, _member(uid), file_nodes.c.owner != uid)
    if name is not None:
        query = query.where(file_share_targets.c.name == name)
    if file_id is not None:
        query = query.where(file_shares.c.file_id == file_id)
    return list(await conn.execute(query.order_by(file_share_targets.c.name)))


async def targets_of(conn: Conn, uid: str, share_ids: Sequence[int]) -> dict[int, str]:
    if not share_ids:
        return {}
    query = select(file_share_targets.c.share_id, file_share_targets.c.name).where(
        and_(file_share_targets.c.uid == uid, file_share_targets.c.share_id.in_(sorted(set(share_ids))))
    )
    return {int(row.share_id): row.name for row in await conn.execute(query)}

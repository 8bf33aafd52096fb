"""SQL for chat messages (comments, system messages)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, func, literal, select, update
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import BindParameter

from causerie.storage.actors import ActorRef
from causerie.storage.db import Conn, insert_id
from causerie.storage.prepared import prepared
from causerie.storage.tables.chat import chat_attachments, message_mentions, messages, reactions
from causerie.storage.tables.rooms import attendees, rooms

_COLUMNS = (
    "room_id", "actor_type", "actor_id", "actor_display_name", "message_type", "system_message", "message",
    "parameters", "parent_id", "reference_id", "silent", "created_at", "expire_at",
)  # fmt: skip
_INSERT = prepared(messages.insert().values({name: bindparam(name) for name in _COLUMNS}))
_ROOM_ACTIVITY = prepared(update(rooms).where(rooms.c.id == bindparam("b_room")).values(last_activity=bindparam("now")))


async def insert(
    conn: Conn,
    *,
    room_id: int,
    actor: ActorRef,
    message_type: str,
    message: str,
    now: int,
    system_message: str = "",
    parameters: dict[str, Any] | None = None,
    parent_id: int | None = None,
    reference_id: str = "",
    silent: bool = False,
    expire_at: int | None = None,
) -> Any:
    """Store a message; returns the row as stored, built in memory (with its new ``id``; saves
    reading it back to answer the sender). A trigger makes it the room's last message (migration
    0002).

    On PostgreSQL the room row is updated *before* the insert: that takes the row lock first, so
    messages of one room get their ids in commit order and a poller that has seen id N can never
    later miss a message with an id below N. (SQLite writes are serialised by BEGIN IMMEDIATE.)
    """
    if conn.dialect.name != "sqlite":
        await conn.execute(_ROOM_ACTIVITY, {"b_room": room_id, "now": now})
    values = {
        "room_id": room_id,
        "actor_type": actor.type,
        "actor_id": actor.id,
        "actor_display_name": actor.display_name,
        "message_type": message_type,
        "system_message": system_message,
        "message": message,
        "parameters": _json(parameters or {}),
        "parent_id": parent_id,
        "reference_id": reference_id,
        "silent": silent,
        "created_at": now,
        "expire_at": expire_at,
    }
    message_id = await insert_id(conn, _INSERT, values)
    unedited = {"last_edit_actor_type": None, "last_edit_actor_id": None, "last_edit_actor_display_name": None}
    return SimpleNamespace(id=message_id, **values, **unedited, last_edit_time=None)


async def insert_many(conn: Conn, rows: Sequence[dict[str, Any]]) -> None:
    """Messages in bulk (benchmarks seeding a large history), as one executemany: every column of
    ``insert`` given as stored, ``parameters`` as a dict. The triggers (last message, search
    index) still run for each row."""
    await conn.execute(
        messages.insert(),
        [{**row, "parameters": _json(row.get("parameters") or {})} for row in rows],
    )


MessageRow = Row[Any]


# Comments counted as unread and shown as "comment"; system messages and deleted stubs are not.
COUNTED_TYPES = ("comment", "voice-message", "record-audio", "record-video", "object_shared")


def _page(bound: Any, *, newest_first: bool) -> Any:
    order = messages.c.id.desc() if newest_first else messages.c.id
    query = select(messages).where(messages.c.room_id == bindparam("room_id"))
    if bound is not None:
        query = query.where(bound)
    return prepared(query.order_by(order).limit(bindparam("limit")))


_ID: BindParameter[int] = bindparam("message_id")
# keyed by includeLastKnown: is the given id itself part of the page?
_NEWER = {True: _page(messages.c.id >= _ID, newest_first=False), False: _page(messages.c.id > _ID, newest_first=False)}
_OLDER = {True: _page(messages.c.id <= _ID, newest_first=True), False: _page(messages.c.id < _ID, newest_first=True)}
_NEWEST = _page(None, newest_first=True)


async def newer(conn: Conn, room_id: int, after_id: int, limit: int, *, include: bool = False) -> list[MessageRow]:
    """Messages after ``after_id``, oldest first (long-poll)."""
    params = {"room_id": room_id, "message_id": after_id, "limit": limit}
    return list(await conn.execute(_NEWER[include], params))


async def older(conn: Conn, room_id: int, before_id: int, limit: int, *, include: bool = False) -> list[MessageRow]:
    """Messages before ``before_id`` (0: from the newest), newest first (history)."""
    if before_id <= 0:
        return list(await conn.execute(_NEWEST, {"room_id": room_id, "limit": limit}))
    params = {"room_id": room_id, "message_id": before_id, "limit": limit}
    return list(await conn.execute(_OLDER[include], params))


async def get(conn: Conn, room_id: int, message_id: int) -> MessageRow | None:
    query = select(messages).where(messages.c.id == message_id, messages.c.room_id == room_id)
    return (await conn.execute(query)).first()


async def get_many(conn: Conn, room_id: int, ids: Iterable[int]) -> dict[int, MessageRow]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = select(messages).where(messages.c.room_id == room_id, messages.c.id.in_(wanted))
    return {int(row.id): row for row in await conn.execute(query)}


async def last_id(conn: Conn, room_id: int) -> int:
    query = select(func.max(messages.c.id)).where(messages.c.room_id == room_id)
    return int((await conn.execute(query)).scalar() or 0)


async def id_before(conn: Conn, room_id: int, message_id: int) -> int:
    """The id of the message right before ``message_id`` in the room, 0 when there is none."""
    query = select(func.max(messages.c.id)).where(messages.c.room_id == room_id, messages.c.id < message_id)
    return int((await conn.execute(query)).scalar() or 0)


def _unread_rows(room_id: Any, after_id: Any, cap: int) -> Any:
    """At most ``cap`` unread rows: counting them stops there, so a member who never read a big
    room does not pay for every message in it."""
    return (
        select(literal(1))
        .select_from(messages)
        .where(messages.c.room_id == room_id, messages.c.id > after_id, messages.c.message_type.in_(COUNTED_TYPES))
        .limit(cap)
    )


async def count_unread(conn: Conn, room_id: int, after_id: int, cap: int) -> int:
    """Unread messages after ``after_id``, counted up to ``cap``."""
    query = select(func.count()).select_from(_unread_rows(room_id, after_id, cap).subquery())
    return int((await conn.execute(query)).scalar_one())


async def count_unread_of_actor(
    conn: Conn, actor_type: str, actor_id: str, room_ids: Sequence[int], cap: int
) -> dict[int, int]:
    """``count_unread`` after the actor's read marker in each of ``room_ids``, in one statement."""
    if not room_ids:
        return {}
    rows = _unread_rows(attendees.c.room_id, attendees.c.last_read_message, cap).correlate(attendees).subquery()
    counted = select(func.count()).select_from(rows).scalar_subquery()
    query = select(attendees.c.room_id, counted.label("unread")).where(
        attendees.c.actor_type == actor_type, attendees.c.actor_id == actor_id, attendees.c.room_id.in_(room_ids)
    )
    return {int(row.room_id): int(row.unread) for row in await conn.execute(query)}


async def edit(
    conn: Conn,
    message_id: int,
    *,
    message: str,
    parameters: dict[str, Any],
    editor: ActorRef,
    now: int,
) -> None:
    await conn.execute(
        update(messages)
        .where(messages.c.id == message_id)
        .values(
            message=message,
            parameters=_json(parameters),
            last_edit_actor_type=editor.type,
            last_edit_actor_id=editor.id,
            last_edit_actor_display_name=editor.display_name,
            last_edit_time=now,
        )
    )


async def replace(
    conn: Conn,
    message_id: int,
    *,
    message_type: str,
    system_message: str,
    message: str,
    parameters: dict[str, Any],
) -> None:
    """Turn a message into a stub (a deleted comment, a revoked reaction), keeping id and author."""
    await conn.execute(
        update(messages)
        .where(messages.c.id == message_id)
        .values(message_type=message_type, system_message=system_message, message=message, parameters=_json(parameters))
    )


def _json(value: dict[str, Any]) -> str:
    if not value:
        return "{}"  # most comments mention nobody
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


async def find_reaction_message(conn: Conn, room_id: int, parent_id: int, actor: ActorRef, reaction: str) -> int | None:
    """The ``reaction`` system message ``actor`` posted when giving ``reaction`` on ``parent_id``."""
    query = (
        select(messages.c.id)
        .where(
            messages.c.room_id == room_id,
            messages.c.parent_id == parent_id,
            messages.c.system_message == "reaction",
            messages.c.actor_type == actor.type,
            messages.c.actor_id == actor.id,
            messages.c.parameters == _json({"reaction": reaction}),
        )
        .order_by(messages.c.id.desc())
        .limit(1)
    )
    found = (await conn.execute(query)).scalar()
    return None if found is None else int(found)


async def latest(conn: Conn, room_id: int, *, skip_system: Sequence[str] = ()) -> MessageRow | None:
    """The newest message of the room, leaving out the given kinds of system message."""
    query = select(messages).where(messages.c.room_id == room_id)
    if skip_system:
        query = query.where(messages.c.system_message.not_in(list(skip_system)))
    return (await conn.execute(query.order_by(messages.c.id.desc()).limit(1))).first()


async def latest_of_rooms(
    conn: Conn, room_ids: Sequence[int], *, skip_system: Sequence[str] = ()
) -> dict[int, Row[Any]]:
    """``latest`` of each room, in one statement (each room's newest row is found through the index)."""
    if not room_ids:
        return {}
    newest = select(messages.c.id).where(messages.c.room_id == rooms.c.id)
    if skip_system:
        newest = newest.where(messages.c.system_message.not_in(list(skip_system)))
    newest_id = newest.order_by(messages.c.id.desc()).limit(1).correlate(rooms).scalar_subquery()
    wanted = select(newest_id).select_from(rooms).where(rooms.c.id.in_(room_ids))
    found = await conn.execute(select(messages).where(messages.c.id.in_(wanted)))
    return {int(row.room_id): row for row in found}


async def delete_all(conn: Conn, room_id: int) -> None:
    """Every message of the room, with their reactions and mention rows."""
    await conn.execute(delete(chat_attachments).where(chat_attachments.c.room_id == room_id))
    await conn.execute(delete(reactions).where(reactions.c.room_id == room_id))
    await conn.execute(delete(message_mentions).where(message_mentions.c.room_id == room_id))
    await conn.execute(delete(messages).where(messages.c.room_id == room_id))


async def all_of_room(conn: Conn, room_id: int, after_id: int, limit: int) -> list[MessageRow]:
    """A room's messages after ``after_id``, oldest first, every column (exports)."""
    query = select(messages).where(messages.c.room_id == room_id, messages.c.id > after_id)
    return list((await conn.execute(query.order_by(messages.c.id).limit(limit))).all())


async def insert_row(conn: Conn, values: dict[str, Any]) -> int:
    """A message with every column given (imports), ``parameters`` as a dict; its new id."""
    return await insert_id(conn, messages.insert().values({**values, "parameters": _json(values["parameters"])}))

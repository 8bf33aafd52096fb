"""SQL for conversations (the ``rooms`` table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn, insert_id
from causerie.storage.prepared import prepared
from causerie.storage.tables.accounts import users
from causerie.storage.tables.config import appconfig
from causerie.storage.tables.rooms import attendees, rooms

_BY_TOKEN = prepared(select(rooms).where(rooms.c.token == bindparam("token")))
# The room and one app config value in one statement (``config_value`` and ``config_type`` are
# NULL when the key is unset): every request in a room needs the default permissions as well.
_ROOM_AND_CONFIG = rooms.outerjoin(
    appconfig, and_(appconfig.c.appid == bindparam("config_app"), appconfig.c.configkey == bindparam("config_key"))
)
_CONFIG_COLUMNS = (appconfig.c.configvalue.label("config_value"), appconfig.c.type.label("config_type"))
_BY_TOKEN_WITH_CONFIG = prepared(
    select(rooms, *_CONFIG_COLUMNS).select_from(_ROOM_AND_CONFIG).where(rooms.c.token == bindparam("token"))
)
# The prefixes of the attendee's and the user's columns in ``get_by_token_for_user`` rows (all
# NULL for none).
ATTENDEE_PREFIX = "attendee_"
USER_PREFIX = "user_"
_USER_COLUMNS = (users.c.uid, users.c.display_name, users.c.email, users.c.password_hash, users.c.enabled)
_BY_TOKEN_FOR_USER = prepared(
    select(
        rooms,
        *_CONFIG_COLUMNS,
        *(column.label(ATTENDEE_PREFIX + column.name) for column in attendees.c),
        *(column.label(USER_PREFIX + column.name) for column in _USER_COLUMNS),
    )
    .select_from(
        _ROOM_AND_CONFIG.outerjoin(
            attendees,
            and_(
                attendees.c.room_id == rooms.c.id,
                attendees.c.actor_type == "users",
                attendees.c.actor_id == bindparam("uid"),
            ),
        ).outerjoin(users, users.c.uid == bindparam("uid"))
    )
    .where(rooms.c.token == bindparam("token"))
)


async def get_by_token(conn: Conn, token: str) -> Row[Any] | None:
    return (await conn.execute(_BY_TOKEN, {"token": token})).first()


async def get_by_token_with_config(conn: Conn, token: str, app: str, key: str) -> Row[Any] | None:
    params = {"token": token, "config_app": app, "config_key": key}
    return (await conn.execute(_BY_TOKEN_WITH_CONFIG, params)).first()


async def get_by_token_for_user(conn: Conn, token: str, app: str, key: str, uid: str) -> Row[Any] | None:
    """``get_by_token_with_config``, the user's attendee row in the room (columns named with
    ``ATTENDEE_PREFIX``) and the user's own row (``USER_PREFIX``): a user's request in a room needs
    the first three, and the user's row confirms remembered credentials."""
    params = {"token": token, "config_app": app, "config_key": key, "uid": uid}
    return (await conn.execute(_BY_TOKEN_FOR_USER, params)).first()


async def get_by_id(conn: Conn, room_id: int) -> Row[Any] | None:
    return (await conn.execute(select(rooms).where(rooms.c.id == room_id))).first()


async def token_exists(conn: Conn, token: str) -> bool:
    return bool((await conn.execute(select(exists().where(rooms.c.token == token)))).scalar())


async def insert(conn: Conn, **values: Any) -> int:
    return await insert_id(conn, rooms.insert().values(**values))


async def update_room(conn: Conn, room_id: int, **values: Any) -> None:
    await conn.execute(update(rooms).where(rooms.c.id == room_id).values(**values))


async def touch(conn: Conn, room_id: int, now: int) -> None:
    """Mark the room changed for ``modifiedSince`` listings."""
    await conn.execute(update(rooms).where(rooms.c.id == room_id).values(modified_at=now))


async def delete_room(conn: Conn, room_id: int) -> None:
    await conn.execute(delete(rooms).where(rooms.c.id == room_id))


async def find_by_type_and_name(conn: Conn, room_type: int, name: str) -> Row[Any] | None:
    query = select(rooms).where(rooms.c.type == room_type, rooms.c.name == name).order_by(rooms.c.id)
    return (await conn.execute(query)).first()


async def find_by_object(conn: Conn, room_type: int, object_type: str, object_id: str) -> Row[Any] | None:
    query = (
        select(rooms)
        .where(rooms.c.type == room_type, rooms.c.object_type == object_type, rooms.c.object_id == object_id)
        .order_by(rooms.c.id)
    )
    return (await conn.execute(query)).first()


async def list_for_actor(conn: Conn, actor_type: str, actor_id: str, *, modified_since: int = 0) -> Sequence[Row[Any]]:
    """The rooms an actor is an attendee of, oldest first; with ``modified_since`` only those that
    changed, had activity or have a call since then."""
    query = (
        select(rooms)
        .join(attendees, attendees.c.room_id == rooms.c.id)
        .where(attendees.c.actor_type == actor_type, attendees.c.actor_id == actor_id)
        .order_by(rooms.c.id)
    )
    if modified_since > 0:
        query = query.where(
            or_(
                rooms.c.last_activity >= modified_since,
                rooms.c.modified_at >= modified_since,
                rooms.c.active_since.is_not(None),
            )
        )
    return (await conn.execute(query)).all()


async def list_listed(
    conn: Conn,
    *,
    min_listable: int,
    exclude_actor: tuple[str, str],
    search: str = "",
) -> Sequence[Row[Any]]:
    """Listable rooms the given actor is not in, optionally filtered by name."""
    actor_type, actor_id = exclude_actor
    member = exists().where(
        and_(
            attendees.c.room_id == rooms.c.id,
            attendees.c.actor_type == actor_type,
            attendees.c.actor_id == actor_id,
        )
    )
    query = select(rooms).where(rooms.c.listable >= min_listable, rooms.c.type.in_((2, 3)), ~member)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(rooms.c.name).like(f"%{escaped}%", escape="\\"))
    return (await conn.execute(query.order_by(rooms.c.id))).all()

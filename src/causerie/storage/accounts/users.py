"""SQL for users, groups and app passwords."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.accounts import app_passwords, group_members, groups, http_sessions, users

_USER = prepared(select(users).where(users.c.uid == bindparam("uid")))
_APP_PASSWORD_OWNER = prepared(
    select(app_passwords.c.uid, app_passwords.c.id, app_passwords.c.last_used).where(
        app_passwords.c.token_hash == bindparam("token_hash"), app_passwords.c.expires_at.is_(None)
    )
)


async def get_user(conn: Conn, uid: str) -> Row[Any] | None:
    return (await conn.execute(_USER, {"uid": uid})).first()


async def get_users(conn: Conn, uids: Sequence[str]) -> dict[str, Row[Any]]:
    if not uids:
        return {}
    rows = await conn.execute(select(users).where(users.c.uid.in_(list(uids))))
    return {r.uid: r for r in rows}


async def list_users(conn: Conn, search: str = "", limit: int | None = None, offset: int = 0) -> list[Row[Any]]:
    query = select(users).order_by(users.c.uid).offset(offset)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(func.lower(users.c.uid).like(pattern) | func.lower(users.c.display_name).like(pattern))
    if limit is not None:
        query = query.limit(limit)
    return list(await conn.execute(query))


async def count_users(conn: Conn) -> int:
    return int((await conn.execute(select(func.count()).select_from(users))).scalar_one())


async def insert_user(conn: Conn, uid: str, display_name: str, password_hash: str, now: int) -> None:
    await conn.execute(
        users.insert().values(
            uid=uid,
            display_name=display_name,
            password_hash=password_hash,
            created_at=now,
            uid_lower=uid.lower(),
            name_lower=display_name.lower(),
        )
    )


async def delete_user(conn: Conn, uid: str) -> bool:
    await conn.execute(delete(group_members).where(group_members.c.uid == uid))
    await conn.execute(delete(app_passwords).where(app_passwords.c.uid == uid))
    await conn.execute(delete(http_sessions).where(http_sessions.c.uid == uid))
    return bool((await conn.execute(delete(users).where(users.c.uid == uid))).rowcount)


async def set_password_hash(conn: Conn, uid: str, password_hash: str) -> bool:
    result = await conn.execute(update(users).where(users.c.uid == uid).values(password_hash=password_hash))
    return bool(result.rowcount)


async def set_display_name(conn: Conn, uid: str, display_name: str) -> bool:
    result = await conn.execute(
        update(users).where(users.c.uid == uid).values(display_name=display_name, name_lower=display_name.lower())
    )
    return bool(result.rowcount)


async def set_enabled(conn: Conn, uid: str, enabled: bool) -> bool:
    result = await conn.execute(update(users).where(users.c.uid == uid).values(enabled=enabled))
    return bool(result.rowcount)


async def record_login(conn: Conn, uid: str, now: int) -> None:
    await conn.execute(
        update(users)
        .where(users.c.uid == uid)
        .values(last_login=now, first_login=func.coalesce(users.c.first_login, now))
    )


# --- groups ---


async def get_group(conn: Conn, gid: str) -> Row[Any] | None:
    return (await conn.execute(select(groups).where(groups.c.gid == gid))).first()


async def list_groups(conn: Conn, search: str = "", limit: int | None = None, offset: int = 0) -> list[Row[Any]]:
    query = select(groups).order_by(groups.c.gid).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(func.lower(groups.c.gid).like(pattern) | func.lower(groups.c.display_name).like(pattern))
    return list(await conn.execute(query))


async def insert_group(conn: Conn, gid: str, display_name: str) -> None:
    await conn.execute(groups.insert().values(gid=gid, display_name=display_name))


async def delete_group(conn: Conn, gid: str) -> bool:
    await conn.execute(delete(group_members).where(group_members.c.gid == gid))
    return bool((await conn.execute(delete(groups).where(groups.c.gid == gid))).rowcount)


async def group_member_ids(conn: Conn, gid: str) -> list[str]:
    rows = await conn.execute(
        select(group_members.c.uid).where(group_members.c.gid == gid).order_by(group_members.c.uid)
    )
    return [r[0] for r in rows]


async def user_group_ids(conn: Conn, uid: str) -> list[str]:
    rows = await conn.execute(
        select(group_members.c.gid).where(group_members.c.uid == uid).order_by(group_members.c.gid)
    )
    return [r[0] for r in rows]


async def add_member(conn: Conn, gid: str, uid: str) -> bool:
    exists = (
        await conn.execute(select(group_members.c.uid).where(group_members.c.gid == gid, group_members.c.uid == uid))
    ).first()
    if exists:
        return False
    await conn.execute(group_members.insert().values(gid=gid, uid=uid))
    return True


async def remove_member(conn: Conn, gid: str, uid: str) -> bool:
    result = await conn.execute(delete(group_members).where(group_members.c.gid == gid, group_members.c.uid == uid))
    return bool(result.rowcount)


# --- app passwords ---


async def insert_app_password(
    conn: Conn, uid: str, name: str, token_hash: str, now: int, expires_at: int | None = None
) -> int:
    result = await conn.execute(
        app_passwords.insert().values(uid=uid, name=name, token_hash=token_hash, created_at=now, expires_at=expires_at)
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def app_password_owner(conn: Conn, token_hash: str) -> str | None:
    row = await app_password_by_hash(conn, token_hash)
    return None if row is None else str(row.uid)


async def app_password_by_hash(conn: Conn, token_hash: str) -> Row[Any] | None:
    """A permanent app password's ``uid``, ``id`` and ``last_used``."""
    return (await conn.execute(_APP_PASSWORD_OWNER, {"token_hash": token_hash})).first()


async def list_app_passwords(conn: Conn, uid: str) -> list[Row[Any]]:
    query = (
        select(app_passwords.c.id, app_passwords.c.name, app_passwords.c.created_at, app_passwords.c.last_used)
        .where(app_passwords.c.uid == uid, app_passwords.c.expires_at.is_(None))
        .order_by(app_passwords.c.id)
    )
    return list(await conn.execute(query))


async def rename_app_password(conn: Conn, uid: str, password_id: int, name: str) -> bool:
    result = await conn.execute(
        update(app_passwords)
        .where(app_passwords.c.id == password_id, app_passwords.c.uid == uid, app_passwords.c.expires_at.is_(None))
        .values(name=name)
    )
    return bool(result.rowcount)


async def delete_app_password(conn: Conn, uid: str, password_id: int) -> bool:
    result = await conn.execute(
        delete(app_passwords).where(app_passwords.c.id == password_id, app_passwords.c.uid == uid)
    )
    return bool(result.rowcount)


async def replace_app_password_hash(conn: Conn, password_id: int, token_hash: str) -> bool:
    result = await conn.execute(
        update(app_passwords).where(app_passwords.c.id == password_id).values(token_hash=token_hash)
    )
    return bool(result.rowcount)


async def touch_app_passwords(conn: Conn, ids: Sequence[int], now: int) -> None:
    if ids:
        await conn.execute(update(app_passwords).where(app_passwords.c.id.in_(list(ids))).values(last_used=now))


async def take_onetime_token(conn: Conn, uid: str, token_hash: str, now: int) -> bool:
    """Delete the one-time token of ``uid`` with this hash; whether it was there and still valid."""
    result = await conn.execute(
        delete(app_passwords).where(
            app_passwords.c.token_hash == token_hash,
            app_passwords.c.uid == uid,
            app_passwords.c.expires_at.is_not(None),
            app_passwords.c.expires_at > now,
        )
    )
    return bool(result.rowcount)


async def delete_expired_onetime_tokens(conn: Conn, now: int) -> int:
    result = await conn.execute(
        delete(app_passwords).where(app_passwords.c.expires_at.is_not(None), app_passwords.c.expires_at <= now)
    )
    return int(result.rowcount or 0)

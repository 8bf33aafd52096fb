"""App passwords as their owner manages them, and as the login flows and clients obtain them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from causerie.services.accounts import hashing
from causerie.services.accounts.users import require
from causerie.services.errors import BadRequest, NotFound
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Conn

MAX_NAME = 255
# A one-time QR code is meant to be scanned right away (Nextcloud's lasts two minutes by default).
ONETIME_LIFETIME_S = 120


@dataclass(frozen=True)
class AppPassword:
    id: int
    name: str
    created: int
    last_used: int | None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "created": self.created, "lastUsed": self.last_used}


def name_from_user_agent(user_agent: str | None) -> str:
    """Nextcloud names an app password after the client's User-Agent, ``unknown`` when empty."""
    name = (user_agent or "").strip()
    return name[:MAX_NAME] if name else "unknown"


def _valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise BadRequest("name", f"A name of 1 to {MAX_NAME} characters is needed")
    return name


async def create(conn: Conn, uid: str, name: str) -> tuple[int, str]:
    """A new permanent app password: its id and the token (shown once, stored as a hash)."""
    await require(conn, uid)
    token = hashing.new_app_password()
    password_id = await accounts.insert_app_password(
        conn, uid, _valid_name(name), hashing.app_password_hash(token), int(time.time())
    )
    return password_id, token


async def create_onetime(conn: Conn, uid: str, now: int | None = None) -> str:
    """A token that logs in nowhere and is exchanged once, within minutes, for an app password."""
    await require(conn, uid)
    now = int(time.time()) if now is None else now
    token = hashing.new_app_password()
    await accounts.insert_app_password(
        conn, uid, "one-time login", hashing.app_password_hash(token), now, expires_at=now + ONETIME_LIFETIME_S
    )
    return token


async def exchange_onetime(conn: Conn, uid: str, token: str, name: str) -> str | None:
    """``core/getapppassword-onetime``: the one-time token is used up; a permanent app password."""
    now = int(time.time())
    await accounts.delete_expired_onetime_tokens(conn, now)
    if not await accounts.take_onetime_token(conn, uid, hashing.app_password_hash(token), now):
        return None
    _, permanent = await create(conn, uid, name)
    return permanent


async def listing(conn: Conn, uid: str) -> list[AppPassword]:
    return [
        AppPassword(row.id, row.name, row.created_at, row.last_used)
        for row in await accounts.list_app_passwords(conn, uid)
    ]


async def rename(conn: Conn, uid: str, password_id: int, name: str) -> None:
    if not await accounts.rename_app_password(conn, uid, password_id, _valid_name(name)):
        raise NotFound("id", "No such app password")


async def revoke(conn: Conn, uid: str, password_id: int) -> None:
    if not await accounts.delete_app_password(conn, uid, password_id):
        raise NotFound("id", "No such app password")


async def rotate(conn: Conn, password_id: int) -> str:
    """A new secret for the same app password (its name, and the devices' push subscriptions tied
    to it, stay); the old secret stops working."""
    token = hashing.new_app_password()
    if not await accounts.replace_app_password_hash(conn, password_id, hashing.app_password_hash(token)):
        raise NotFound("id", "No such app password")
    return token


async def in_use(conn: Conn, uid: str, secret: str) -> int | None:
    """The id of ``uid``'s permanent app password ``secret``, if it is one."""
    row = await accounts.app_password_by_hash(conn, hashing.app_password_hash(secret))
    return int(row.id) if row is not None and row.uid == uid else None


async def touch(conn: Conn, ids: Sequence[int]) -> None:
    await accounts.touch_app_passwords(conn, ids, int(time.time()))


async def purge_onetime(conn: Conn, now: int) -> int:
    return await accounts.delete_expired_onetime_tokens(conn, now)

"""Users, groups and app passwords."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from causerie.services.accounts import hashing
from causerie.services.errors import BadRequest, Conflict, NotFound
from causerie.storage import locks, rows
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Conn

# As in Nextcloud: the group whose members administer the server, and its first member.
ADMIN_GROUP = "admin"
FIRST_ADMIN = "admin"
# Nextcloud's rule for login names.
_UID_RE = re.compile(r"^[a-zA-Z0-9 _.@\-']+$")


@dataclass(frozen=True)
class User:
    uid: str
    display_name: str
    email: str | None = None
    enabled: bool = True


def validate_uid(uid: str) -> None:
    if not uid or len(uid) > 64 or not _UID_RE.match(uid) or uid.strip() != uid:
        raise BadRequest(
            "uid",
            "Only the following characters are allowed in a user name: a-z, A-Z, 0-9, spaces and _.@-'",
        )


def validate_gid(gid: str) -> None:
    if not gid or len(gid) > 64 or gid.strip() != gid:
        raise BadRequest("gid", "Invalid group name")


@dataclass(frozen=True)
class Account:
    """A user as stored, with the password hash that remembered credentials are confirmed against."""

    uid: str
    display_name: str
    email: str | None
    password_hash: str
    enabled: bool


def user_of(row: Any) -> User:
    return User(uid=row.uid, display_name=row.display_name, email=row.email, enabled=bool(row.enabled))


async def account(conn: Conn, uid: str) -> Account | None:
    row = await accounts.get_user(conn, uid)
    return None if row is None else rows.from_row(Account, row)


async def get(conn: Conn, uid: str) -> User | None:
    row = await accounts.get_user(conn, uid)
    return None if row is None else user_of(row)


async def require(conn: Conn, uid: str) -> User:
    user = await get(conn, uid)
    if user is None:
        raise NotFound("user", f"User {uid} does not exist")
    return user


async def create(conn: Conn, uid: str, password: str, display_name: str | None = None) -> User:
    validate_uid(uid)
    if not password:
        raise BadRequest("password", "A password is required")
    if await accounts.get_user(conn, uid) is not None:
        raise Conflict("uid", f"The user {uid} already exists")
    name = display_name or uid
    await accounts.insert_user(conn, uid, name, await hashing.hash_password(password), int(time.time()))
    return User(uid, name)


async def create_first_admin(conn: Conn) -> str | None:
    """On an installation without users, create ``admin`` in the ``admin`` group with a random
    password and return that password; None when there are users already.

    Processes started together on one database all try: the lock makes each wait until the one
    before has committed, and then find its administrator.
    """
    await locks.for_this_transaction(conn, locks.FIRST_ADMIN)
    if await accounts.count_users(conn) > 0:
        return None
    password = secrets.token_urlsafe(12)
    await create(conn, FIRST_ADMIN, password, "Administrator")
    if await accounts.get_group(conn, ADMIN_GROUP) is None:
        await accounts.insert_group(conn, ADMIN_GROUP, ADMIN_GROUP)
    await accounts.add_member(conn, ADMIN_GROUP, FIRST_ADMIN)
    return password


async def set_password(conn: Conn, uid: str, password: str) -> None:
    await require(conn, uid)
    await accounts.set_password_hash(conn, uid, await hashing.hash_password(password))


async def record_login(conn: Conn, uid: str) -> None:
    await accounts.record_login(conn, uid, int(time.time()))


async def create_app_password(conn: Conn, uid: str, name: str) -> str:
    await require(conn, uid)
    token = hashing.new_app_password()
    await accounts.insert_app_password(conn, uid, name, hashing.app_password_hash(token), int(time.time()))
    return token


async def profile(conn: Conn, user: User) -> dict[str, Any]:
    """The user as Nextcloud's provisioning API describes the current user (``/cloud/user``)."""
    row = await accounts.get_user(conn, user.uid)
    if row is None:
        raise NotFound("user", f"User {user.uid} does not exist")
    group_ids = await accounts.user_group_ids(conn, user.uid)
    return {
        "enabled": bool(row.enabled),
        "id": user.uid,
        "firstLoginTimestamp": row.first_login or -1,
        "lastLoginTimestamp": row.last_login or -1,
        "lastLogin": (row.last_login or 0) * 1000,
        "backend": "Database",
        "subadmin": [],
        "quota": {"free": -3, "used": 0, "total": -3, "relative": 0, "quota": -3},
        "manager": "",
        "email": row.email,
        "additional_mail": [],
        "displayname": row.display_name,
        "display-name": row.display_name,
        "phone": "",
        "address": "",
        "website": "",
        "twitter": "",
        "fediverse": "",
        "organisation": "",
        "role": "",
        "headline": "",
        "biography": "",
        "profile_enabled": "1",
        "pronouns": "",
        "groups": group_ids,
        "language": "en",
        "locale": "",
        "notify_email": None,
        "backendCapabilities": {"setDisplayName": True, "setPassword": True},
    }


async def is_admin(conn: Conn, uid: str) -> bool:
    return ADMIN_GROUP in await accounts.user_group_ids(conn, uid)


async def display_names(conn: Conn, uids: list[str]) -> dict[str, str]:
    rows = await accounts.get_users(conn, uids)
    return {uid: row.display_name for uid, row in rows.items()}

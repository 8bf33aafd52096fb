"""The rules of Nextcloud's provisioning API: who may read and change which account and group.

Nextcloud answers its OCS codes (101, 102, …) as HTTP 400 on ``/ocs/v2.php``; its "not found" and
"forbidden" exceptions as 404 and 403. The errors below follow that.
"""

from __future__ import annotations

from typing import Any

from causerie.services.accounts import hashing, users
from causerie.services.errors import BadRequest, Forbidden, NotFound
from causerie.storage.accounts import sessions as session_store
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Conn

EDITABLE_KEYS = ("displayname", "password")
# Nextcloud's brute-force action for password confirmation: wrong current passwords count there.
CONFIRM_ACTION = "sudo"


async def require_admin(conn: Conn, caller: users.User) -> None:
    if not await users.is_admin(conn, caller.uid):
        raise Forbidden(message="Logged in account must be an admin")


async def _target(conn: Conn, uid: str) -> Any:
    row = await accounts.get_user(conn, uid)
    if row is None:
        raise NotFound(message="User does not exist")
    return row


async def list_user_ids(conn: Conn, caller: users.User, search: str, limit: int | None, offset: int) -> list[str]:
    await require_admin(conn, caller)
    return [row.uid for row in await accounts.list_users(conn, search, limit, max(offset, 0))]


async def details(conn: Conn, caller: users.User, uid: str) -> dict[str, Any]:
    """A user as ``GET /cloud/users/{userId}`` gives it: everything to its owner and admins, the
    public name to others."""
    row = await _target(conn, uid)
    target = users.user_of(row)
    if caller.uid != uid and not await users.is_admin(conn, caller.uid):
        return {"id": target.uid, "displayname": target.display_name, "display-name": target.display_name}
    return await users.profile(conn, target)


def validate_password(password: str) -> None:
    if not password:
        raise BadRequest(message="A password is required")
    if len(password) > 469:  # Nextcloud's limit (bcrypt's and argon2's inputs are kept sane)
        raise BadRequest(message="Password is too long")


def validate_display_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64:
        raise BadRequest(message="The display name must be between 1 and 64 characters")
    return name


async def edit(conn: Conn, caller: users.User, uid: str, key: str, value: str, *, current_password: str | None) -> None:
    """``PUT /cloud/users/{userId}``. ``current_password`` is asked of a browser changing its own
    password (Nextcloud's password confirmation); None when the caller is not asked for it."""
    row = await _target(conn, uid)
    own = caller.uid == uid
    if not own and not await users.is_admin(conn, caller.uid):
        raise Forbidden(message="You are not allowed to edit this user")
    if key not in EDITABLE_KEYS:
        raise BadRequest(message="Invalid key")
    if key == "displayname":
        await accounts.set_display_name(conn, uid, validate_display_name(value))
        return
    if current_password is not None and not await hashing.verify_password(row.password_hash, current_password):
        raise Forbidden("currentPassword", "The current password is wrong", throttle=CONFIRM_ACTION)
    validate_password(value)
    await accounts.set_password_hash(conn, uid, await hashing.hash_password(value))


async def create(
    conn: Conn, caller: users.User, uid: str, password: str, display_name: str, group_ids: list[str]
) -> str:
    await require_admin(conn, caller)
    users.validate_uid(uid)
    if await accounts.get_user(conn, uid) is not None:
        raise BadRequest(message="User already exists")
    validate_password(password)
    for gid in group_ids:
        if await accounts.get_group(conn, gid) is None:
            raise BadRequest(message=f"Group {gid} does not exist")
    name = validate_display_name(display_name) if display_name.strip() else uid
    await users.create(conn, uid, password, name)
    for gid in group_ids:
        await accounts.add_member(conn, gid, uid)
    return uid


async def set_enabled(conn: Conn, caller: users.User, uid: str, enabled: bool) -> None:
    """Disabling also ends the user's browser sessions; its passwords stop working at once."""
    await require_admin(conn, caller)
    await _target(conn, uid)
    if caller.uid == uid and not enabled:
        raise BadRequest(message="You cannot disable yourself")
    await accounts.set_enabled(conn, uid, enabled)
    if not enabled:
        await session_store.delete_for_user(conn, uid)


async def user_groups(conn: Conn, caller: users.User, uid: str) -> list[str]:
    if caller.uid != uid:
        await require_admin(conn, caller)
    await _target(conn, uid)
    return await accounts.user_group_ids(conn, uid)


async def add_to_group(conn: Conn, caller: users.User, uid: str, gid: str) -> None:
    await require_admin(conn, caller)
    if not gid:
        raise BadRequest(message="Group does not exist")
    if await accounts.get_group(conn, gid) is None:
        raise BadRequest(message="Group does not exist")
    if await accounts.get_user(conn, uid) is None:
        raise BadRequest(message="User does not exist")
    await accounts.add_member(conn, gid, uid)


async def remove_from_group(conn: Conn, caller: users.User, uid: str, gid: str) -> None:
    await require_admin(conn, caller)
    if not gid or await accounts.get_group(conn, gid) is None:
        raise BadRequest(message="Group does not exist")
    if await accounts.get_user(conn, uid) is None:
        raise BadRequest(message="User does not exist")
    if uid == caller.uid and gid == users.ADMIN_GROUP:
        raise BadRequest(message="Cannot remove yourself from the admin group")
    await accounts.remove_member(conn, gid, uid)


async def list_group_ids(conn: Conn, caller: users.User, search: str, limit: int | None, offset: int) -> list[str]:
    await require_admin(conn, caller)
    return [row.gid for row in await accounts.list_groups(conn, search, limit, max(offset, 0))]


async def create_group(conn: Conn, caller: users.User, gid: str, display_name: str) -> None:
    await require_admin(conn, caller)
    if not gid:
        raise BadRequest(message="Invalid group name")
    users.validate_gid(gid)
    if await accounts.get_group(conn, gid) is not None:
        raise BadRequest(message="group exists")
    await accounts.insert_group(conn, gid, display_name.strip() or gid)


async def delete_group(conn: Conn, caller: users.User, gid: str) -> None:
    await require_admin(conn, caller)
    if await accounts.get_group(conn, gid) is None:
        raise BadRequest(message="Group does not exist")
    if gid == users.ADMIN_GROUP:
        raise BadRequest(message="Cannot delete the admin group")
    await accounts.delete_group(conn, gid)


async def sign_out_everywhere(conn: Conn, uid: str) -> int:
    """End every browser session of the user (the caller forgets remembered credentials)."""
    return await session_store.delete_for_user(conn, uid)

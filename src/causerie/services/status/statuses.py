"""User statuses: what a user says about being reachable (online, away, do not disturb…) and an
optional message, as Nextcloud's user_status app keeps them.

A status set by the user (``statusIsUserDefined``) stays until changed; an automatic one comes from
heartbeats (``online``/``away``) and reads as ``offline`` once no heartbeat came for 15 minutes,
as does a user-chosen ``online``. A message with a ``clearAt`` in the past reads as no message.
Both are applied when a status is read, so nothing has to clean up behind the users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from causerie.services.errors import BadRequest, NotFound
from causerie.services.status import predefined
from causerie.storage import rows
from causerie.storage.db import Conn
from causerie.storage.status import statuses as store

ONLINE = "online"
AWAY = "away"
DND = "dnd"
BUSY = "busy"
INVISIBLE = "invisible"
OFFLINE = "offline"
# StatusService::PRIORITY_ORDERED_STATUSES: a heartbeat replaces a less important status.
PRIORITY = (ONLINE, AWAY, DND, BUSY, INVISIBLE, OFFLINE)
# Statuses a user chose that heartbeats never override.
PERSISTENT = (AWAY, BUSY, DND, INVISIBLE)
HEARTBEAT_STATUSES = (ONLINE, AWAY)
# StatusService::INVALIDATE_STATUS_THRESHOLD
STALE_AFTER_S = 15 * 60
MESSAGE_MAX_CHARS = 80


@dataclass(frozen=True)
class UserStatus:
    uid: str
    status: str
    status_timestamp: int
    is_user_defined: bool
    message_id: str | None
    custom_icon: str | None
    custom_message: str | None
    clear_at: int | None

    @classmethod
    def fresh(cls, uid: str) -> UserStatus:
        """Nextcloud's new row: offline, automatic, no message."""
        return cls(uid, OFFLINE, 0, False, None, None, None, None)


def _effective(stored: UserStatus, now: int) -> UserStatus:
    """StatusService::processStatus, without writing anything back."""
    status = stored
    if status.status_timestamp < now - STALE_AFTER_S and (not status.is_user_defined or status.status == ONLINE):
        status = replace(status, status=OFFLINE, is_user_defined=False)
    if status.clear_at is not None and status.clear_at < now:
        status = replace(status, message_id=None, custom_icon=None, custom_message=None, clear_at=None)
    if status.message_id is not None:
        known = predefined.get(status.message_id)
        if known is not None:
            status = replace(status, custom_message=known["message"], custom_icon=known["icon"])
    return status


def private(status: UserStatus) -> dict[str, Any]:
    """The user's own view (``UserStatusPrivate``)."""
    return {
        "userId": status.uid,
        "message": status.custom_message,
        "messageId": status.message_id,
        "messageIsPredefined": status.message_id is not None,
        "icon": status.custom_icon,
        "clearAt": status.clear_at,
        "status": status.status,
        "statusIsUserDefined": status.is_user_defined,
    }


def visible_status(status: UserStatus) -> str:
    """What others see: being invisible looks like being offline."""
    return OFFLINE if status.status == INVISIBLE else status.status


def public(status: UserStatus) -> dict[str, Any]:
    """Everyone else's view (``UserStatusPublic``)."""
    return {
        "userId": status.uid,
        "message": status.custom_message,
        "icon": status.custom_icon,
        "clearAt": status.clear_at,
        "status": visible_status(status),
    }


async def _stored(conn: Conn, uid: str) -> UserStatus | None:
    row = await store.get(conn, uid)
    return None if row is None else rows.from_row(UserStatus, row)


async def _save(conn: Conn, status: UserStatus) -> None:
    await store.save(conn, {name: getattr(status, name) for name in UserStatus.__dataclass_fields__})


async def own(conn: Conn, uid: str, now: int) -> UserStatus:
    """``GET user_status``: 404 when the user never had a status."""
    stored = await _stored(conn, uid)
    if stored is None:
        raise NotFound(message="No status for the current user", data=[])
    return _effective(stored, now)


async def of_user(conn: Conn, uid: str, now: int) -> UserStatus | None:
    stored = await _stored(conn, uid)
    return None if stored is None else _effective(stored, now)


async def of_users(conn: Conn, uids: Sequence[str], now: int) -> dict[str, UserStatus]:
    """The statuses of every user in ``uids`` that has one, in one query (room lists, participants)."""
    found = (rows.from_row(UserStatus, row) for row in await store.get_many(conn, uids))
    return {status.uid: _effective(status, now) for status in found}


async def listing(conn: Conn, *, limit: int | None, offset: int | None, now: int) -> list[UserStatus]:
    return [
        _effective(rows.from_row(UserStatus, row), now)
        for row in await store.list_all(conn, limit=limit, offset=offset)
    ]


async def set_status_type(conn: Conn, uid: str, status_type: str, now: int) -> UserStatus:
    if status_type not in PRIORITY:
        raise BadRequest(message=f'Status-type "{status_type}" is not supported', data=[])
    current = await _stored(conn, uid) or UserStatus.fresh(uid)
    updated = replace(current, status=status_type, status_timestamp=now, is_user_defined=True)
    await _save(conn, updated)
    return _effective(updated, now)


def _check_clear_at(clear_at: int | None, now: int) -> None:
    if clear_at is not None and clear_at < now:
        raise BadRequest(message="ClearAt is in the past", data=[])


async def set_predefined(conn: Conn, uid: str, message_id: str, clear_at: int | None, now: int) -> UserStatus:
    if predefined.get(message_id) is None:
        raise BadRequest(message=f'Message-Id "{message_id}" is not supported', data=[])
    _check_clear_at(clear_at, now)
    current = await _stored(conn, uid) or UserStatus.fresh(uid)
    updated = replace(current, message_id=message_id, custom_icon=None, custom_message=None, clear_at=clear_at)
    await _save(conn, updated)
    return _effective(updated, now)


async def set_custom(
    conn: Conn, uid: str, icon: str | None, message: str | None, clear_at: int | None, now: int
) -> UserStatus:
    """An empty message without ``clearAt`` clears the message, as Nextcloud's controller does."""
    if not message and not clear_at:
        await clear_message(conn, uid)
        return await own(conn, uid, now)
    if icon is not None and not predefined.is_emoji(icon):
        raise BadRequest(message="Status-Icon is longer than one character", data=[])
    text = message or ""
    if len(text) > MESSAGE_MAX_CHARS:
        raise BadRequest(message=f"Message is longer than supported length of {MESSAGE_MAX_CHARS} characters", data=[])
    _check_clear_at(clear_at, now)
    current = await _stored(conn, uid) or UserStatus.fresh(uid)
    updated = replace(current, message_id=None, custom_icon=icon, custom_message=text, clear_at=clear_at)
    await _save(conn, updated)
    return _effective(updated, now)


async def clear_message(conn: Conn, uid: str) -> None:
    current = await _stored(conn, uid)
    if current is not None:
        await _save(conn, replace(current, message_id=None, custom_icon=None, custom_message=None, clear_at=None))


async def heartbeat(conn: Conn, uid: str, status_type: str, now: int) -> UserStatus | None:
    """``PUT heartbeat``: the client is active (``online``) or idle (``away``). Nextcloud's
    UserLiveStatusListener: a status the user chose that persists is left alone (None: the 204 of
    "no status to keep alive"); otherwise a stale status, or a less important one, is replaced."""
    if status_type not in HEARTBEAT_STATUSES:
        raise BadRequest(data=[])
    current = await _stored(conn, uid) or UserStatus.fresh(uid)
    if current.is_user_defined and current.status in PERSISTENT:
        return None
    stale = current.status_timestamp < now - STALE_AFTER_S
    if stale or PRIORITY.index(status_type) < PRIORITY.index(current.status):
        current = replace(current, status=status_type, status_timestamp=now, is_user_defined=False)
        await _save(conn, current)
    elif current.status == status_type:
        # The same status again keeps it alive.
        current = replace(current, status_timestamp=now)
        await _save(conn, current)
    return _effective(current, now)

"""The backend API of the external ("standalone") signaling server: ``auth``, ``room`` and ``ping``.

The signaling server asks who a connecting client is (``auth``, with the v1 ticket from the
settings), whether a session may join or leave a conversation (``room``), and keeps sessions alive
(``ping``). Answers are always HTTP 200; failures are ``{"type": "error", "error": {code, message}}``
as the standalone signaling API defines them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from causerie.services.calls.signaling_tickets import TICKET_SECRET_KEY, ticket_is_valid
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.rooms import actors, calls, joining
from causerie.services.rooms import participants as p
from causerie.services.rooms.participants import Participant, Requester
from causerie.services.rooms.rooms import Room
from causerie.services.rooms.system_messages import room_key
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Conn, Database
from causerie.storage.rooms import calls as call_store
from causerie.storage.rooms import participants as participant_store
from causerie.storage.rooms import rooms as room_store


def error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"code": code, "message": message}}


INVALID_REQUEST = error("invalid_request", "The request could not be authenticated.")


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


async def auth(db: Database, request: dict[str, Any]) -> dict[str, Any]:
    """Validate a v1 ticket; name the user it belongs to (none for guests)."""
    params = _object(request.get("params"))
    user_id = params.get("userid")
    ticket = params.get("ticket")
    if user_id is not None and not isinstance(user_id, str):
        return error("invalid_ticket", "The given ticket is not valid for this user.")
    async with db.read() as conn:
        secret = (await AppConfig.load(conn, APP)).string(TICKET_SECRET_KEY)
        user = await accounts.get_user(conn, user_id) if user_id else None
    if not isinstance(ticket, str) or not ticket_is_valid(secret, user_id, ticket):
        return error("invalid_ticket", "The given ticket is not valid for this user.")
    if user_id and user is None:
        return error("no_such_user", "The given user does not exist.")
    reply: dict[str, Any] = {"version": "1.0"}
    if user is not None:
        reply["userid"] = user.uid
        reply["user"] = {"displayname": user.display_name}
    return {"type": "auth", "auth": reply}


NO_SUCH_ROOM = error("no_such_room", "The user is not invited to this room.")


def _php_datetime(timestamp: int | None) -> dict[str, Any] | None:
    """A timestamp as PHP's json_encode writes a DateTime, which is what Talk sends here."""
    if not timestamp:
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return {"date": moment.strftime("%Y-%m-%d %H:%M:%S.000000"), "timezone_type": 3, "timezone": "UTC"}


async def _display_name(conn: Conn, room: Room, user_id: str) -> str:
    if not room.is_one_to_one:
        return room.name
    others = [uid for uid in room.one_to_one_users() if uid != user_id]
    row = await accounts.get_user(conn, others[0]) if others else None
    return row.display_name if row is not None else (others[0] if others else room.name)


async def _properties(conn: Conn, room: Room, user_id: str) -> dict[str, Any]:
    """Talk's ``Room::getPropertiesForSignaling``."""
    return {
        "name": await _display_name(conn, room, user_id),
        "type": room.type,
        "lobby-state": room.lobby_state,
        "lobby-timer": _php_datetime(room.lobby_timer),
        "read-only": room.read_only,
        "listable": room.listable,
        "active-since": _php_datetime(room.active_since),
        "sip-enabled": room.sip_enabled,
        "description": room.description,
    }


def _permissions(participant: Participant) -> list[str]:
    found = [
        name
        for bit, name in (
            (p.PERMISSIONS_PUBLISH_AUDIO, "publish-audio"),
            (p.PERMISSIONS_PUBLISH_VIDEO, "publish-video"),
            (p.PERMISSIONS_PUBLISH_SCREEN, "publish-screen"),
        )
        if participant.has_permission(bit)
    ]
    if participant.is_moderator:
        found.append("control")
    return found


async def _participant(
    conn: Conn, room: Room, request: dict[str, Any], session_id: str, action: str
) -> Participant | None:
    """Talk's lookup: by session, then by actor (only to join with a new session), or by user id."""
    admin_default = p.admin_default_permissions(await AppConfig.load(conn, APP))
    if session_id:
        row = await participant_store.get_session(conn, session_id)
        attendee = None if row is None else await participant_store.get_attendee_by_id(conn, room.id, row.attendee_id)
        if row is not None and attendee is not None:
            return Participant(room, p.Attendee.from_row(attendee), p.TalkSession.from_row(row), admin_default)
    actor_type, actor_id = request.get("actortype"), request.get("actorid")
    attendee = None
    if isinstance(actor_type, str) and isinstance(actor_id, str):
        if not session_id or action == "join":
            attendee = await participant_store.get_attendee(conn, room.id, actor_type, actor_id)
    elif not session_id and isinstance(request.get("userid"), str) and request["userid"]:
        attendee = await participant_store.get_attendee(conn, room.id, actors.USERS, request["userid"])
    return None if attendee is None else Participant(room, p.Attendee.from_row(attendee), None, admin_default)


async def room(db: Database, request: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A session joins or leaves a conversation on the signaling server."""
    token, session_id = request.get("roomid"), request.get("sessionid") or ""
    raw_user_id = request.get("userid")
    user_id = raw_user_id if isinstance(raw_user_id, str) else ""
    action = request.get("action") or "join"
    in_call = request.get("incall")
    if not isinstance(token, str) or not isinstance(session_id, str) or action not in ("join", "leave"):
        return error("invalid_request", "roomid, sessionid and action (join or leave) are needed."), []
    now = int(time.time())
    async with db.write() as conn:
        row = await room_store.get_by_token(conn, token)
        if row is None:
            return NO_SUCH_ROOM, []
        current = Room.from_row(row)
        participant = await _participant(conn, current, request, session_id, action)
        if participant is None:
            # The same answer for unknown rooms and strangers: nothing tells which rooms exist.
            return NO_SUCH_ROOM, []
        if action == "join":
            if session_id and participant.session is None:
                if await participant_store.get_session(conn, session_id) is not None:
                    return error("duplicate_session", "The given session is already in use."), []
                await participant_store.insert_session(
                    conn, attendee_id=participant.attendee_id, session_id=session_id, last_ping=now, state=1
                )
                participant = await _participant(conn, current, request, session_id, action)
                assert participant is not None
            if participant.session is not None:
                if isinstance(in_call, int) and not isinstance(in_call, bool):
                    if in_call & calls.IN_CALL:
                        await calls.enter(
                            conn, current, participant, participant.session, in_call & calls.ALL_FLAGS, now=now
                        )
                    else:
                        await calls.disconnect(conn, current, participant.actor, participant.session, now=now)
                await call_store.ping(conn, [participant.session.session_id], now)
        reply_room = Room.from_row(await room_store.get_by_id(conn, current.id) or row)
        properties = await _properties(conn, reply_room, user_id)
    if action == "leave" and participant.session is not None:
        await joining.leave(db, Requester(None, {token: participant.session.session_id}), token)
    reply = {
        "type": "room",
        "room": {"version": "1.0", "roomid": token, "properties": properties, "permissions": _permissions(participant)},
    }
    return reply, [room_key(token)]


async def ping(db: Database, request: dict[str, Any]) -> dict[str, Any]:
    """Keep the listed sessions alive (one query for all of them)."""
    entries = request.get("entries")
    session_ids = [
        entry["sessionid"]
        for entry in (entries if isinstance(entries, list) else [])
        if isinstance(entry, dict) and isinstance(entry.get("sessionid"), str) and entry["sessionid"] != "0"
    ]
    async with db.write() as conn:
        await call_store.ping(conn, session_ids, int(time.time()))
    return {"type": "room", "room": {"version": "1.0"}}


async def answer(db: Database, message: Any) -> tuple[dict[str, Any], list[str]]:
    """The reply to one authenticated backend request, and the hub keys to wake after it."""
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == "auth":
        return await auth(db, _object(message.get("auth"))), []
    if kind == "room":
        return await room(db, _object(message.get("room")))
    if kind == "ping":
        return await ping(db, _object(message.get("ping"))), []
    return error("unknown_type", f"The given type {kind!r} is not supported."), []

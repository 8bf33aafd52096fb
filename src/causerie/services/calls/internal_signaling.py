"""Internal signaling: WebRTC messages between the sessions of a conversation, through the server.

Without an external signaling server, clients post their messages (``POST /signaling/{token}``)
and long-poll for the ones addressed to their session (``GET /signaling/{token}``). A message is
stored per recipient session and the recipient's waiter (hub key ``session:{sessionId}``) is woken
after the commit. A poll also ends early when the conversation's session list changes (someone
joins or leaves, a call starts, flags change), which Talk signals with "refresh-participant-list"
markers; here the poll watches ``room:{token}`` and compares the list. Every poll ends with the
``usersInRoom`` list.

Differences from Talk: a message is only delivered to sessions of the same conversation (Talk
stores it for any session id), and a ``messages`` parameter that is not a JSON array of objects is
answered with 400 instead of an error 500.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Row

from causerie.services import client_json
from causerie.services.errors import BadRequest
from causerie.services.rooms import actors
from causerie.services.rooms import participants as p
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.storage.calls import signaling as store
from causerie.storage.db import Conn
from causerie.storage.rooms import calls as call_store
from causerie.storage.rooms import participants as participant_store

# Talk's SignalingController::PULL_MESSAGES_TIMEOUT.
PULL_TIMEOUT_S = 30
# usersInRoom lists the sessions pinged in the last 40 s (the pull timeout and some slack).
USERS_IN_ROOM_WINDOW_S = PULL_TIMEOUT_S + 10


def session_key(session_id: str) -> str:
    """The hub/broker key woken when a message for this Talk session is stored."""
    return f"session:{session_id}"


def _decode(messages: str) -> list[dict[str, Any]]:
    try:
        decoded = client_json.loads(messages)
    except (ValueError, TypeError):
        raise BadRequest(data="messages must be a JSON array") from None
    if not isinstance(decoded, list) or not all(isinstance(item, dict) for item in decoded):
        raise BadRequest(data="messages must be a JSON array of objects")
    return decoded


async def send(conn: Conn, room: Room, participant: Participant, messages: str, now: int) -> list[str]:
    """Store the messages the participant's session sends; returns the recipient sessions."""
    own = participant.session_id
    room_sessions = {row.session_id for row in await call_store.room_sessions(conn, room.id, pinged_since=0)}
    recipients: list[str] = []
    for item in _decode(messages):
        if item.get("ev") != "message" or not isinstance(item.get("fn"), str) or own is None:
            continue
        if item.get("sessionId") != own:
            continue
        try:
            payload = client_json.loads(item["fn"])
        except ValueError:
            continue
        if not isinstance(payload, dict) or payload.get("to") not in room_sessions:
            continue
        if payload.get("type") == "control" and not participant.is_moderator:
            continue
        payload["from"] = own
        await store.insert(conn, recipient=payload["to"], sender=own, message=json.dumps(payload), now=now)
        recipients.append(payload["to"])
    return recipients


async def take(conn: Conn, session_id: str) -> list[dict[str, Any]]:
    return [{"type": "message", "data": message} for message in await store.take(conn, session_id)]


def _permissions(room: Room, row: Row[Any], admin_default: int) -> int:
    return p.effective_permissions(room, p.Attendee.from_row(row), admin_default)


async def sessions(conn: Conn, room: Room, since: int) -> Sequence[Row[Any]]:
    return await call_store.room_sessions(conn, room.id, pinged_since=since)


def fingerprint(room: Room, rows: Sequence[Row[Any]], admin_default: int) -> frozenset[tuple[str, int, int]]:
    """What a change of makes clients refresh their participant list (Talk's refresh marker)."""
    return frozenset((row.session_id, int(row.in_call), _permissions(room, row, admin_default)) for row in rows)


def users_in_room(room: Room, rows: Sequence[Row[Any]], admin_default: int) -> dict[str, Any]:
    return {
        "type": "usersInRoom",
        "data": [
            {
                "userId": row.actor_id if row.actor_type == actors.USERS else "",
                "roomId": room.id,
                "lastPing": int(row.last_ping),
                "sessionId": row.session_id,
                "inCall": int(row.in_call),
                "participantPermissions": _permissions(room, row, admin_default),
                "actorType": row.actor_type,
                "actorId": row.actor_id,
            }
            for row in rows
        ],
    }


EMPTY_USERS = {"type": "usersInRoom", "data": []}


async def ping(conn: Conn, session_id: str, now: int) -> None:
    """A pull keeps its session alive, as Talk's ping does."""
    await call_store.ping(conn, [session_id], now)


async def session_alive(conn: Conn, session_id: str) -> bool:
    return await participant_store.get_session(conn, session_id) is not None


async def waiting(conn: Conn, session_id: str) -> int:
    """How many signaling messages wait for the session."""
    return await store.count(conn, session_id)

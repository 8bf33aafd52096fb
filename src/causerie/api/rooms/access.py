"""Resolving the room and participant of a request, for every API module that works in a room.

``await room_access.load(ctx, conn, token)`` is what a handler calls: it returns ``(Room,
Participant)`` or raises Talk's 404. The 404 counts a ``talkRoomToken`` attempt only on the routes
that declare that action (``throttle=[ROOM_TOKEN_ACTION]``), the ones Talk's controllers declare it
on: getting one room, joining it, the signaling settings.
"""

from __future__ import annotations

import time
from typing import Any

from causerie.http.endpoint import Ctx
from causerie.runtime import Runtime
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.errors import NotFound
from causerie.services.room_format import Viewer
from causerie.services.rooms import participants
from causerie.services.rooms import settings as room_settings
from causerie.services.rooms.participants import SESSION_KEY, Participant, Requester
from causerie.services.rooms.rooms import Room, lobby_timer_passed
from causerie.services.rooms.system_messages import room_key
from causerie.storage.db import Conn


def _room_sessions(ctx: Ctx) -> dict[str, str]:
    session = ctx.session
    value: Any = session.data.get(SESSION_KEY) if session is not None else None
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def requester(ctx: Ctx) -> Requester:
    """Who asks: the user, and the Talk sessions its cookie session holds per room."""
    return Requester(ctx.user, _room_sessions(ctx))


async def load(ctx: Ctx, conn: Conn, token: str) -> tuple[Room, Participant]:
    """Remembered credentials (``confirms_credentials`` endpoints) are confirmed against the user's
    row, which comes with the room."""
    try:
        room, found, stored = await participants.load_with_account(conn, requester(ctx), token)
    except NotFound:
        await ctx.confirm_credentials(conn)  # a user who is gone is told 401, not 404
        raise
    ctx.confirm_account(stored)
    participant = participants.require_participant(found)
    if lobby_timer_passed(room, int(time.time())):
        # As Talk, the lobby is opened when a request notices its timer; the request itself already
        # treats the room as open. A write of its own, after this request's transaction.
        ctx.runtime.spawn(_open_lobby(ctx.runtime, room))
    return room, participant


async def already_in(ctx: Ctx) -> bool:
    """Whether the caller is a participant of the conversation of the ``token`` parameter: it knows
    the token already, so its request is no guess and never waits for the address's attempts."""
    token = ctx.params.raw("token")
    if not isinstance(token, str) or not token:
        return False
    async with ctx.runtime.db.read() as conn:
        try:
            _, found, _ = await participants.load_with_account(conn, requester(ctx), token)
        except NotFound:
            return False
    return found is not None


async def _open_lobby(runtime: Runtime, room: Room) -> None:
    async with runtime.db.write() as conn:
        opened = await room_settings.open_lobby_on_timer(conn, room.id, int(time.time()))
    if opened:
        await runtime.publish(room_key(room.token))


async def viewer(ctx: Ctx, conn: Conn) -> Viewer:
    return Viewer(ctx.user, await AppConfig.load(conn, APP))


async def remember_session(ctx: Ctx, token: str, session_id: str) -> None:
    """Keep the new Talk session in the cookie session, as Talk keeps it in the PHP session."""
    session = await ctx.ensure_session()
    sessions = _room_sessions(ctx)
    sessions[token] = session_id
    session.set(SESSION_KEY, sessions)


def forget_session(ctx: Ctx, token: str) -> None:
    session = ctx.session
    sessions = _room_sessions(ctx)
    if session is not None and sessions.pop(token, None) is not None:
        session.set(SESSION_KEY, sessions)

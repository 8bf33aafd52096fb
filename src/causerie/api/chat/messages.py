"""Talk's ChatController: ``/apps/spreed/api/v1/chat/{token}`` (receive, send, edit, delete, read
markers, mention suggestions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from causerie.api.rooms import access as room_access
from causerie.events.single_flight import SingleFlight
from causerie.http import longpoll
from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.services import room_format
from causerie.services.chat import format as chat_format
from causerie.services.chat import history
from causerie.services.chat import messages as chat
from causerie.services.chat import suggestions as mention_suggestions
from causerie.services.chat.history import Page
from causerie.services.chat.mentions import candidates
from causerie.services.errors import NotFound, TooManyRequests
from causerie.services.files import tree
from causerie.services.jobs import queue as jobs
from causerie.services.notifications import dismissal
from causerie.services.notifications.poll_reads import PollRead, PollReads
from causerie.services.rooms.actors import USERS
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.services.rooms.system_messages import room_key
from causerie.storage.db import Conn

api = Api()
BASE = "/apps/spreed/api/v1/chat/{token}"
LAST_GIVEN = "X-Chat-Last-Given"
LAST_COMMON_READ = "X-Chat-Last-Common-Read"


async def _common_read_header(ctx: Ctx, conn: Any, room: Room, participant: Participant) -> dict[str, str]:
    """Talk shares the common read marker only with participants who share their own."""
    if participant.attendee.read_privacy != 0:
        return {}
    return {LAST_COMMON_READ: str(await history.common_read(conn, room))}


def _flights(ctx: Ctx) -> SingleFlight[Page | None]:
    state = ctx.request.app.state
    flights: SingleFlight[Page | None] | None = getattr(state, "chat_flights", None)
    if flights is None:
        budget = ctx.runtime.settings.longpoll_cache_bytes
        flights = state.chat_flights = SingleFlight(ctx.runtime.hub, max_bytes=budget, size=history.page_bytes)
    return flights


def _poll_reads(ctx: Ctx) -> PollReads:
    state = ctx.request.app.state
    reads: PollReads | None = getattr(state, "poll_reads", None)
    if reads is None:
        reads = state.poll_reads = PollReads(ctx.runtime.db, ctx.runtime.broker)
    return reads


@api.get(BASE, auth=Auth.PUBLIC, confirms_credentials=True)
async def receive(ctx: Ctx) -> Reply:
    params = ctx.params
    token = params.string("token")
    future = params.integer("lookIntoFuture") == 1
    limit = chat.clamp_limit(params.integer("limit", chat.HISTORY_LIMIT_DEFAULT))
    last_known = chat.clamp_id(params.integer("lastKnownMessageId"))
    last_common_read = params.integer("lastCommonReadId")
    timeout = chat.clamp_timeout(params.integer("timeout", chat.TIMEOUT_DEFAULT))
    include = params.integer("includeLastKnown") == 1
    db = ctx.runtime.db
    async with db.read() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        chat.require_no_lobby(room, participant)
        # Talk's markNotificationsAsRead: a user polling the chat sees it. Only an unread message
        # can have a notification that is still shown, so a read chat costs no query here.
        viewed = (
            future
            and params.integer("markNotificationsAsRead", 1) == 1
            and room.last_message_id > participant.attendee.last_read_message
            and await dismissal.has_chat_notifications(conn, room, participant)
        )
    move = future and params.integer("setReadMarker", 1) == 1 and last_known > participant.attendee.last_read_message
    if move or viewed:
        await _poll_reads(ctx).apply(PollRead(room, participant, last_known if move else 0, viewed))

    def read_page(newer: bool) -> Awaitable[Page | None]:
        return history.read_page(db, room, last_known, limit, newer=newer, include=include)

    if future:
        key = room_key(room.token)
        flights = _flights(ctx)

        async def newer(seen: int) -> Page | None:
            return await flights.run(key, (last_known, limit, include), seen, lambda: read_page(True))

        page = await longpoll.wait_for(ctx.request, ctx.runtime.hub, key, newer, timeout)
    else:
        page = await read_page(False)

    shares_read = participant.attendee.read_privacy == 0
    if page is None:
        if last_common_read and shares_read:
            async with db.read() as conn:
                common = await history.common_read(conn, room)
            if common != last_common_read:
                # A 304 cannot carry headers, so a changed common read marker makes it 200 [].
                return Reply([], headers={LAST_COMMON_READ: str(common)})
        return Reply(None, status=304)
    headers = {LAST_GIVEN: str(page.last_given)}
    if shares_read:
        headers[LAST_COMMON_READ] = str(page.common_read)
    if page.shared is not None:
        return Reply(page.shared, headers=headers, bodies=page.bodies)
    own: dict[int, list[str]] = {}
    files = None
    if page.prepared.shares and participant.actor.type == USERS:
        await tree.prepare(db, participant.actor.id)  # names new shares in the viewer's tree
    if page.prepared.counts or page.prepared.shares:
        async with db.read() as conn:
            own = await chat_format.own_reactions(conn, page.prepared, participant.actor)
            files = await chat_format.file_view(conn, page.prepared, participant.actor, ctx.base_url)
    return Reply(chat_format.present(page.prepared, participant.actor, own, files), headers=headers)


@api.post(BASE, auth=Auth.PUBLIC, confirms_credentials=True)
async def send(ctx: Ctx) -> Reply:
    params = ctx.params
    token = params.string("token")
    message = params.string("message")
    db = ctx.runtime.db
    # Guests (no user) are limited in how many messages with mentions they may send.
    limited = ctx.user is None and "@" in message and bool(candidates(message))
    throttler = ctx.runtime.throttler
    if limited:
        sent_before = await throttler.attempts(ctx.ip, chat.GUEST_MENTION_ACTION, chat.GUEST_MENTION_WINDOW_S)
        if sent_before >= chat.GUEST_MENTION_LIMIT:
            raise TooManyRequests(data={"error": "mentions"})
    # One transaction: the checks and mention lookups, then the insert. (On SQLite the writes of
    # concurrent requests share a commit; on PostgreSQL the reads take no locks.)
    async with db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        draft = await chat.draft(
            conn,
            room,
            participant,
            message=message,
            base_url=ctx.base_url,
            actor_display_name=params.string("actorDisplayName"),
            reply_to=chat.clamp_id(params.integer("replyTo")),
            reference_id=params.string("referenceId"),
            silent=params.boolean("silent"),
        )
        sent = await chat.post(conn, room, participant, draft)
        headers = await _common_read_header(ctx, conn, room, participant)
        # A new message: nobody can have reacted to it yet and its parent was read above, so
        # formatting it needs no query (but the reactions of a parent it quotes).
        parents = [] if draft.parent is None else [draft.parent]
        ref = chat_format.RoomRef.of(room)
        prepared = await chat_format.prepare(conn, ref, [sent.row], reactions=bool(parents), known_parents=parents)
    data = chat_format.present(prepared, participant.actor, {})[0]
    await ctx.runtime.publish(room_key(room.token))
    if sent.notifies:
        await jobs.wake(ctx.runtime.broker)
    if limited and sent.mentions_anyone:
        await throttler.register_attempt(ctx.ip, chat.GUEST_MENTION_ACTION)
    return Reply(data, status=201, headers=headers)


async def _render_id(conn: Any, room: Room, participant: Participant, message_id: int) -> dict[str, Any]:
    return await history.render(conn, room, participant.actor, message_id)


async def _room(ctx: Ctx, conn: Any, token: str) -> dict[str, Any]:
    room, participant = await room_access.load(ctx, conn, token)
    return await room_format.format_room(conn, room, participant, await room_access.viewer(ctx, conn))


# A change in the chat of the request's room, given the room and the caller, inside the write
# transaction; returns the id of the system message it left.
Change = Callable[[Conn, Room, Participant], Awaitable[int]]


async def _change_chat(ctx: Ctx, change: Change) -> Reply:
    """Apply ``change``, answer the system message it left, wake the room's waiters."""
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, ctx.params.string("token"))
        system_id = await change(conn, room, participant)
        data = await _render_id(conn, room, participant, system_id)
        headers = await _common_read_header(ctx, conn, room, participant)
    await ctx.runtime.publish(room_key(room.token))
    return Reply(data, headers=headers)


async def _change_read_state(ctx: Ctx, change: Callable[[Conn, Room, Participant], Awaitable[None]]) -> Reply:
    """Apply ``change`` to the caller's read state (users only) and answer the room."""
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        if participant.is_guest:
            raise NotFound(data=[])
        await change(conn, room, participant)
        data = await _room(ctx, conn, token)
        headers = await _common_read_header(ctx, conn, room, participant)
    return Reply(data, headers=headers)


@api.delete(BASE, auth=Auth.PUBLIC)
async def clear_history(ctx: Ctx) -> Reply:
    return await _change_chat(ctx, chat.clear_history)


@api.post(BASE + "/read", auth=Auth.PUBLIC)
async def set_read_marker(ctx: Ctx) -> Reply:
    last_read = ctx.params.opt_integer("lastReadMessage")
    marker = None if last_read is None else chat.clamp_id(last_read)
    pushed: list[bool] = []

    async def change(conn: Conn, room: Room, participant: Participant) -> None:
        # Reading up to a message dismisses the notifications about it (and those before).
        up_to = await chat.set_read_marker(conn, room, participant, marker)
        pushed.append(await dismissal.read_up_to(conn, room, participant, up_to))

    reply = await _change_read_state(ctx, change)
    if any(pushed):
        await jobs.wake(ctx.runtime.broker)
    return reply


@api.delete(BASE + "/read", auth=Auth.PUBLIC)
async def mark_unread(ctx: Ctx) -> Reply:
    return await _change_read_state(ctx, chat.mark_unread)


@api.get(BASE + "/mentions", auth=Auth.PUBLIC)
async def mentions(ctx: Ctx) -> list[dict[str, Any]]:
    token = ctx.params.string("token")
    limit = ctx.params.integer("limit", chat.MENTIONS_LIMIT_DEFAULT)
    async with ctx.runtime.db.read() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        chat.require_no_lobby(room, participant)
        chat.require_can_chat(participant)
        return await mention_suggestions.suggest(conn, room, participant, ctx.params.string("search"), limit)


@api.put(BASE + "/{messageId:int}", auth=Auth.PUBLIC)
async def edit(ctx: Ctx) -> Reply:
    message_id = chat.clamp_id(ctx.params.integer("messageId"))
    text = ctx.params.string("message")
    base_url = ctx.base_url
    return await _change_chat(
        ctx,
        lambda conn, room, participant: chat.edit(conn, room, participant, message_id, text, base_url=base_url),
    )


@api.delete(BASE + "/{messageId:int}", auth=Auth.PUBLIC)
async def delete(ctx: Ctx) -> Reply:
    message_id = chat.clamp_id(ctx.params.integer("messageId"))
    pushed: list[bool] = []

    async def change(conn: Conn, room: Room, participant: Participant) -> int:
        system_id = await chat.delete(conn, room, participant, message_id)
        # Nobody is told about a message that is gone.
        pushed.append(await dismissal.message_deleted(conn, message_id))
        return system_id

    reply = await _change_chat(ctx, change)
    if any(pushed):
        await jobs.wake(ctx.runtime.broker)
    return reply

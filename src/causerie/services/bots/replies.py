"""Bots answering: messages and reactions a bot posts with its own signature.

A bot sends ``X-Nextcloud-Talk-Bot-Random`` (at least 32 characters) and
``X-Nextcloud-Talk-Bot-Signature``, the hex HMAC-SHA256 with its secret of the random followed by
the ``message`` (or ``reaction``) field. The signature is compared in constant time against every
bot enabled in the conversation; no match is 401 and counts a ``bot`` brute-force attempt, as in
Talk's BotController.
"""

from __future__ import annotations

import hmac

from causerie.services.bots import bots
from causerie.services.bots.delivery import signature
from causerie.services.bots.model import Bot
from causerie.services.chat import messages as chat
from causerie.services.chat import reactions
from causerie.services.chat.messages import Sent
from causerie.services.chat.notifying import FEATURE_RESPONSE
from causerie.services.chat.reactions import Reacted
from causerie.services.errors import BadRequest, Unauthorized
from causerie.services.rooms import rooms
from causerie.services.rooms.rooms import Room
from causerie.storage.db import Conn

THROTTLE_ACTION = "bot"
MIN_RANDOM = 32


async def authenticate(conn: Conn, token: str, random: str, given: str, signed: str) -> tuple[Room, Bot]:
    """The conversation and the bot whose signature the request carries."""
    if len(random) < MIN_RANDOM or not given:
        raise BadRequest(data=None)
    room = await rooms.get(conn, token)
    candidates = [] if room is None else await bots.enabled_in(conn, room.id)
    found = None
    given = given.lower()
    for bot in candidates:
        # Every candidate is compared, so the time taken does not tell which one matched.
        if hmac.compare_digest(signature(bot.secret, random, signed), given) and found is None:
            found = bot
    if room is None or found is None:
        raise Unauthorized(data=None, throttle=THROTTLE_ACTION)
    if not found.has(FEATURE_RESPONSE):
        raise BadRequest(data=None)
    return room, found


async def send_message(
    conn: Conn, room: Room, bot: Bot, *, message: str, base_url: str, reply_to: int, reference_id: str, silent: bool
) -> Sent:
    try:
        return await chat.post_as(
            conn,
            room,
            bot.actor,
            message=message,
            base_url=base_url,
            reply_to=reply_to,
            reference_id=reference_id,
            silent=silent,
        )
    except BadRequest:
        raise BadRequest(data=None) from None


async def react(conn: Conn, room: Room, bot: Bot, message_id: int, reaction: str) -> Reacted:
    return await reactions.add_as(conn, room, bot.actor, message_id, reaction)


async def unreact(conn: Conn, room: Room, bot: Bot, message_id: int, reaction: str) -> Reacted:
    return await reactions.remove_as(conn, room, bot.actor, message_id, reaction)

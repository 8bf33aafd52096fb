"""Installed bots (``occ talk:bot:*``) and the conversations moderators enable them in.

A bot is a URL and a shared secret. Talk posts what happens in the conversations the bot is
enabled in to that URL, signed with the secret (``webhooks.py``); the bot answers by calling
Causerie with its own signature (``replies.py``). Bots are installed only from the command line.
"""

from __future__ import annotations

from typing import Any

from causerie.services import clock
from causerie.services.bots import delivery
from causerie.services.bots.model import (
    STATE_DISABLED,
    STATE_ENABLED,
    STATE_NO_SETUP,
    URL_SCHEMES,
    Bot,
    Refused,
    features_of,
    url_hash,
)
from causerie.services.errors import BadRequest
from causerie.services.rooms.rooms import ONE_TO_ONE_FORMER, Room
from causerie.storage.bots import bots as store
from causerie.storage.db import Conn


def _check(name: str, secret: str, url: str, description: str | None) -> None:
    if not 1 <= len(name.encode()) <= 64:
        raise Refused("The provided name is too short or too long (min. 1 char, max. 64 chars)")
    if not 40 <= len(secret.encode()) <= 128:
        raise Refused("The provided secret is too short (min. 40 chars, max. 128 chars)")
    if len(url.encode()) > 4000 or not url.startswith(URL_SCHEMES):
        raise Refused("The provided URL is not a valid URL")
    if description is not None and len(description.encode()) > 4000:
        raise Refused("The provided description is too long (max. 4000 chars)")


async def install(
    conn: Conn, *, name: str, secret: str, url: str, description: str | None, features: list[str], no_setup: bool
) -> Bot:
    _check(name, secret, url, description)
    bits = features_of(features, url)
    digest = url_hash(url)
    if await store.url_hash_taken(conn, digest):
        raise Refused("Bot with the same URL is already registered", 2)
    if await store.secret_taken(conn, secret):
        raise Refused("Bot with the same secret is already registered", 3)
    values = {
        "name": name,
        "url": url,
        "url_hash": digest,
        "description": description,
        "secret": secret,
        "state": STATE_NO_SETUP if no_setup else STATE_ENABLED,
        "features": bits,
        "error_count": 0,
        "created_at": int(clock.now()),
    }
    bot_id = await store.insert_bot(conn, **values)
    found = await get(conn, bot_id)
    assert found is not None
    return found


# Bot ids are 32-bit columns: a larger id names no bot (PostgreSQL would refuse the parameter).
MAX_BOT_ID = 2**31 - 1


async def get(conn: Conn, bot_id: int) -> Bot | None:
    if not 0 < bot_id <= MAX_BOT_ID:
        return None
    row = await store.by_id(conn, bot_id)
    return None if row is None else Bot.of(row)


async def require(conn: Conn, bot_id: int) -> Bot:
    found = await get(conn, bot_id)
    if found is None:
        raise Refused("Bot not found")
    return found


async def by_url(conn: Conn, url: str) -> Bot | None:
    row = await store.by_url(conn, url)
    return None if row is None else Bot.of(row)


async def all_bots(conn: Conn) -> list[Bot]:
    return [Bot.of(row) for row in await store.all_bots(conn)]


async def enabled_in(conn: Conn, room_id: int) -> list[Bot]:
    return [Bot.of(row) for row in await store.enabled_in_room(conn, room_id)]


async def uninstall(conn: Conn, bot: Bot) -> None:
    await store.delete_bot(conn, bot.id)


async def set_state(conn: Conn, bot: Bot, state: int, features: list[str] | None) -> None:
    if state not in (STATE_DISABLED, STATE_ENABLED, STATE_NO_SETUP):
        raise Refused("Invalid state provided")
    values: dict[str, Any] = {"state": state}
    if features:
        values["features"] = features_of(features, bot.url)
    await store.update_bot(conn, bot.id, **values)


async def record_error(conn: Conn, bot_id: int, message: str) -> None:
    await store.record_error(conn, bot_id, message, int(clock.now()))


async def tokens_of(conn: Conn, bot: Bot) -> list[str]:
    return await store.room_tokens_of(conn, bot.id)


# --- moderators ----------------------------------------------------------------------------------


async def listing_for_room(conn: Conn, room: Room) -> list[dict[str, Any]]:
    """Talk's ``GET bot/{token}``: every bot, with ``state`` 1 when enabled here; bots a moderator
    may not set up appear only where an administrator enabled them (``state`` 2)."""
    here = await store.bot_ids_in_room(conn, room.id)
    found = []
    for bot in await all_bots(conn):
        state = STATE_ENABLED if bot.id in here else STATE_DISABLED
        if bot.state == STATE_NO_SETUP:
            if bot.id not in here:
                continue
            state = STATE_NO_SETUP
        found.append(bot.public(state))
    return found


async def bot_for_moderator(conn: Conn, room: Room, bot_id: int) -> Bot:
    if room.type == ONE_TO_ONE_FORMER:
        raise BadRequest(data={"error": "room"})
    bot = await get(conn, bot_id)
    if bot is None:
        raise BadRequest(data={"error": "bot"})
    return bot


async def enable(conn: Conn, room: Room, bot: Bot, *, by_admin: bool = False) -> bool:
    """Enable ``bot`` in ``room``; False when it was already. Moderators may enable only bots an
    administrator left enabled (not disabled, not no-setup). The bot hears of it (``Join``)."""
    if bot.state == STATE_DISABLED or (bot.state == STATE_NO_SETUP and not by_admin):
        raise BadRequest(data={"error": "bot"})
    if not await store.enable(conn, bot.id, room.id):
        return False
    await delivery.joined(conn, room, bot)
    return True


async def disable(conn: Conn, room: Room, bot: Bot) -> bool:
    """False when it was not enabled; otherwise the bot hears of it (``Leave``)."""
    if not await store.disable(conn, bot.id, room.id):
        return False
    await delivery.left(conn, room, bot)
    return True

"""Posting to bots: Talk's signed webhook requests, sent by the job runners after the commit.

Every request carries ``X-Nextcloud-Talk-Random`` (64 random characters),
``X-Nextcloud-Talk-Signature`` (hex HMAC-SHA256 of random + body with the bot's secret) and
``X-Nextcloud-Talk-Backend`` (the server's base URL); the body is the JSON that was signed,
encoded as PHP's ``json_encode`` writes it. A bot that answers 2xx has the event; any other answer
or a network error counts on the bot (``error_count``, ``last_error_*``) and the event is tried
again by a ``bots.deliver`` job with the queue's backoff (capped at a minute, so a backlog drains
within a minute of the bot coming back), until its tries are used up and the job is dead.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from typing import Any

from causerie.services import clock
from causerie.services.bots.model import STATE_DISABLED, Bot
from causerie.services.bots.poster import Poster
from causerie.services.jobs import queue as job_queue
from causerie.services.jobs.queue import GiveUp, JobContext
from causerie.services.rooms.rooms import Room
from causerie.storage.bots import bots as store
from causerie.storage.db import Conn

DELIVER = "bots.deliver"
# Tries of one event to one bot before its job is dead (with the backoff, about six minutes).
MAX_ATTEMPTS = 10
TIMEOUT_S = 5.0


def php_json(value: Any) -> str:
    """JSON as PHP's ``json_encode`` writes it without flags: ASCII only, slashes escaped."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def random_string() -> str:
    """64 random characters of ``[A-Za-z0-9+/]``, as Talk's ``ISecureRandom::generate(64)``."""
    return base64.b64encode(secrets.token_bytes(48)).decode()


def signature(secret: str, random: str, text: str) -> str:
    return hmac.new(secret.encode(), (random + text).encode(), hashlib.sha256).hexdigest()


def application(bot: Bot) -> dict[str, Any]:
    return {"type": "Application", "id": f"bots/{bot.actor_id}", "name": bot.name}


def collection(room: Room) -> dict[str, Any]:
    return {"type": "Collection", "id": room.token, "name": room.name}


async def enqueue(conn: Conn, bot: Bot, body: str, *, run_at: float | None = None) -> None:
    await job_queue.enqueue(conn, DELIVER, {"bot": bot.id, "body": body}, run_at=run_at, max_attempts=MAX_ATTEMPTS)


async def joined(conn: Conn, room: Room, bot: Bot) -> None:
    """The bot was enabled in ``room``: it hears ``Join`` (wake the runners after the commit)."""
    if bot.posts_webhooks:
        await enqueue(conn, bot, php_json({"type": "Join", "actor": application(bot), "object": collection(room)}))


async def left(conn: Conn, room: Room, bot: Bot) -> None:
    if bot.posts_webhooks:
        await enqueue(conn, bot, php_json({"type": "Leave", "actor": application(bot), "object": collection(room)}))


async def post(context: JobContext, bot: Bot, body: str) -> str | None:
    """One signed POST; None when the bot took it, else what went wrong."""
    random = random_string()
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": "Causerie bots",
        "OCS-APIRequest": "true",
        "X-Nextcloud-Talk-Random": random,
        "X-Nextcloud-Talk-Signature": signature(bot.secret, random, body),
        "X-Nextcloud-Talk-Backend": context.base_url.rstrip("/") + "/",
    }
    try:
        status = await _poster().post(bot.url, body.encode(), headers, within_s=TIMEOUT_S)
    except Exception as error:  # any network failure is the bot being unreachable
        return f"{type(error).__name__}: {error}"[:4000] if str(error) else type(error).__name__
    if 200 <= status < 300:
        return None
    return f"HTTP {status}"


_posters: dict[asyncio.AbstractEventLoop, Poster] = {}


def _poster() -> Poster:
    """The process's poster (its kept connections belong to the running event loop)."""
    loop = asyncio.get_running_loop()
    poster = _posters.get(loop)
    if poster is None:
        for old in [old for old in _posters if old.is_closed()]:
            del _posters[old]
        poster = _posters[loop] = Poster()
    return poster


async def send_all(context: JobContext, bots: Sequence[Bot], body: str) -> None:
    """Post one event to several bots at once; the ones that did not take it get a retry job."""
    errors = await asyncio.gather(*(post(context, bot, body) for bot in bots))
    failed = [(bot, error) for bot, error in zip(bots, errors, strict=True) if error is not None]
    if not failed:
        return
    now = clock.now()
    async with context.db.write() as conn:
        for bot, error in failed:
            await store.record_error(conn, bot.id, error, int(now))
            await enqueue(conn, bot, body, run_at=now + job_queue.backoff(1))


async def deliver(context: JobContext, job: dict[str, Any]) -> None:
    """The ``bots.deliver`` job: one event to one bot, retried by the queue until it takes it."""
    async with context.db.read() as conn:
        row = await store.by_id(conn, int(job["bot"]))
    if row is None:
        raise GiveUp("the bot was uninstalled")
    bot = Bot.of(row)
    if bot.state == STATE_DISABLED:
        raise GiveUp("the bot is disabled")
    error = await post(context, bot, str(job["body"]))
    if error is None:
        return
    async with context.db.write() as conn:
        await store.record_error(conn, bot.id, error, int(clock.now()))
    raise RuntimeError(error)

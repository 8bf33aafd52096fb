"""The bot: Talk posts events to ``POST /webhook``; the bot answers through Talk's bot API.

Written from Talk's bot documentation (docs/bots.md of Nextcloud Talk):

- every webhook carries ``X-Nextcloud-Talk-Random``, ``X-Nextcloud-Talk-Signature`` (hex
  HMAC-SHA256 of random + raw body, keyed with the shared secret) and ``X-Nextcloud-Talk-Backend``
  (the server's URL); a request whose signature does not verify is refused with 401;
- the body is an Activity Streams object: ``Create`` for a chat message (``object.content`` is a
  JSON string holding ``message`` and ``parameters``), ``Like``/``Undo`` for reactions,
  ``Join``/``Leave`` when a moderator enables or disables the bot;
- the bot answers with ``POST {backend}ocs/v2.php/apps/spreed/api/v1/bot/{token}/message`` (and
  ``…/reaction/{messageId}``), signed with ``X-Nextcloud-Talk-Bot-Random`` and
  ``X-Nextcloud-Talk-Bot-Signature`` = HMAC-SHA256(secret, random + message text).

Commands: ``/ping`` (answers "pong" as a reply), ``/like`` (reacts with 👍), ``/help``; any other
message is echoed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

HELP = "Commands: /ping, /like, /help. Anything else is echoed."


@dataclass
class BotSettings:
    secret: str
    record: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)


def sign(secret: str, random: str, text: str) -> str:
    return hmac.new(secret.encode(), (random + text).encode(), hashlib.sha256).hexdigest()


def verified(settings: BotSettings, request: Request, body: bytes) -> bool:
    random = request.headers.get("x-nextcloud-talk-random", "")
    given = request.headers.get("x-nextcloud-talk-signature", "").lower()
    expected = hmac.new(settings.secret.encode(), random.encode() + body, hashlib.sha256).hexdigest()
    return bool(random) and hmac.compare_digest(expected, given)


class Talk:
    """The calls a bot makes to the server that sent it an event."""

    def __init__(self, secret: str, backend: str, token: str) -> None:
        self.secret = secret
        self.base = f"{backend.rstrip('/')}/ocs/v2.php/apps/spreed/api/v1/bot/{token}"

    def _headers(self, signed: str) -> dict[str, str]:
        random = secrets.token_hex(32)
        return {
            "OCS-APIRequest": "true",
            "Accept": "application/json",
            "X-Nextcloud-Talk-Bot-Random": random,
            "X-Nextcloud-Talk-Bot-Signature": sign(self.secret, random, signed),
        }

    async def say(self, message: str, reply_to: int | None = None) -> int:
        body: dict[str, Any] = {"message": message}
        if reply_to is not None:
            body["replyTo"] = reply_to
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(self.base + "/message", json=body, headers=self._headers(message))
        return response.status_code

    async def react(self, message_id: int, reaction: str) -> int:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(
                f"{self.base}/reaction/{message_id}", json={"reaction": reaction}, headers=self._headers(reaction)
            )
        return response.status_code


async def answer(settings: BotSettings, event: dict[str, Any], backend: str) -> None:
    """What the bot does with a chat message."""
    if event.get("type") != "Create":
        return
    note = event.get("object") or {}
    token = str((event.get("target") or {}).get("id", ""))
    content = json.loads(note.get("content") or "{}")
    text = str(content.get("message", "")).strip()
    message_id = int(note.get("id", 0))
    talk = Talk(settings.secret, backend, token)
    if text == "/ping":
        await talk.say("pong", reply_to=message_id)
    elif text == "/like":
        await talk.react(message_id, "👍")
    elif text == "/help":
        await talk.say(HELP)
    else:
        await talk.say(f"echo: {text}")


def create_app(settings: BotSettings) -> Starlette:
    pending: set[asyncio.Task[None]] = set()

    async def webhook(request: Request) -> Response:
        body = await request.body()
        if not verified(settings, request, body):
            return JSONResponse({"error": "signature"}, status_code=401)
        event = json.loads(body)
        if settings.record:
            settings.events.append(event)
        backend = request.headers.get("x-nextcloud-talk-backend", "")
        # Answer the webhook at once; the reply goes out afterwards.
        task = asyncio.create_task(answer(settings, event, backend))
        pending.add(task)
        task.add_done_callback(pending.discard)
        return JSONResponse({}, status_code=200)

    async def events(request: Request) -> Response:
        return JSONResponse(settings.events)

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    routes = [Route("/webhook", webhook, methods=["POST"]), Route("/health", health)]
    if settings.record:
        routes.append(Route("/events", events))
    return Starlette(routes=routes)

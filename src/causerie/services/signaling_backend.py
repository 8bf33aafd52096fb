"""The backend API of the external ("standalone") signaling server: ``auth``, ``room`` and ``ping``.

The signaling server asks who a connecting client is (``auth``, with the v1 ticket from the
settings), whether a session may join or leave a conversation (``room``), and keeps sessions alive
(``ping``). Answers are always HTTP 200; failures are ``{"type": "error", "error": {code, message}}``
as the standalone signaling API defines them.
"""

from __future__ import annotations

from typing import Any

from causerie.services.appconfig import AppConfig
from causerie.services.signaling_tickets import TICKET_SECRET_KEY, ticket_is_valid
from causerie.storage import accounts
from causerie.storage.db import Database

APP = "spreed"


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


async def answer(db: Database, message: Any) -> tuple[dict[str, Any], list[str]]:
    """The reply to one authenticated backend request, and the hub keys to wake after it."""
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == "auth":
        return await auth(db, _object(message.get("auth"))), []
    return error("unknown_type", f"The given type {kind!r} is not supported."), []

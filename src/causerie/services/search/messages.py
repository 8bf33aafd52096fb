"""Talk's unified search providers ``talk-message`` (every conversation of the user) and
``talk-message-current`` (the one ``from`` points to), with Nextcloud's result shape.

Who may see what is decided here, before the index is asked: only conversations the user is an
attendee of now (a user who left or was removed finds nothing of them any more), without the
changelog and those whose lobby keeps the user out, as in Talk's MessageSearch. Differences from
Talk: the newest matches (``storage.search.messages.RANKED``) are ranked by relevance, the newest
first among equals, before older ones, newest first, where Talk lists all newest first; the words
of the term match whole words (the last one as a prefix) where Talk matches the whole term as a
substring.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from causerie.services.accounts.users import User
from causerie.services.chat import format as chat_format
from causerie.services.errors import BadRequest
from causerie.services.rooms import participants, rooms
from causerie.services.rooms.actors import GUESTS, USERS
from causerie.services.rooms.rooms import CHANGELOG, LOBBY_NON_MODERATORS, Room
from causerie.storage.db import Conn
from causerie.storage.search import messages as index

ALL = "talk-message"
CURRENT = "talk-message-current"
PROVIDERS = {ALL: "Messages", CURRENT: "Messages in current conversation"}
DEFAULT_LIMIT = 5
MAX_LIMIT = 25
# Talk's order: within Talk's own pages the current conversation's messages come first.
_ORDER = {ALL: 15, CURRENT: -3}
_CALL_PATH = re.compile(r"^(?:/index\.php)?/call/([^/]+)/?$")


@dataclass(frozen=True)
class Query:
    provider: str
    term: str
    limit: int
    offset: int
    current: str | None
    base_url: str


def providers(from_url: str) -> list[dict[str, Any]]:
    """``GET /search/providers``: Talk's two, as Nextcloud lists them (the current conversation's
    only when ``from`` points to one)."""
    found = []
    for provider, name in PROVIDERS.items():
        if provider == CURRENT and token_of(from_url) is None:
            continue
        found.append(
            {
                "id": provider,
                "appId": "spreed",
                "name": name,
                "icon": "",
                "order": _ORDER[provider],
                "triggers": [provider],
                "filters": {"term": "string"},
                "inAppSearch": provider == CURRENT,
            }
        )
    return found


def token_of(from_url: str) -> str | None:
    """The conversation a ``from`` URL is, as Nextcloud matches it against the page routes."""
    path = urlsplit(from_url).path
    found = _CALL_PATH.match(path)
    return found.group(1) if found else None


def empty(provider: str) -> dict[str, Any]:
    return {"name": PROVIDERS[provider], "isPaginated": False, "entries": [], "cursor": None}


async def _searchable(conn: Conn, user: User, query: Query) -> dict[int, Room]:
    """The user's conversations this query may look into."""
    requester = participants.Requester(user)
    now = int(time.time())
    found: dict[int, Room] = {}
    for room in await rooms.of_user(conn, user.uid):
        if room.type == CHANGELOG:
            continue
        if query.provider == CURRENT and room.token != query.current:
            continue
        if query.provider == ALL and room.token == query.current:
            continue
        if room.lobby_state == LOBBY_NON_MODERATORS:
            participant = await participants.find_participant(conn, room, requester)
            if participant is None or participants.lobby_keeps_out(room, participant, now):
                continue
        found[room.id] = room
    return found


async def search(conn: Conn, user: User, query: Query) -> dict[str, Any]:
    """One page of results; ``cursor`` is the offset of the next one."""
    if not query.term.strip():
        raise BadRequest(data="Search term is required")
    if query.provider == CURRENT and query.current is None:
        return empty(query.provider)
    searchable = await _searchable(conn, user, query)
    if query.provider == CURRENT and not searchable:
        return empty(query.provider)
    words = index.words(query.term)
    hits = await index.search(
        conn, words, list(searchable), now=int(time.time()), limit=query.limit, offset=query.offset
    )
    entries = [_entry(hit, searchable[hit.room_id], query, words) for hit in hits]
    return {
        "name": PROVIDERS[query.provider],
        "isPaginated": True,
        "entries": entries,
        "cursor": query.offset + query.limit,
    }


def _entry(hit: index.Hit, room: Room, query: Query, words: list[str]) -> dict[str, Any]:
    base = query.base_url.rstrip("/")
    author = hit.actor_display_name
    if hit.actor_type in (GUESTS, "emails"):
        author = chat_format.guest_name(author)
    elif not author:
        author = hit.actor_id
    title = f"{author} in {room.name}" if query.provider == ALL and not room.is_one_to_one else author
    return {
        "thumbnailUrl": f"{base}/avatar/{hit.actor_id}/512" if hit.actor_type == USERS else "",
        "title": title,
        "subline": subline(readable_text(hit.message, chat_format.parameters_of(hit)), words),
        "resourceUrl": f"{base}/call/{room.token}#message_{hit.id}",
        "icon": "icon-talk",
        "rounded": True,
        "attributes": {
            "conversation": room.token,
            "messageId": str(hit.id),
            "actorType": hit.actor_type,
            "actorId": hit.actor_id,
            "timestamp": str(hit.created_at),
        },
    }


def readable_text(message: str, parameters: dict[str, Any]) -> str:
    """The text with its placeholders replaced: ``@Name`` for mentions, the name otherwise."""
    for key, value in parameters.items():
        if not isinstance(value, dict):
            continue
        name = str(value.get("name", ""))
        if key.startswith("mention-") and value.get("type") in ("user", "guest", "email", "user-group", "call"):
            name = "@" + name
        message = message.replace("{" + key + "}", name)
    return message


def subline(text: str, words: list[str]) -> str:
    """Talk's excerpt: a match more than 30 characters into a text longer than 40 is shown from
    10 characters before it, after an ellipsis."""
    lowered = text.lower()
    positions = [at for word in words if (at := lowered.find(word.lower())) >= 0]
    at = min(positions) if positions else 0
    if at > 30 and len(text) > 40:
        return "…" + text[at - 10 :]
    return text

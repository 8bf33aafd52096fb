"""Mentions in chat messages: ``@alice``, ``@"user with space"``, ``@"group/team"``,
``@"guest/<sha1>"``, ``@"email/<hash>"`` and ``@all``.

A message is stored the way Talk returns it: every mention replaced by ``{mention-<type><n>}`` (n
counts per type from 1) with a rich-object parameter, so that reading needs no lookups. What the
message mentions is returned too, for the unread-mention markers of the people concerned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from causerie.services.rooms.actors import EMAILS, GUESTS
from causerie.storage.db import Conn
from causerie.storage.rooms import names as name_store

# Nextcloud's comment mention syntax (Comment::getMentions), byte-wise as PHP applies it.
_MENTION = re.compile(
    r"\B(?<![^a-z0-9_\-@.'\s])@("
    r"\"(?:guest|email)/[a-f0-9]+\""
    r"|\"(?:federated_)?(?:group|team|user)/[a-z0-9_\-@.' /:]+\""
    r"|\"[a-z0-9_\-@.' ]+\""
    r"|[a-z0-9_\-@.']+)",
    re.IGNORECASE | re.ASCII,
)
_PREFIXES = (
    ("guest/", "guest", False),
    ("email/", "email", True),
    ("federated_group/", "federated_group", True),
    ("group/", "group", True),
    ("federated_team/", "federated_team", True),
    ("team/", "team", True),
    ("federated_user/", "federated_user", True),
)


def candidates(message: str) -> list[tuple[str, str]]:
    """``(type, id)`` of each distinct mention, longest first (so ``@ab`` never eats ``@abc``)."""
    raw = list(dict.fromkeys(match.group(0) for match in _MENTION.finditer(message)))
    raw.sort(key=len, reverse=True)
    found = []
    for mention in raw:
        clean = mention[1:].strip('"')
        for prefix, kind, strip in _PREFIXES:
            if clean.startswith(prefix):
                found.append((kind, clean[len(prefix) :] if strip else clean))
                break
        else:
            found.append(("user", clean))
    return found


@dataclass
class Parsed:
    message: str
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: set[str] = field(default_factory=set)
    guests: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    everyone: bool = False

    @property
    def mentions_anyone(self) -> bool:
        return bool(self.parameters)


@dataclass(frozen=True)
class MentionRoom:
    id: int
    token: str
    call_type: str  # one2one | group | public
    display_name: str
    icon_url: str


@dataclass
class Lookups:
    users: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    guests: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


def substitute(message: str, room: MentionRoom, lookups: Lookups, *, can_mention_all: bool) -> Parsed:
    """Replace the mentions that resolve; unknown users and unsupported kinds stay plain text."""
    parsed = Parsed(message)
    counters: dict[str, int] = {}
    text = message
    for kind, ident in candidates(message):
        if kind == "user" and ident == "all":
            if not can_mention_all:
                continue
            kind = "call"
        if kind == "user" and ident not in lookups.users:
            continue
        if kind not in ("user", "call", "guest", "email", "group"):
            continue
        counters[kind] = counters.get(kind, 0) + 1
        search = f"{kind}/{ident}" if kind in ("email", "group") else ident
        placeholder = f"mention-{kind.replace('_', '-')}{counters[kind]}"
        text = text.replace(f'@"{search}"', "{" + placeholder + "}")
        if " " not in search and not search.startswith(("guest/", "email/", "group/")):
            text = text.replace(f"@{search}", "{" + placeholder + "}")
        parameter: dict[str, Any]
        if kind == "call":
            parameter = {
                "type": "call",
                "id": room.token,
                "name": room.display_name,
                "call-type": room.call_type,
                "icon-url": room.icon_url,
                "mention-id": search,
            }
            parsed.everyone = True
        elif kind == "guest":
            guest_id = ident[len("guest/") :]
            name = lookups.guests.get(guest_id) or "Guest"
            parameter = {"type": "guest", "id": ident, "name": name, "mention-id": search}
            parsed.guests.add(guest_id)
        elif kind == "email":
            name = lookups.emails.get(ident) or "Guest"
            parameter = {"type": "email", "id": ident, "name": name, "mention-id": search}
            parsed.emails.add(ident)
        elif kind == "group":
            name = lookups.groups.get(ident, ident)
            parameter = {"type": "user-group", "id": ident, "name": name, "mention-id": search}
            parsed.groups.add(ident)
        else:
            parameter = {"type": "user", "id": ident, "name": lookups.users[ident], "mention-id": search}
            parsed.users.add(ident)
        parsed.parameters[placeholder] = parameter
    if text.startswith("//"):
        text = text[1:]
    parsed.message = text
    return parsed


async def parse(conn: Conn, room: MentionRoom, message: str, *, can_mention_all: bool) -> Parsed:
    """Resolve the mentions of ``message`` against users, groups and the room's guests."""
    if "@" not in message:
        # Nothing to resolve; what substitute() would leave (Talk's "//" escape of a command).
        return Parsed(message[1:] if message.startswith("//") else message)
    found = candidates(message)
    lookups = Lookups()
    uids = [ident for kind, ident in found if kind == "user" and ident != "all"]
    gids = [ident for kind, ident in found if kind == "group"]
    guests = [ident[len("guest/") :] for kind, ident in found if kind == "guest"]
    emails = [ident for kind, ident in found if kind == "email"]
    if uids:
        lookups.users = await name_store.user_names(conn, uids)
    if gids:
        lookups.groups = await name_store.group_names(conn, gids)
    if guests:
        lookups.guests = await name_store.attendee_names(conn, room.id, GUESTS, guests)
    if emails:
        lookups.emails = await name_store.attendee_names(conn, room.id, EMAILS, emails)
    return substitute(message, room, lookups, can_mention_all=can_mention_all)

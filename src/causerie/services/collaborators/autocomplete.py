"""``core/autocomplete/get``: users and groups matching a search, as Nextcloud's UserPlugin and
GroupPlugin find them and Talk's listener filters them for a conversation.

Ranking per kind: exact matches (the search is the id or the display name, ignoring case), then
display names that start with it, then ids that do, then names or ids that hold it elsewhere; users
before groups. Exact and prefix matches come from indexes; the substring scan (every row) runs only
when they leave the page unfilled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from causerie.services.accounts.users import User
from causerie.services.rooms import actors, participants, rooms
from causerie.services.rooms.participants import Requester
from causerie.services.status import statuses
from causerie.storage.accounts import search as store
from causerie.storage.db import Conn

SHARE_USER = 0
SHARE_GROUP = 1
# Talk removes the Matterbridge bot from every search for a conversation.
BRIDGE_BOT = "bridge-bot"
NEW_CONVERSATION = "new"


@dataclass(frozen=True)
class Query:
    search: str
    item_type: str | None
    item_id: str | None
    share_types: frozenset[int]
    limit: int
    offset: int


async def _excluded(conn: Conn, me: User, query: Query) -> tuple[set[str], set[str]]:
    """User ids and group ids left out: the caller, and for a conversation (``itemType=call``)
    the bridge bot and its attendees, users who joined by themselves excepted (Talk lists them so
    that a moderator can add them for good)."""
    users = {me.uid}
    groups: set[str] = set()
    if query.item_type != "call":
        return users, groups
    users.add(BRIDGE_BOT)
    if not query.item_id or query.item_id == NEW_CONVERSATION or "\x00" in query.item_id:
        return users, groups
    room = await rooms.get(conn, query.item_id)
    if room is None or await participants.find_participant(conn, room, Requester(me)) is None:
        return users, groups
    for listed in await participants.list_participants(conn, room):
        attendee = listed.attendee
        if attendee.actor_type == actors.USERS and attendee.participant_type != participants.USER_SELF_JOINED:
            users.add(attendee.actor_id)
        elif attendee.actor_type == actors.GROUPS:
            groups.add(attendee.actor_id)
    return users, groups


async def _users(conn: Conn, query: Query, excluded: set[str]) -> list[Any]:
    needle = query.search.lower()
    wanted = query.offset + query.limit
    found: list[Any] = []
    seen: set[str] = set()

    def take(rows: list[Any]) -> None:
        for row in rows:
            if row.uid not in seen and row.uid not in excluded:
                seen.add(row.uid)
                found.append(row)

    if needle:
        take(await store.exact_users(conn, needle))
    # The excluded may be among the matches of each step: ask for as many more.
    fetch = wanted + len(excluded)
    for by_name in (True, False):
        if len(found) < wanted:
            take(await store.prefix_users(conn, by_name, needle, fetch))
    if needle and len(found) < wanted:
        take(await store.substring_users(conn, needle, fetch))
    return found[query.offset : wanted]


def _group_rank(needle: str, gid: str, name: str) -> int | None:
    gid, name = gid.lower(), name.lower()
    if needle in (gid, name):
        return 0
    if gid.startswith(needle) or name.startswith(needle):
        return 1
    if needle in gid or needle in name:
        return 2
    return None


async def _groups(conn: Conn, query: Query, excluded: set[str]) -> list[Any]:
    needle = query.search.lower()
    ranked = []
    for row in await store.all_groups(conn):
        rank = _group_rank(needle, row.gid, row.display_name)
        if rank is not None and row.gid not in excluded:
            ranked.append((rank, row.display_name.lower(), row.gid, row))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked[query.offset : query.offset + query.limit]]


def _status(status: statuses.UserStatus | None) -> tuple[Any, str]:
    if status is None:
        return "", ""
    public = statuses.public(status)
    return (
        {key: public[key] for key in ("status", "message", "icon", "clearAt")},
        public["message"] or "",
    )


async def search(conn: Conn, me: User, query: Query, now: int) -> list[dict[str, Any]]:
    """The flat result list clients read (seven keys per entry)."""
    if query.limit <= 0:
        return []
    excluded_users, excluded_groups = await _excluded(conn, me, query)
    results: list[dict[str, Any]] = []
    if SHARE_USER in query.share_types:
        found = await _users(conn, query, excluded_users)
        known = await statuses.of_users(conn, [row.uid for row in found], now)
        for row in found:
            status, subline = _status(known.get(row.uid))
            results.append(
                {
                    "id": row.uid,
                    "label": row.display_name,
                    "icon": "icon-user",
                    "source": "users",
                    "status": status,
                    "subline": subline,
                    "shareWithDisplayNameUnique": row.email or row.uid,
                }
            )
    if SHARE_GROUP in query.share_types:
        for row in await _groups(conn, query, excluded_groups):
            results.append(
                {
                    "id": row.gid,
                    "label": row.display_name,
                    "icon": "",
                    "source": "groups",
                    "status": "",
                    "subline": "",
                    "shareWithDisplayNameUnique": "",
                }
            )
    return results

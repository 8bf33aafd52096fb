"""``GET /chat/{token}/mentions``: who can be mentioned in a room, for the client's autocomplete."""

from __future__ import annotations

from typing import Any

from causerie.services.rooms.actors import GROUPS, GUESTS, USERS
from causerie.services.rooms.participants import Participant, list_participants
from causerie.services.rooms.rooms import ONE_TO_ONE, ONE_TO_ONE_FORMER, Room
from causerie.storage.db import Conn
from causerie.storage.rooms import names as name_store


def _matches(search: str, *values: str) -> bool:
    needle = search.lower()
    return not needle or any(needle in value.lower() for value in values)


async def suggest(conn: Conn, room: Room, participant: Participant, search: str, limit: int) -> list[dict[str, Any]]:
    """Participants (not yourself), the room's groups and ``all``, filtered by ``search``."""
    found: list[dict[str, Any]] = []
    listed = [entry.attendee for entry in await list_participants(conn, room)]
    may_mention_all = room.mention_permissions == 0 or participant.is_moderator
    if room.type not in (ONE_TO_ONE, ONE_TO_ONE_FORMER) and may_mention_all and _matches(search, "all", room.name):
        count = sum(1 for a in listed if a.actor_type in (USERS, GUESTS))
        found.append(
            {
                "id": "all",
                "label": room.name,
                "source": "calls",
                "mentionId": "all",
                "details": f"All {count} participants",
            }
        )
    me = (participant.actor.type, participant.actor.id)
    users = [a for a in listed if a.actor_type == USERS and (a.actor_type, a.actor_id) != me]
    names = await name_store.user_names(conn, [a.actor_id for a in users])
    for attendee in sorted(users, key=lambda a: names.get(a.actor_id, a.display_name).lower()):
        label = names.get(attendee.actor_id, attendee.display_name)
        if _matches(search, attendee.actor_id, label):
            found.append({"id": attendee.actor_id, "label": label, "source": "users", "mentionId": attendee.actor_id})
    groups = [a for a in listed if a.actor_type == GROUPS]
    group_names = await name_store.group_names(conn, [a.actor_id for a in groups])
    for attendee in groups:
        label = group_names.get(attendee.actor_id, attendee.display_name or attendee.actor_id)
        if _matches(search, attendee.actor_id, label):
            found.append(
                {"id": attendee.actor_id, "label": label, "source": "groups", "mentionId": f"group/{attendee.actor_id}"}
            )
    for attendee in listed:
        if attendee.actor_type != GUESTS or (attendee.actor_type, attendee.actor_id) == me:
            continue
        label = attendee.display_name or "Guest"
        if _matches(search, label):
            mention_id = f"guest/{attendee.actor_id}"
            found.append({"id": mention_id, "label": label, "source": "guests", "mentionId": mention_id})
    return found[: max(limit, 0)] if limit > 0 else found

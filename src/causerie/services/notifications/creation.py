"""Creating Talk's notifications, in the jobs a posted comment or a started call leaves behind
(``chat.notifying.MESSAGE_POSTED``, ``rooms.calls.CALL_STARTED``), right after their commit.

Who is notified of a comment follows Talk's ``Chat\\Notifier``, in its order, each user once:

1. the author of the message replied to (``reply``);
2. users mentioned directly (``mention_direct``), members of a mentioned group that takes part in
   the conversation (``mention_group``), every user for ``@all`` (``mention_all``);
3. users whose level (the default resolved: always in one-to-one rooms, the administrator's
   ``default_group_notification`` elsewhere) is "always" (``chat``), unless one of their Talk
   sessions pinged in the last 30 seconds: they are in the conversation and see it.

Never the author, never users who chose "never", never users the lobby keeps out. A started call
notifies the users with call notifications on who are not in it (``call``), after removing the
room's earlier call notifications, as Talk does. New notifications are pushed to the recipients'
devices (``fanout``) from the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from causerie.services import clock
from causerie.services.chat.format import COMMENT
from causerie.services.chat.notifying import MESSAGE_POSTED
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.jobs import queue as job_queue
from causerie.services.jobs.queue import JobContext
from causerie.services.notifications import fanout
from causerie.services.notifications.render import Stored
from causerie.services.rooms import rooms
from causerie.services.rooms.actors import USERS
from causerie.services.rooms.calls import CALL_STARTED, SESSION_TIMEOUT_S
from causerie.services.rooms.participants import (
    PERMISSIONS_LOBBY_IGNORE,
    Attendee,
    admin_default_permissions,
    effective_permissions,
)
from causerie.services.rooms.rooms import Room
from causerie.storage.chat import messages as message_store
from causerie.storage.db import Conn
from causerie.storage.notifications import notifications as store
from causerie.storage.notifications import recipients

APP_ID = "spreed"


@dataclass(frozen=True)
class Candidate:
    attendee: Attendee
    last_ping: int
    in_call: int

    @property
    def uid(self) -> str:
        return self.attendee.actor_id


class Audience:
    """The user attendees of one room, with what decides whether each may be notified."""

    def __init__(self, room: Room, found: list[Candidate], config: AppConfig) -> None:
        self.room = room
        self.by_uid = {candidate.uid: candidate for candidate in found}
        self.admin_default = admin_default_permissions(config)
        self.group_default = config.integer(rooms.DEFAULT_GROUP_NOTIFICATION, rooms.NOTIFY_MENTION)

    def level(self, candidate: Candidate) -> int:
        return rooms.notification_level(
            self.room, candidate.attendee.notification_level, group_default=self.group_default
        )

    def kept_out(self, candidate: Candidate) -> bool:
        """Talk's check: with a lobby on, only those who may ignore it are notified."""
        if self.room.lobby_state == rooms.LOBBY_NONE:
            return False
        permissions = effective_permissions(self.room, candidate.attendee, self.admin_default)
        return not permissions & PERMISSIONS_LOBBY_IGNORE

    def may_hear_of_mention(self, uid: str, author: tuple[str, str]) -> bool:
        """``shouldMentionedUserBeNotified``."""
        candidate = self.by_uid.get(uid)
        if candidate is None or author == (USERS, uid) or self.kept_out(candidate):
            return False
        return self.level(candidate) != rooms.NOTIFY_NEVER


async def _audience(conn: Conn, room: Room) -> Audience:
    found = [
        Candidate(Attendee.from_row(row), int(row.session_last_ping), int(row.session_in_call))
        for row in await recipients.room_users(conn, room.id)
    ]
    return Audience(room, found, await AppConfig.load(conn, APP))


async def _message_recipients(conn: Conn, audience: Audience, message: Any, now: int) -> dict[str, dict[str, Any]]:
    """uid → ``{"subject", "parameters"}`` for a comment, in Talk's order."""
    author = (str(message.actor_type), str(message.actor_id))
    parameters: dict[str, dict[str, Any]] = json.loads(message.parameters or "{}")
    base = {"userType": author[0], "userId": author[1]}
    chosen: dict[str, dict[str, Any]] = {}

    def add(uid: str, subject: str, **extra: Any) -> None:
        if uid not in chosen and audience.may_hear_of_mention(uid, author):
            chosen[uid] = {"subject": subject, "parameters": {**base, **extra}}

    if message.parent_id:
        parent = await message_store.get(conn, audience.room.id, int(message.parent_id))
        if parent is not None and parent.actor_type == USERS:
            add(str(parent.actor_id), "reply")
    mentioned = [p for p in parameters.values() if isinstance(p, dict)]
    for parameter in mentioned:
        if parameter.get("type") == "user":
            add(str(parameter.get("id")), "mention_direct")
    groups = [str(p.get("id")) for p in mentioned if p.get("type") == "user-group"]
    for gid, members in (await recipients.members_of_room_groups(conn, audience.room.id, groups)).items():
        for uid in members:
            add(uid, "mention_group", sourceId=gid)
    if any(p.get("type") == "call" for p in mentioned):
        for uid in audience.by_uid:
            add(uid, "mention_all")
    for uid, candidate in audience.by_uid.items():
        if uid in chosen or author == (USERS, uid) or audience.kept_out(candidate):
            continue
        online = candidate.last_ping >= now - SESSION_TIMEOUT_S
        if audience.level(candidate) == rooms.NOTIFY_ALWAYS and not online:
            chosen[uid] = {"subject": "chat", "parameters": dict(base)}
    return chosen


def _stored(
    room: Room, audience: Audience, added: list[tuple[int, str]], chosen: dict[str, dict[str, Any]], **row: Any
) -> list[Stored]:
    """The new notifications as rendering sees them, built from what the job has read already."""
    message = row.get("message")
    return [
        Stored(
            id=notification_id,
            uid=uid,
            app=APP_ID,
            object_type=row["object_type"],
            subject=chosen[uid]["subject"],
            parameters=chosen[uid]["parameters"],
            created_at=row["created_at"],
            room=room,
            attendee=audience.by_uid[uid].attendee,
            message=message,
            message_expire_at=None if message is None else row.get("expire_at"),
        )
        for notification_id, uid in added
    ]


def _rows(
    room: Room, chosen: dict[str, dict[str, Any]], *, object_type: str, message_id: int | None, now: int
) -> list[dict[str, Any]]:
    return [
        {
            "uid": uid,
            "app": APP_ID,
            "room_id": room.id,
            "object_type": object_type,
            "message_id": message_id,
            "subject": entry["subject"],
            "parameters": json.dumps(entry["parameters"]),
            "created_at": now,
        }
        for uid, entry in chosen.items()
    ]


async def on_message_posted(context: JobContext, job: dict[str, Any]) -> None:
    now = int(clock.now())
    async with context.db.write() as conn:
        room = await rooms.get_by_id(conn, int(job["room"]))
        message = None if room is None else await message_store.get(conn, room.id, int(job["message"]))
        if room is None or message is None or message.message_type != COMMENT or message.silent:
            return
        audience = await _audience(conn, room)
        chosen = await _message_recipients(conn, audience, message, now)
        created = int(message.created_at)
        added = await store.insert(
            conn, _rows(room, chosen, object_type="chat", message_id=int(message.id), now=created)
        )
        fields = ("id", "actor_type", "actor_id", "actor_display_name", "message_type", "message", "parameters")
        seen = SimpleNamespace(**{name: getattr(message, name) for name in fields})
        new = _stored(
            room,
            audience,
            added,
            chosen,
            object_type="chat",
            created_at=created,
            message=seen,
            expire_at=message.expire_at,
        )
        pushed = await fanout.push_new(conn, new, now, context.base_url)
    if pushed:
        await job_queue.wake(context.broker)


async def on_call_started(context: JobContext, job: dict[str, Any]) -> None:
    now = int(clock.now())
    async with context.db.write() as conn:
        room = await rooms.get_by_id(conn, int(job["room"]))
        if room is None:
            return
        pushed = await fanout.push_deleted(conn, await store.delete_calls(conn, room.id))
        audience = await _audience(conn, room)
        caller = (str(job.get("actorType")), str(job.get("actorId")))
        parameters = {"callee": caller[1] if caller[0] == USERS else None}
        chosen = {
            uid: {"subject": "call", "parameters": parameters}
            for uid, candidate in audience.by_uid.items()
            if (USERS, uid) != caller
            and candidate.attendee.notification_calls == 1
            and not candidate.in_call
            and not audience.kept_out(candidate)
        }
        added = await store.insert(conn, _rows(room, chosen, object_type="call", message_id=None, now=now))
        new = _stored(room, audience, added, chosen, object_type="call", created_at=now)
        pushed = await fanout.push_new(conn, new, now, context.base_url) or pushed
    if pushed:
        await job_queue.wake(context.broker)


# The job kinds this module runs (composed by app.JOB_MODULES).
jobs = {MESSAGE_POSTED: on_message_posted, CALL_STARTED: on_call_started}

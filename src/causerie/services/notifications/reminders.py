"""Talk's "remind me later": a user asks to be reminded of a message at a time; a job scheduled
for that time (durable, so it survives restarts, and claimed by one runner, so it fires once
however many processes run) turns it into a ``reminder`` notification and pushes it.

Setting a reminder again replaces it under a new id: the job of the old one finds nothing and
does nothing. Deleting one also removes a reminder notification of that message already shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from causerie.services import clock
from causerie.services.chat.format import parameters_of
from causerie.services.errors import NotFound
from causerie.services.jobs import queue as job_queue
from causerie.services.jobs.queue import JobContext
from causerie.services.notifications import fanout
from causerie.services.notifications.render import Stored
from causerie.services.rooms import rooms
from causerie.services.rooms.actors import USERS
from causerie.services.rooms.participants import Attendee
from causerie.services.rooms.rooms import Room
from causerie.storage.chat import messages as message_store
from causerie.storage.db import Conn
from causerie.storage.notifications import notifications as notification_store
from causerie.storage.notifications import reminders as store
from causerie.storage.rooms import participants as attendee_store

# The job kind; its payload is ``{"reminder": reminder id}``.
REMINDER_DUE = "notifications.reminder-due"
UPCOMING_LIMIT = 10
APP_ID = "spreed"


@dataclass(frozen=True)
class Reminder:
    uid: str
    token: str
    message_id: int
    timestamp: int

    def as_json(self) -> dict[str, Any]:
        return {"userId": self.uid, "token": self.token, "messageId": self.message_id, "timestamp": self.timestamp}


async def _message(conn: Conn, room: Room, message_id: int) -> Any:
    row = await message_store.get(conn, room.id, message_id)
    if row is None:
        raise NotFound(data={"error": "message"})
    return row


async def set_reminder(conn: Conn, room: Room, uid: str, message_id: int, timestamp: int) -> Reminder:
    """Create or replace the user's reminder, and schedule it (wake the runners after the commit)."""
    await _message(conn, room, message_id)
    timestamp = max(timestamp, 0)
    reminder_id = await store.replace(conn, uid=uid, room_id=room.id, message_id=message_id, remind_at=timestamp)
    await job_queue.enqueue(conn, REMINDER_DUE, {"reminder": reminder_id}, run_at=float(timestamp))
    return Reminder(uid, room.token, message_id, timestamp)


async def get_reminder(conn: Conn, room: Room, uid: str, message_id: int) -> Reminder:
    await _message(conn, room, message_id)
    row = await store.of_message(conn, uid, message_id)
    if row is None:
        raise NotFound(data={"error": "reminder"})
    return Reminder(uid, room.token, message_id, int(row.remind_at))


async def delete_reminder(conn: Conn, room: Room, uid: str, message_id: int) -> bool:
    """Forget the reminder and remove its notification if it was shown; True when a push of that
    removal was enqueued."""
    await _message(conn, room, message_id)
    await store.delete_of_message(conn, uid, message_id)
    removed = await notification_store.delete_reminders(conn, uid, message_id)
    return bool(removed) and await fanout.push_deleted(conn, removed)


async def upcoming(conn: Conn, uid: str) -> list[dict[str, Any]]:
    now = int(clock.now())
    found = []
    for row in await store.upcoming(conn, uid, now, UPCOMING_LIMIT):
        if row.expire_at is not None and int(row.expire_at) <= now:
            continue
        hidden = bool(row.sensitive)
        parameters = {} if hidden else parameters_of(row)
        found.append(
            {
                "reminderTimestamp": int(row.remind_at),
                "roomToken": str(row.token),
                "messageId": int(row.message_id),
                "actorType": str(row.actor_type),
                "actorId": str(row.actor_id),
                "actorDisplayName": str(row.actor_display_name),
                "message": "" if hidden else str(row.message),
                "messageParameters": parameters or [],
            }
        )
    return found


async def on_due(context: JobContext, job: dict[str, Any]) -> None:
    """The scheduled job: the reminder becomes a notification (once: the row goes in the same
    transaction)."""
    now = int(clock.now())
    pushed = False
    async with context.db.write() as conn:
        row = await store.by_id(conn, int(job["reminder"]))
        if row is None:
            return  # deleted or replaced since
        if int(row.remind_at) > now:
            # Taken early by a process whose clock is behind: schedule it again.
            await job_queue.enqueue(conn, REMINDER_DUE, {"reminder": int(row.id)}, run_at=float(row.remind_at))
            return
        await store.delete_id(conn, int(row.id))
        room = await rooms.get_by_id(conn, int(row.room_id))
        message = None if room is None else await message_store.get(conn, room.id, int(row.message_id))
        attendee_row = None if room is None else await attendee_store.get_attendee(conn, room.id, USERS, row.uid)
        if room is None or message is None or attendee_row is None:
            return
        uid = str(row.uid)
        pushed = await fanout.push_deleted(conn, await notification_store.delete_reminders(conn, uid, message.id))
        parameters = {"userType": str(message.actor_type), "userId": str(message.actor_id)}
        values = {
            "uid": uid,
            "app": APP_ID,
            "room_id": room.id,
            "object_type": "reminder",
            "message_id": int(message.id),
            "subject": "reminder",
            "parameters": json.dumps(parameters),
            "created_at": now,
        }
        added = await notification_store.insert(conn, [values])
        fields = ("id", "actor_type", "actor_id", "actor_display_name", "message_type", "message", "parameters")
        seen = SimpleNamespace(**{name: getattr(message, name) for name in fields})
        new = [
            Stored(
                id=notification_id,
                uid=uid,
                app=APP_ID,
                object_type="reminder",
                subject="reminder",
                parameters=parameters,
                created_at=now,
                room=room,
                attendee=Attendee.from_row(attendee_row),
                message=seen,
                message_expire_at=message.expire_at,
            )
            for notification_id, _ in added
        ]
        pushed = await fanout.push_new(conn, new, now, context.base_url) or pushed
    if pushed:
        await job_queue.wake(context.broker)


# The job kinds this module runs (composed by app.JOB_MODULES).
jobs = {REMINDER_DUE: on_due}

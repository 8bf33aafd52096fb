"""What bots hear of the chat: the jobs a posted comment or a reaction leaves
(``chat.notifying.BOT_MESSAGE``, ``BOT_REACTION``), turned into Talk's Activity Streams bodies and
posted to every bot enabled in the conversation with the matching feature.

- a comment from a participant (never a bot's): ``Create`` (``actor`` Person with
  ``talkParticipantType``, ``object`` Note, ``target`` Collection; ``inReplyTo`` for replies);
- a reaction: ``Like`` (``content`` the emoji), its removal: ``Undo`` of that ``Like``;
- a system message (``rooms.system_messages.BOT_SYSTEM_MESSAGE``): ``Activity``, the Note named by
  the system message's id;
- a bot enabled or disabled in a conversation: ``Join`` / ``Leave`` (``delivery.joined``/``left``).
"""

from __future__ import annotations

from typing import Any

from causerie.services.bots import bots, delivery
from causerie.services.bots.delivery import collection, php_json
from causerie.services.bots.model import Bot
from causerie.services.chat import history
from causerie.services.chat.format import parameters_of
from causerie.services.chat.notifying import BOT_MESSAGE, BOT_REACTION, FEATURE_REACTION, FEATURE_WEBHOOK
from causerie.services.jobs.queue import JobContext
from causerie.services.rooms import rooms
from causerie.services.rooms.system_messages import BOT_SYSTEM_MESSAGE
from causerie.storage.chat import messages as message_store
from causerie.storage.rooms import participants as attendee_store


def person(actor_type: str, actor_id: str, name: str) -> dict[str, Any]:
    return {"type": "Person", "id": f"{actor_type}/{actor_id}", "name": name}


def note(message: Any) -> dict[str, Any]:
    parameters = parameters_of(message)
    content = php_json({"message": str(message.message), "parameters": parameters or []})
    return {
        "type": "Note",
        "id": str(message.id),
        "name": "message",
        "content": content,
        "mediaType": "text/markdown",
    }


async def _listening(conn: Any, room_id: int, feature: int) -> list[Bot]:
    return [bot for bot in await bots.enabled_in(conn, room_id) if bot.has(feature) and bot.posts_webhooks]


async def on_message(context: JobContext, job: dict[str, Any]) -> None:
    async with context.db.read() as conn:
        room = await rooms.get_by_id(conn, int(job["room"]))
        message = None if room is None else await message_store.get(conn, room.id, int(job["message"]))
        if room is None or message is None or message.message_type != "comment":
            return
        listening = await _listening(conn, room.id, FEATURE_WEBHOOK)
        if not listening:
            return
        author = await attendee_store.get_attendee(conn, room.id, message.actor_type, message.actor_id)
        parent = None
        if message.parent_id:
            parent = await message_store.get(conn, room.id, int(message.parent_id))
    actor = person(message.actor_type, message.actor_id, message.actor_display_name)
    actor["talkParticipantType"] = str(author.participant_type if author is not None else 0)
    obj = note(message)
    if parent is not None:
        parent_actor = person(parent.actor_type, parent.actor_id, parent.actor_display_name)
        obj["inReplyTo"] = {"type": "Note", "actor": parent_actor, "object": note(parent)}
    body = {"type": "Create", "actor": actor, "object": obj, "target": collection(room)}
    await delivery.send_all(context, listening, php_json(body))


async def on_system_message(context: JobContext, job: dict[str, Any]) -> None:
    """Talk's ``Activity``: a system message, worded in English for no one in particular."""
    async with context.db.read() as conn:
        room = await rooms.get_by_id(conn, int(job["room"]))
        message = None if room is None else await message_store.get(conn, room.id, int(job["message"]))
        if room is None or message is None:
            return
        listening = await _listening(conn, room.id, FEATURE_WEBHOOK)
        if not listening:
            return
        shown = await history.render(conn, room, listening[0].actor, int(message.id))
    parameters = shown.get("messageParameters") or []
    body = {
        "type": "Activity",
        "actor": person(message.actor_type, message.actor_id, message.actor_display_name),
        "object": {
            "type": "Note",
            "id": str(message.id),
            "name": str(message.system_message),
            "content": php_json({"message": str(shown.get("message", "")), "parameters": parameters}),
            "mediaType": "text/markdown",
        },
        "target": collection(room),
    }
    await delivery.send_all(context, listening, php_json(body))


async def on_reaction(context: JobContext, job: dict[str, Any]) -> None:
    async with context.db.read() as conn:
        room = await rooms.get_by_id(conn, int(job["room"]))
        message = None if room is None else await message_store.get(conn, room.id, int(job["message"]))
        if room is None or message is None:
            return
        listening = await _listening(conn, room.id, FEATURE_REACTION)
    if not listening:
        return
    like = {
        "type": "Like",
        "actor": person(str(job["actorType"]), str(job["actorId"]), str(job["actorName"])),
        "object": note(message),
        "target": collection(room),
        "content": str(job["reaction"]),
    }
    body = like
    if job.get("removed"):
        body = {"type": "Undo", "actor": like["actor"], "object": like, "target": collection(room)}
    await delivery.send_all(context, listening, php_json(body))


# The job kinds this module runs (composed by app.JOB_MODULES).
jobs = {
    BOT_MESSAGE: on_message,
    BOT_REACTION: on_reaction,
    BOT_SYSTEM_MESSAGE: on_system_message,
    delivery.DELIVER: delivery.deliver,
}

"""Talk's notifications as clients see them (Talk's ``Notification\\Notifier::prepare``): the object
of the notifications API, and the two-line subject of a push.

A notification that no longer applies renders as None (the caller deletes it, as Nextcloud does
with Talk's AlreadyProcessedException): its room or the recipient's place in it is gone, the lobby
keeps the recipient out, the message was read, deleted or expired, the caller of a one-to-one call
no longer exists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from causerie.services.chat.messages import mention_room
from causerie.services.rooms import rooms
from causerie.services.rooms.actors import BOTS, EMAILS, GUESTS, USERS
from causerie.services.rooms.participants import (
    PERMISSIONS_LOBBY_IGNORE,
    Attendee,
    effective_permissions,
)
from causerie.services.rooms.rooms import Room
from causerie.storage import rows
from causerie.storage.notifications.notifications import ATTENDEE, MESSAGE, ROOM

_MESSAGE_FIELDS = ("id", "actor_type", "actor_id", "actor_display_name", "message_type", "message", "parameters")
_CALL_TYPES = {
    rooms.ONE_TO_ONE: "one2one",
    rooms.ONE_TO_ONE_FORMER: "one2one",
    rooms.GROUP: "group",
    rooms.NOTE_TO_SELF: "group",
    rooms.PUBLIC: "public",
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_-]+)\}")
PUSH_MESSAGE_BYTES = 100


@dataclass(frozen=True)
class Stored:
    """One notification row with its room, the recipient's attendee row and its message."""

    id: int
    uid: str
    app: str
    object_type: str
    subject: str
    parameters: dict[str, Any]
    created_at: int
    room: Room
    attendee: Attendee | None
    message: Any  # the message's columns, or None
    message_expire_at: int | None

    @classmethod
    def of(cls, row: Any) -> Stored:
        message = None
        if getattr(row, MESSAGE + "id") is not None:
            message = SimpleNamespace(**{name: getattr(row, MESSAGE + name) for name in _MESSAGE_FIELDS})
        attendee = Attendee.from_row(row, ATTENDEE) if getattr(row, ATTENDEE + "id") is not None else None
        return cls(
            id=int(row.id),
            uid=str(row.uid),
            app=str(row.app),
            object_type=str(row.object_type),
            subject=str(row.subject),
            parameters=json.loads(row.parameters or "{}"),
            created_at=int(row.created_at),
            room=rows.from_row(Room, row, ROOM),
            attendee=attendee,
            message=message,
            message_expire_at=getattr(row, MESSAGE + "expire_at"),
        )

    def names_wanted(self) -> set[str]:
        """The user ids whose display names rendering needs."""
        wanted = {uid for uid in self.room.one_to_one_users() if self.room.is_one_to_one}
        for key in ("userId", "callee"):
            if self.parameters.get("userType", USERS) == USERS and self.parameters.get(key):
                wanted.add(str(self.parameters[key]))
        return wanted


@dataclass(frozen=True)
class Context:
    base_url: str
    names: dict[str, str]  # uid → display name, for the users rendering needs
    admin_default_permissions: int
    now: int
    for_push: bool = False


def _room_name(stored: Stored, ctx: Context) -> str:
    room = stored.room
    if room.is_one_to_one:
        others = [uid for uid in room.one_to_one_users() if uid != stored.uid] or room.one_to_one_users()
        return ctx.names.get(others[0], others[0]) if others else room.name
    return room.name


def _call_parameter(stored: Stored, ctx: Context) -> dict[str, Any] | None:
    call_type = _CALL_TYPES.get(stored.room.type)
    if call_type is None:
        return None
    return {
        "type": "call",
        "id": str(stored.room.id),
        "name": _room_name(stored, ctx),
        "call-type": call_type,
        "icon-url": mention_room(stored.room, ctx.base_url).icon_url,
    }


def fill(text: str, parameters: dict[str, Any], *, mention_at: bool = False) -> str:
    """Placeholders replaced by names (``@name`` for users and guests in a message, as Talk's
    notifications write them)."""

    def name(match: re.Match[str]) -> str:
        parameter = parameters.get(match.group(1))
        if not isinstance(parameter, dict):
            return match.group(0)
        text = str(parameter.get("name", ""))
        return f"@{text}" if mention_at and parameter.get("type") in ("user", "guest") else text

    return _PLACEHOLDER.sub(name, text)


def _php_json_length(text: str) -> int:
    return len(json.dumps(text, ensure_ascii=True).replace("/", "\\/"))


def shorten(text: str, limit: int = PUSH_MESSAGE_BYTES) -> str:
    """Talk's ``shortenJsonEncodedMultibyteSave``: at most ``limit`` bytes once JSON-encoded, with an
    ellipsis when cut."""
    short = text[:limit]
    while _php_json_length(short) > limit:
        short = short[:-5]
    return short if short == text else short + "…"


def _kept_out(stored: Stored, ctx: Context) -> bool:
    attendee = stored.attendee
    if attendee is None:
        return True
    if stored.room.lobby_state == rooms.LOBBY_NONE:
        return False
    return not effective_permissions(stored.room, attendee, ctx.admin_default_permissions) & PERMISSIONS_LOBBY_IGNORE


def _link(stored: Stored, ctx: Context, message_id: int | None = None) -> str:
    link = f"{ctx.base_url.rstrip('/')}/call/{stored.room.token}"
    return link if message_id is None else f"{link}#message_{message_id}"


def _action(label: str, link: str, *, primary: bool) -> dict[str, Any]:
    return {"label": label, "link": link, "type": "WEB", "primary": primary}


@dataclass
class Rendered:
    subject_rich: str
    subject_parameters: dict[str, Any]
    message_rich: str
    message_parameters: dict[str, Any] | list[Any]
    message: str
    link: str
    object_id: str
    actions: list[dict[str, Any]]


def _chat(stored: Stored, ctx: Context) -> Rendered | None:
    message, attendee, room = stored.message, stored.attendee, stored.room
    assert attendee is not None
    if message is None or message.message_type != "comment":
        return None
    if attendee.last_read_message >= int(message.id) and not ctx.for_push:
        return None
    if stored.message_expire_at is not None and stored.message_expire_at < ctx.now:
        return None
    call = _call_parameter(stored, ctx)
    if call is None:
        return None
    params = stored.parameters
    author: dict[str, Any] | None = None
    guest: dict[str, Any] | None = None
    is_user = params.get("userType") == USERS
    if is_user and params.get("userId") in ctx.names:
        author = {"type": "user", "id": str(params["userId"]), "name": ctx.names[str(params["userId"])]}
    elif message.actor_type == BOTS:
        # Talk names a bot as a highlight, not as a user.
        author = {"type": "highlight", "id": str(message.actor_id), "name": str(message.actor_display_name)}
    elif not is_user and message.actor_type in (GUESTS, EMAILS) and str(message.actor_display_name).strip():
        guest = {"type": "guest", "id": str(message.actor_id), "name": str(message.actor_display_name)}
    message_parameters: dict[str, Any] = json.loads(message.parameters or "{}")
    text = fill(str(message.message), message_parameters, mention_at=True)
    subject_parameters: dict[str, Any] = {"call": call}
    if author is not None:
        subject_parameters = {"user": author, "call": call}
    elif guest is not None:
        subject_parameters["guest"] = guest
    one_to_one = room.is_one_to_one
    if attendee.sensitive:
        subject, subject_parameters = _sensitive_subject(stored.subject, ctx.for_push), {}
    elif ctx.for_push:
        subject_parameters["message"] = {"type": "highlight", "id": str(message.id), "name": shorten(text)}
        subject = _push_subject(one_to_one, author, guest, is_user)
    else:
        subject = _subject(stored, one_to_one, author, guest, is_user, subject_parameters)
    link = _link(stored, ctx, int(message.id))
    sensitive = attendee.sensitive or ctx.for_push
    return Rendered(
        subject_rich=subject,
        subject_parameters=subject_parameters,
        message_rich="" if sensitive else str(message.message),
        message_parameters=[] if sensitive or not message_parameters else message_parameters,
        message="" if sensitive else text,
        link=link,
        object_id=room.token if sensitive else f"{room.token}/{message.id}",
        actions=[_action("View chat", link, primary=False)],
    )


def _sensitive_subject(subject: str, for_push: bool) -> str:
    if for_push:
        second = {"chat": "New message"}.get(
            subject, "Someone mentioned you" if subject.startswith("mention_") else "Notification"
        )
        return f"Private conversation\n{second}"
    if subject == "chat":
        return "You received a message in a private conversation"
    if subject.startswith("mention_"):
        return "Someone mentioned you in a private conversation"
    return "Notification in a private conversation"


def _push_subject(one_to_one: bool, author: Any, guest: Any, is_user: bool) -> str:
    if one_to_one:
        return "{user}\n{message}"
    if author is not None:
        return "{user} in {call}\n{message}"
    if is_user:
        return "Deleted user in {call}\n{message}"
    return "{guest} (guest) in {call}\n{message}" if guest is not None else "Guest in {call}\n{message}"


def _subject(stored: Stored, one_to_one: bool, author: Any, guest: Any, is_user: bool, params: dict[str, Any]) -> str:
    kind = stored.subject
    who = (
        "{user}"
        if author is not None
        else ("A deleted user" if is_user else ("{guest} (guest)" if guest else "A guest"))
    )
    if kind == "chat":
        return "{user} sent you a private message" if one_to_one else f"{who} sent a message in conversation {{call}}"
    if kind == "reply":
        return (
            "{user} replied to your private message"
            if one_to_one
            else f"{who} replied to your message in conversation {{call}}"
        )
    if one_to_one:
        return "{user} mentioned you in a private conversation"
    if kind == "mention_group":
        gid = str(stored.parameters.get("sourceId", ""))
        params["group"] = {"type": "user-group", "id": gid, "name": gid}
        return f"{who} mentioned group {{group}} in conversation {{call}}"
    if kind == "mention_all":
        return f"{who} mentioned everyone in conversation {{call}}"
    return f"{who} mentioned you in conversation {{call}}"


def _call(stored: Stored, ctx: Context) -> Rendered | None:
    room = stored.room
    call = _call_parameter(stored, ctx)
    if call is None:
        return None
    link = _link(stored, ctx)
    running = ctx.for_push or room.active_since is not None
    if room.is_one_to_one:
        callee = str(stored.parameters.get("callee") or "")
        if callee not in ctx.names:
            return None
        user = {"type": "user", "id": callee, "name": ctx.names[callee]}
        if running:
            subject, action = (
                "{user} would like to talk with you",
                _action("Answer call", link + "#direct-call", primary=True),
            )
        else:
            subject, action = "You missed a call from {user}", _action("Call back", link, primary=True)
        parameters: dict[str, Any] = {"user": user, "call": call}
    else:
        if running:
            subject, action = (
                "A group call has started in {call}",
                _action("Join call", link + "#direct-call", primary=True),
            )
        else:
            subject, action = "You missed a group call in {call}", _action("View chat", link, primary=False)
        parameters = {"call": call}
    return Rendered(subject, parameters, "", [], "", link, room.token, [action])


def _reminder(stored: Stored, ctx: Context) -> Rendered | None:
    """Talk's ``reminder`` subject: who wrote the message the user wanted to be reminded of."""
    message, attendee, room = stored.message, stored.attendee, stored.room
    assert attendee is not None
    if message is None or (stored.message_expire_at is not None and stored.message_expire_at < ctx.now):
        return None
    call = _call_parameter(stored, ctx)
    if call is None:
        return None
    author_type, author_id = str(message.actor_type), str(message.actor_id)
    parameters: dict[str, Any] = {"call": call}
    if author_type == USERS and author_id in ctx.names:
        parameters["user"] = {"type": "user", "id": author_id, "name": ctx.names[author_id]}
        who = "{user}"
    elif author_type == BOTS:
        parameters["user"] = {"type": "highlight", "id": author_id, "name": str(message.actor_display_name)}
        who = "{user}"
    elif author_type in (GUESTS, EMAILS) and str(message.actor_display_name).strip():
        parameters["guest"] = {"type": "guest", "id": author_id, "name": str(message.actor_display_name)}
        who = "{guest} (guest)"
    else:
        who = "A deleted user" if author_type == USERS else "A guest"
    if room.is_one_to_one and "user" in parameters:
        subject = f"Reminder: {who} in a private conversation"
    else:
        subject = f"Reminder: {who} in conversation {{call}}"
    message_parameters: dict[str, Any] = json.loads(message.parameters or "{}")
    hidden = attendee.sensitive or ctx.for_push
    if attendee.sensitive:
        subject, parameters = "Reminder in a private conversation", {}
    link = _link(stored, ctx, int(message.id))
    api_link = f"{ctx.base_url.rstrip('/')}/ocs/v2.php/apps/spreed/api/v1/chat/{room.token}/{message.id}/reminder"
    return Rendered(
        subject_rich=subject,
        subject_parameters=parameters,
        message_rich="" if hidden else str(message.message),
        message_parameters=[] if hidden or not message_parameters else message_parameters,
        message="" if hidden else fill(str(message.message), message_parameters, mention_at=True),
        link=link,
        object_id=room.token if attendee.sensitive else f"{room.token}/{message.id}",
        actions=[
            _action("View message", link, primary=True),
            {"label": "Dismiss reminder", "link": api_link, "type": "DELETE", "primary": False},
        ],
    )


def prepare(stored: Stored, ctx: Context) -> Rendered | None:
    """The rendered notification, or None when it no longer applies."""
    if _kept_out(stored, ctx):
        return None
    if stored.object_type == "chat":
        return _chat(stored, ctx)
    if stored.object_type == "reminder":
        return _reminder(stored, ctx)
    if stored.object_type == "call" and stored.subject == "call":
        return _call(stored, ctx)
    return None


def api_object(stored: Stored, ctx: Context, icon_url: str) -> dict[str, Any] | None:
    """The notification object of the notifications API (v2), or None."""
    rendered = prepare(stored, ctx)
    if rendered is None:
        return None
    return {
        "notification_id": stored.id,
        "app": stored.app,
        "user": stored.uid,
        "datetime": datetime.fromtimestamp(stored.created_at, UTC).isoformat(),
        "object_type": stored.object_type,
        "object_id": rendered.object_id,
        "subject": fill(rendered.subject_rich, rendered.subject_parameters),
        "subjectRich": rendered.subject_rich,
        "subjectRichParameters": rendered.subject_parameters or [],
        "message": rendered.message,
        "messageRich": rendered.message_rich,
        "messageRichParameters": rendered.message_parameters,
        "link": rendered.link,
        "icon": icon_url,
        "shouldNotify": True,
        "actions": rendered.actions,
    }


def push_payload(stored: Stored, ctx: Context) -> dict[str, Any] | None:
    """What a device's push carries of a new notification (``object-data``: nid, type, id)."""
    rendered = prepare(stored, ctx)
    if rendered is None:
        return None
    return {
        "nid": stored.id,
        "app": stored.app,
        "subject": fill(rendered.subject_rich, rendered.subject_parameters),
        "type": stored.object_type,
        "id": stored.room.token,
    }

"""Talk's system messages in words, for one viewer ("You added {user}", "Alice added you").

``render(name, parameters, ctx)`` returns the text with ``{placeholders}``, the rich-object
parameters and the system message name clients see (``call_missed`` can become ``call_tried``).
The wording is Talk's, so that clients which compare texts (and people used to Talk) see the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from causerie.services.rooms.actors import CLI_ID, GUESTS, SYSTEM_ID, USERS

Param = dict[str, Any]
ONE_TO_ONE_TYPES = (1, 5)

DELETED_USER: Param = {"type": "highlight", "id": "deleted_users", "name": "Deleted user"}


@dataclass(frozen=True)
class TextContext:
    """What the wording depends on: who looks, who acted, the room, and display names."""

    actor: Param  # the rich-object parameter of the message's actor
    viewer_type: str | None
    viewer_id: str | None
    room_type: int
    room_name: str
    room_token: str
    silent: bool
    user: Callable[[str], Param]
    group: Callable[[str], Param]
    guest: Callable[[str, str], Param]

    @property
    def viewer_is_actor(self) -> bool:
        if self.viewer_type == USERS:
            return bool(self.actor["type"] == "user" and self.actor["id"] == self.viewer_id)
        if self.viewer_type == GUESTS:
            return bool(self.actor["type"] == "guest" and self.actor["id"] == f"guest/{self.viewer_id}")
        return False

    @property
    def cli_is_actor(self) -> bool:
        return bool(self.actor["type"] == "guest" and self.actor["id"] == f"guest/{CLI_ID}")

    @property
    def system_is_actor(self) -> bool:
        return bool(self.actor["type"] == "guest" and self.actor["id"] == f"guest/{SYSTEM_ID}")

    def is_viewer(self, param: Param) -> bool:
        if self.viewer_type == USERS:
            return param.get("type") == "user" and param.get("id") == self.viewer_id
        if self.viewer_type == GUESTS:
            return param.get("type") == "guest" and param.get("id") == f"guest/{self.viewer_id}"
        return False


# name -> (someone, you, an administrator); None: the generic text is used.
_SIMPLE: dict[str, tuple[str, str, str | None]] = {
    "description_set": (
        "{actor} set the description",
        "You set the description",
        "An administrator set the description",
    ),
    "description_removed": (
        "{actor} removed the description",
        "You removed the description",
        "An administrator removed the description",
    ),
    "call_joined": ("{actor} joined the call", "You joined the call", None),
    "call_left": ("{actor} left the call", "You left the call", None),
    "read_only_off": (
        "{actor} unlocked the conversation",
        "You unlocked the conversation",
        "An administrator unlocked the conversation",
    ),
    "read_only": (
        "{actor} locked the conversation",
        "You locked the conversation",
        "An administrator locked the conversation",
    ),
    "listable_none": (
        "{actor} limited the conversation to the current participants",
        "You limited the conversation to the current participants",
        "An administrator limited the conversation to the current participants",
    ),
    "listable_users": (
        "{actor} opened the conversation to registered users",
        "You opened the conversation to registered users",
        "An administrator opened the conversation to registered users",
    ),
    "listable_all": (
        "{actor} opened the conversation to registered users and users created with the Guests app",
        "You opened the conversation to registered users and users created with the Guests app",
        "An administrator opened the conversation to registered users and users created with the Guests app",
    ),
    "lobby_timer_reached": (
        "The conversation is now open to everyone",
        "The conversation is now open to everyone",
        None,
    ),
    "lobby_none": ("{actor} opened the conversation to everyone", "You opened the conversation to everyone", None),
    "lobby_non_moderators": (
        "{actor} restricted the conversation to moderators",
        "You restricted the conversation to moderators",
        None,
    ),
    "breakout_rooms_started": ("{actor} started breakout rooms", "You started breakout rooms", None),
    "breakout_rooms_stopped": ("{actor} stopped breakout rooms", "You stopped breakout rooms", None),
    "guests_allowed": ("{actor} allowed guests", "You allowed guests", "An administrator allowed guests"),
    "guests_disallowed": ("{actor} disallowed guests", "You disallowed guests", "An administrator disallowed guests"),
    "password_set": ("{actor} set a password", "You set a password", "An administrator set a password"),
    "password_removed": (
        "{actor} removed the password",
        "You removed the password",
        "An administrator removed the password",
    ),
    "matterbridge_config_added": (
        "{actor} set up Matterbridge to synchronize this conversation with other chats",
        "You set up Matterbridge to synchronize this conversation with other chats",
        None,
    ),
    "matterbridge_config_edited": (
        "{actor} updated the Matterbridge configuration",
        "You updated the Matterbridge configuration",
        None,
    ),
    "matterbridge_config_removed": (
        "{actor} removed the Matterbridge configuration",
        "You removed the Matterbridge configuration",
        None,
    ),
    "matterbridge_config_enabled": ("{actor} started Matterbridge", "You started Matterbridge", None),
    "matterbridge_config_disabled": ("{actor} stopped Matterbridge", "You stopped Matterbridge", None),
    "message_deleted": ("{actor} deleted a message", "You deleted a message", None),
    "message_edited": ("{actor} edited a message", "You edited a message", None),
    "reaction_revoked": ("{actor} deleted a reaction", "You deleted a reaction", None),
    "message_expiration_disabled": ("{actor} disabled message expiration", "You disabled message expiration", None),
    "history_cleared": (
        "{actor} cleared the history of the conversation",
        "You cleared the history of the conversation",
        None,
    ),
    "avatar_set": ("{actor} set the conversation picture", "You set the conversation picture", None),
    "avatar_removed": ("{actor} removed the conversation picture", "You removed the conversation picture", None),
    "recording_started": ("{actor} started the video recording", "You started the video recording", None),
    "recording_stopped": ("{actor} stopped the video recording", "You stopped the video recording", None),
    "audio_recording_started": ("{actor} started the audio recording", "You started the audio recording", None),
    "audio_recording_stopped": ("{actor} stopped the audio recording", "You stopped the audio recording", None),
    "recording_failed": ("The recording failed", "The recording failed", None),
}

# Changes to one participant: (someone, you did it, done to you, an administrator, an administrator to you).
_ABOUT_USER: dict[str, tuple[str, str, str, str, str]] = {
    "user_added": (
        "{actor} added {user}",
        "You added {user}",
        "{actor} added you",
        "An administrator added {user}",
        "An administrator added you",
    ),
    "user_removed": (
        "{actor} removed {user}",
        "You removed {user}",
        "{actor} removed you",
        "An administrator removed {user}",
        "An administrator removed you",
    ),
    "moderator_promoted": (
        "{actor} promoted {user} to moderator",
        "You promoted {user} to moderator",
        "{actor} promoted you to moderator",
        "An administrator promoted {user} to moderator",
        "An administrator promoted you to moderator",
    ),
    "moderator_demoted": (
        "{actor} demoted {user} from moderator",
        "You demoted {user} from moderator",
        "{actor} demoted you from moderator",
        "An administrator demoted {user} from moderator",
        "An administrator demoted you from moderator",
    ),
}
_ABOUT_USER["guest_moderator_promoted"] = _ABOUT_USER["moderator_promoted"]
_ABOUT_USER["guest_moderator_demoted"] = _ABOUT_USER["moderator_demoted"]

_GROUPS = {
    "group_added": ("{actor} added group {group}", "You added group {group}", "An administrator added group {group}"),
    "group_removed": (
        "{actor} removed group {group}",
        "You removed group {group}",
        "An administrator removed group {group}",
    ),
}


def duration(seconds: int) -> str:
    """Talk's call duration: ``M:SS`` below an hour, ``H:MM:SS`` from one hour on."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _plural(count: int, one: str, many: str) -> str:
    return (one if count == 1 else many).replace("%n", str(count))


def _pick(ctx: TextContext, someone: str, you: str, admin: str | None) -> str:
    if ctx.viewer_is_actor:
        return you
    if admin is not None and ctx.cli_is_actor:
        return admin
    return someone


def render(name: str, parameters: dict[str, Any], ctx: TextContext) -> tuple[str, dict[str, Param], str]:
    """``(text, messageParameters, systemMessage)`` of system message ``name`` for the viewer."""
    params: dict[str, Param] = {"actor": ctx.actor}
    if name in _SIMPLE:
        return _pick(ctx, *_SIMPLE[name]), params, name
    if name == "conversation_created":
        if ctx.viewer_is_actor:
            return "You created the conversation", params, name
        if ctx.system_is_actor:
            return "System created the conversation", params, name
        if ctx.cli_is_actor:
            return "An administrator created the conversation", params, name
        return "{actor} created the conversation", params, name
    if name == "conversation_renamed":
        old, new = str(parameters.get("oldName", "")), str(parameters.get("newName", ""))
        text = _pick(
            ctx,
            '{actor} renamed the conversation from "%1" to "%2"',
            'You renamed the conversation from "%1" to "%2"',
            'An administrator renamed the conversation from "%1" to "%2"',
        )
        return text.replace("%1", old).replace("%2", new), params, name
    if name in _ABOUT_USER:
        return _about_user(name, parameters, ctx, params)
    if name in _GROUPS:
        params["group"] = ctx.group(str(parameters.get("group", "")))
        return _pick(ctx, *_GROUPS[name]), params, name
    if name == "call_started":
        return _call_started(ctx), params, name
    if name in ("call_ended", "call_ended_everyone"):
        return _call_ended(name, parameters, ctx, params), params, name
    if name == "call_missed":
        return _call_missed(parameters, ctx)
    if name == "message_expiration_enabled":
        return _expiration(int(parameters.get("seconds", 0)), ctx), params, name
    if name == "reaction":
        # The stored text is the emoji itself; clients use these to update their counters.
        return str(parameters.get("reaction", "")), {}, name
    if name == "reaction_deleted":
        return "Reaction deleted by author", {}, name
    return "{actor}", params, name


def _about_user(
    name: str, parameters: dict[str, Any], ctx: TextContext, params: dict[str, Param]
) -> tuple[str, dict[str, Param], str]:
    if name.startswith("guest_"):
        guest_type = str(parameters.get("type", GUESTS))
        user = ctx.guest(guest_type, str(parameters.get("id", parameters.get("session", ""))))
    else:
        user = ctx.user(str(parameters.get("user", "")))
    params["user"] = user
    someone, you, to_you, admin, admin_to_you = _ABOUT_USER[name]
    if name in ("user_added", "user_removed") and user.get("id") == ctx.actor.get("id"):
        verb = "joined" if name == "user_added" else "left"
        text = f"You {verb} the conversation" if ctx.viewer_is_actor else f"{{actor}} {verb} the conversation"
        return text, params, name
    if ctx.viewer_is_actor:
        return you, params, name
    if ctx.is_viewer(user):
        return (admin_to_you if ctx.cli_is_actor else to_you), params, name
    return (admin if ctx.cli_is_actor else someone), params, name


def _call_started(ctx: TextContext) -> str:
    one_to_one = ctx.room_type in ONE_TO_ONE_TYPES
    kind = "silent call" if ctx.silent else "call"
    if ctx.viewer_is_actor:
        return f"Outgoing {kind}" if one_to_one else f"You started a {kind}"
    return f"Incoming {kind}" if one_to_one else f"{{actor}} started a {kind}"


def _call_ended(name: str, parameters: dict[str, Any], ctx: TextContext, params: dict[str, Param]) -> str:
    length = duration(int(parameters.get("duration", 0)))
    if ctx.room_type in ONE_TO_ONE_TYPES:
        return f"Call ended (Duration {length})"
    users = [str(u) for u in parameters.get("users", [])]
    guests = int(parameters.get("guests", 0))
    everyone = name == "call_ended_everyone"
    if everyone:
        if ctx.actor["type"] == "user":
            users = [u for u in users if u != ctx.actor["id"]]
        elif not ctx.system_is_actor:
            guests -= 1
    users.sort()
    head = "{actor} ended the call with " if everyone else "Call with "
    tail = f" (Duration {length})" if everyone else f" ended (Duration {length})"
    slots = [f"{{user{i}}}" for i in range(1, len(users) + 1)]
    shown = len(users)
    if not users:
        if guests == 0:
            return f"{{actor}} ended the call (Duration {length})" if everyone else f"Call ended (Duration {length})"
        return head + _plural(guests, "%n guest", "%n guests") + tail
    if len(users) >= 5 and not (len(users) == 5 and guests == 0):
        shown = 4
        slots = [*slots[:4], _plural(guests + len(users) - 4, "%n other", "%n others")]
    elif guests:
        slots.append(_plural(guests, "%n guest", "%n guests"))
    for i in range(shown):
        params[f"user{i + 1}"] = ctx.user(users[i])
    listed = slots[0] if len(slots) == 1 else ", ".join(slots[:-1]) + " and " + slots[-1]
    return head + listed + tail


def _call_missed(parameters: dict[str, Any], ctx: TextContext) -> tuple[str, dict[str, Param], str]:
    users = [str(u) for u in parameters.get("users", [])]
    caller = users[0] if users else ""
    if caller != ctx.viewer_id or ctx.viewer_type != USERS:
        return "Missed call", {"user": ctx.user(caller)}, "call_missed"
    other = ""
    if ctx.room_type == 1:
        try:
            members = json.loads(ctx.room_name)
        except ValueError:
            members = []
        other = next((m for m in members if m != ctx.viewer_id), "") if isinstance(members, list) else ""
    if not other:
        return "Unanswered call", {"user": {**DELETED_USER, "name": ctx.room_name}}, "call_tried"
    return "Unanswered call", {"user": ctx.user(other)}, "call_tried"


def _expiration(seconds: int, ctx: TextContext) -> str:
    who = "You" if ctx.viewer_is_actor else "{actor}"
    for unit, size in (("week", 7 * 86400), ("day", 86400), ("hour", 3600)):
        if seconds >= size:
            count = round(seconds / size)
            return f"{who} set the message expiration to {_plural(count, f'%n {unit}', f'%n {unit}s')}"
    minutes = round(seconds / 60)
    return f"{who} set the message expiration to {_plural(minutes, '%n minute', '%n minutes')}"

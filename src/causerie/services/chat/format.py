"""Stored message rows -> Talk's ChatMessage objects, as one participant sees them.

Comments are stored already rich (``hello {mention-user1}`` plus their parameters), so rendering
them needs no lookups; system messages keep Talk's raw parameters and are put into words for each
viewer by ``system_texts``. ``render`` does the per-batch work once: parents that are not in the
batch, display names the system messages refer to, reaction counters and the viewer's own
reactions, each one query and only when the batch needs it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from causerie.services.chat import files as chat_files
from causerie.services.chat import system_texts
from causerie.services.chat.files import OBJECT_SHARED, FileView
from causerie.services.chat.system_texts import DELETED_USER, Param, TextContext
from causerie.services.files.tree import attachment_folder
from causerie.services.rooms.actors import BOTS, CLI_ID, EMAILS, GUESTS, SYSTEM_ID, USERS, Actor
from causerie.storage.chat import messages as store
from causerie.storage.chat import reactions as reaction_store
from causerie.storage.db import Conn
from causerie.storage.files import shares as share_store
from causerie.storage.rooms import names as name_store

COMMENT = "comment"
SYSTEM = "system"
COMMAND = "command"
COMMENT_DELETED = "comment_deleted"
REPLYABLE_TYPES = ("comment", "voice-message", "record-audio", "record-video", OBJECT_SHARED)
REPLYABLE_ACTORS = (USERS, GUESTS, EMAILS, BOTS, "federated_users")
# System messages that record a change to another message; Talk does not make them the room's
# "last message".
SILENT_SYSTEM = ("reaction", "reaction_deleted", "reaction_revoked", "message_edited", "message_deleted")


@dataclass(frozen=True)
class RoomRef:
    """What rendering needs to know about the room."""

    id: int
    token: str
    type: int
    name: str = ""

    @classmethod
    def of(cls, room: Any) -> RoomRef:
        """From a ``Room`` (any object with its id, token, type and name)."""
        return cls(room.id, room.token, room.type, room.name)


@dataclass
class Names:
    users: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    guests: dict[tuple[str, str], str] = field(default_factory=dict)


def parameters_of(row: Any) -> dict[str, Any]:
    raw = row.parameters
    if not raw or raw == "{}":
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def guest_name(display_name: str) -> str:
    return f"{display_name} (guest)" if display_name else "Guest"


def actor_param(actor_type: str, actor_id: str, display_name: str) -> Param:
    """The ``{actor}`` rich object of someone who did something in the room."""
    if actor_type in (GUESTS, EMAILS):
        prefix = "guest/" if actor_type == GUESTS else "email/"
        if actor_type == GUESTS and actor_id == CLI_ID:
            name = "Administration"
        elif actor_type == GUESTS and actor_id == SYSTEM_ID:
            name = "System"
        else:
            name = guest_name(display_name)
        return {"type": "guest", "id": prefix + actor_id, "name": name, "mention-id": prefix + actor_id}
    if actor_type == "deleted_users":
        return dict(DELETED_USER)
    return {"type": "user", "id": actor_id, "name": display_name, "mention-id": actor_id}


def _references(rows: Iterable[Any]) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """User ids, group ids and (type, id) guests the system messages of ``rows`` mention."""
    uids: set[str] = set()
    gids: set[str] = set()
    guests: set[tuple[str, str]] = set()
    for row in rows:
        if row.message_type != SYSTEM:
            continue
        name = row.system_message
        params = parameters_of(row)
        if name in ("user_added", "user_removed", "moderator_promoted", "moderator_demoted"):
            uids.add(str(params.get("user", "")))
        elif name in ("group_added", "group_removed"):
            gids.add(str(params.get("group", "")))
        elif name in ("call_ended", "call_ended_everyone", "call_missed"):
            uids.update(str(u) for u in params.get("users", []))
        elif name in ("guest_moderator_promoted", "guest_moderator_demoted"):
            guests.add((str(params.get("type", GUESTS)), str(params.get("id", ""))))
    return uids, gids, guests


async def load_names(conn: Conn, room: RoomRef, rows: Iterable[Any]) -> Names:
    uids, gids, guests = _references(rows)
    names = Names()
    if uids:
        names.users = await name_store.user_names(conn, uids)
    if gids:
        names.groups = await name_store.group_names(conn, gids)
    for actor_type in {t for t, _ in guests}:
        found = await name_store.attendee_names(conn, room.id, actor_type, [i for t, i in guests if t == actor_type])
        names.guests.update({(actor_type, k): v for k, v in found.items()})
    return names


class Formatter:
    """Formats rows of one room for one viewer, with the names and reactions loaded for the batch."""

    def __init__(
        self,
        room: RoomRef,
        viewer: Actor | None,
        names: Names,
        reactions: dict[int, dict[str, int]] | None = None,
        shares: dict[int, Any] | None = None,
        files: FileView | None = None,
    ) -> None:
        self.room = room
        self.viewer = viewer
        self.names = names
        self.reactions = reactions or {}
        self.shares = shares or {}
        self.files = files or FileView(viewer=viewer)

    def user(self, uid: str) -> Param:
        name = self.names.users.get(uid)
        if name is None:
            return dict(DELETED_USER)
        return {"type": "user", "id": uid, "name": name, "mention-id": uid}

    def group(self, gid: str) -> Param:
        name = self.names.groups.get(gid, gid)
        return {"type": "group", "id": gid, "name": name, "mention-id": f"user-group/{gid}"}

    def guest(self, actor_type: str, actor_id: str) -> Param:
        return actor_param(actor_type, actor_id, self.names.guests.get((actor_type, actor_id), ""))

    def _context(self, row: Any, actor: Param) -> TextContext:
        return TextContext(
            actor=actor,
            viewer_type=self.viewer.type if self.viewer else None,
            viewer_id=self.viewer.id if self.viewer else None,
            room_type=self.room.type,
            room_name=self.room.name,
            room_token=self.room.token,
            silent=bool(row.silent),
            user=self.user,
            group=self.group,
            guest=self.guest,
        )

    def message(self, row: Any, *, exact: bool = True) -> dict[str, Any]:
        """``exact=False`` for Talk's "inaccurate" contexts (parents, a room's last message), where
        a file's path is its bare name."""
        message_type = row.message_type
        system_message = ""
        text = row.message
        params: dict[str, Any] = {}
        deleted = message_type == COMMENT_DELETED
        if message_type == SYSTEM:
            actor = actor_param(row.actor_type, row.actor_id, row.actor_display_name)
            text, params, system_message = system_texts.render(
                row.system_message, parameters_of(row), self._context(row, actor)
            )
        elif message_type == OBJECT_SHARED:
            actor = actor_param(row.actor_type, row.actor_id, row.actor_display_name)
            stored = parameters_of(row)
            share = self.shares.get(chat_files.share_id_of(row, stored) or 0)
            text, params, message_type = chat_files.render(row, stored, actor, share, self.files, exact=exact)
        elif deleted:
            text, params = self._deleted(row)
        else:
            params = parameters_of(row)
        data: dict[str, Any] = {
            "id": int(row.id),
            "token": self.room.token,
            "actorType": row.actor_type,
            "actorId": row.actor_id,
            "actorDisplayName": row.actor_display_name,
            "timestamp": int(row.created_at),
            "message": text,
            # PHP's empty array: Talk sends [] for no parameters and an object otherwise.
            "messageParameters": params or [],
            "systemMessage": system_message,
            "messageType": message_type,
            "isReplyable": message_type in REPLYABLE_TYPES and row.actor_type in REPLYABLE_ACTORS,
            "referenceId": row.reference_id or "",
            "reactions": {} if deleted else dict(self.reactions.get(int(row.id), {})),
            "expirationTimestamp": int(row.expire_at or 0),
            "markdown": message_type != SYSTEM,
        }
        if row.last_edit_time is not None and not deleted:
            data["lastEditActorType"] = row.last_edit_actor_type or ""
            data["lastEditActorId"] = row.last_edit_actor_id or ""
            data["lastEditActorDisplayName"] = row.last_edit_actor_display_name or ""
            data["lastEditTimestamp"] = int(row.last_edit_time)
        if deleted:
            data["deleted"] = True
        if row.silent:
            data["silent"] = True
        return data

    def _deleted(self, row: Any) -> tuple[str, dict[str, Any]]:
        stored = parameters_of(row)
        by_type, by_id = str(stored.get("deletedByType", "")), str(stored.get("deletedById", ""))
        deleter = actor_param(by_type, by_id, str(stored.get("deletedByName", "")))
        text = "Message deleted by author"
        if (by_type, by_id) != (row.actor_type, row.actor_id):
            text = "Message deleted by {actor}"
        if self.viewer is not None and (self.viewer.type, self.viewer.id) == (by_type, by_id):
            text = "Message deleted by you"
        return text, {"actor": deleter}


def is_expired(row: Any, now: int) -> bool:
    return row.expire_at is not None and int(row.expire_at) <= now


@dataclass
class Prepared:
    """A batch of rows with what every viewer needs: parents, names and reaction counters."""

    room: RoomRef
    visible: list[Any]
    parents: dict[int, Any]
    names: Names
    counts: dict[int, dict[str, int]]
    with_parents: bool
    # Shares of the batch's file messages, by share id (with their files and rooms).
    shares: dict[int, Any] = field(default_factory=dict)


async def prepare(
    conn: Conn,
    room: RoomRef,
    rows: Sequence[Any],
    *,
    with_parents: bool = True,
    reactions: bool = True,
    known_parents: Sequence[Any] = (),
) -> Prepared:
    """``reactions=False`` skips the counter query, for a batch that cannot have any (a new message);
    ``known_parents`` are parent rows the caller already read."""
    now = int(time.time())
    visible = [row for row in rows if not is_expired(row, now)]
    in_batch = {int(row.id) for row in visible}
    missing = {int(row.parent_id) for row in visible if row.parent_id} - in_batch if with_parents else set()
    parents = {int(row.id): row for row in known_parents if int(row.id) in missing}
    missing -= parents.keys()
    if missing:
        parents.update(await store.get_many(conn, room.id, missing))
    parents = {pid: row for pid, row in parents.items() if not is_expired(row, now)}
    everything = [*visible, *parents.values()]
    names = await load_names(conn, room, everything)
    reactable = [int(row.id) for row in everything if row.message_type != SYSTEM] if reactions else []
    counts = await reaction_store.counts(conn, reactable) if reactable else {}
    share_ids = [sid for row in everything if (sid := chat_files.share_id_of(row, parameters_of(row)))]
    shares = await share_store.by_ids(conn, share_ids) if share_ids else {}
    return Prepared(room, visible, parents, names, counts, with_parents, shares)


async def file_view(conn: Conn, prepared: Prepared, viewer: Actor | None, base_url: str) -> FileView | None:
    """What ``viewer`` needs to see the batch's file messages (a query only when it has some)."""
    if not prepared.shares:
        return None
    folder = await attachment_folder(conn)
    return await chat_files.view_for(conn, viewer, list(prepared.shares), base_url, folder)


async def own_reactions(conn: Conn, prepared: Prepared, viewer: Actor | None) -> dict[int, list[str]]:
    """The viewer's reactions on the batch (a query only when something in it has reactions)."""
    if viewer is None or not prepared.counts:
        return {}
    return await reaction_store.given_by(conn, prepared.counts.keys(), viewer)


def same_for_everyone(prepared: Prepared) -> bool:
    """Whether every viewer sees the batch alike: no system messages or deleted comments (their
    texts speak to the viewer: "You added …", "Message deleted by you") and no reactions (whose
    ``reactionsSelf`` is the viewer's)."""
    if prepared.counts or prepared.shares:
        return False
    rows = [*prepared.visible, *prepared.parents.values()]
    return all(row.message_type not in (SYSTEM, COMMENT_DELETED) for row in rows)


def text_chars(prepared: Prepared) -> int:
    """About how many characters of text the batch shows: each message with its parameters, and a
    reply's parent once more inside the reply. Lengths only, so that measuring a batch costs next to
    nothing compared with reading it."""
    chars = {int(row.id): len(row.message) + len(row.parameters) for row in prepared.visible}
    total = sum(chars.values())
    if prepared.with_parents:
        for row in prepared.parents.values():
            chars[int(row.id)] = len(row.message) + len(row.parameters)
        total += sum(chars.get(int(row.parent_id), 0) for row in prepared.visible if row.parent_id)
    return total


def present(
    prepared: Prepared, viewer: Actor | None, own: dict[int, list[str]], files: FileView | None = None
) -> list[dict[str, Any]]:
    """The batch as ``viewer`` sees it, in the order of the rows (``files``: from ``file_view``)."""
    formatter = Formatter(prepared.room, viewer, prepared.names, prepared.counts, prepared.shares, files)
    formatted = {int(row.id): formatter.message(row) for row in prepared.visible}
    parent_data = {pid: formatter.message(row, exact=False) for pid, row in prepared.parents.items()}
    for mid, data in [*formatted.items(), *parent_data.items()]:
        if own.get(mid) and data["reactions"]:
            data["reactionsSelf"] = own[mid]
    result = []
    for row in prepared.visible:
        data = formatted[int(row.id)]
        if prepared.with_parents and row.parent_id:
            pid = int(row.parent_id)
            parent = formatted.get(pid) or parent_data.get(pid)
            if parent is not None:
                data["parent"] = {k: v for k, v in parent.items() if k != "parent"}
            else:
                data["parent"] = {"id": pid, "deleted": True}
        result.append(data)
    return result


async def render(
    conn: Conn,
    room: RoomRef,
    viewer: Actor | None,
    rows: Sequence[Any],
    *,
    with_parents: bool = True,
    with_self_reactions: bool = True,
    base_url: str = "",
) -> list[dict[str, Any]]:
    """The visible messages of ``rows`` (in their order), with parents and reactions."""
    prepared = await prepare(conn, room, rows, with_parents=with_parents)
    own = await own_reactions(conn, prepared, viewer) if with_self_reactions else {}
    return present(prepared, viewer, own, await file_view(conn, prepared, viewer, base_url))


async def render_one(conn: Conn, room: RoomRef, viewer: Actor | None, row: Any, base_url: str = "") -> dict[str, Any]:
    found = await render(conn, room, viewer, [row], base_url=base_url)
    return found[0] if found else {}


async def last_message(conn: Conn, room: RoomRef, viewer: Actor | None) -> dict[str, Any] | None:
    """The room object's ``lastMessage``: the newest visible message, without parent (as Talk)."""
    return (await last_messages(conn, [room], viewer)).get(room.id)


async def last_messages(conn: Conn, rooms: Sequence[RoomRef], viewer: Actor | None) -> dict[int, dict[str, Any]]:
    """``last_message`` of each room, by room id, read in a constant number of statements whatever
    the number of rooms (a room list): the rows, their names, reactions and files each in one go.
    Only guests named by a system message are looked up per room, as their names live there."""
    rows = await store.latest_of_rooms(conn, [room.id for room in rooms], skip_system=SILENT_SYSTEM)
    now = int(time.time())
    visible = {room_id: row for room_id, row in rows.items() if not is_expired(row, now)}
    if not visible:
        return {}
    uids, gids, _ = _references(visible.values())
    names = Names()
    if uids:
        names.users = await name_store.user_names(conn, uids)
    if gids:
        names.groups = await name_store.group_names(conn, gids)
    reactable = [int(row.id) for row in visible.values() if row.message_type != SYSTEM]
    counts = await reaction_store.counts(conn, reactable) if reactable else {}
    share_ids = [sid for row in visible.values() if (sid := chat_files.share_id_of(row, parameters_of(row)))]
    shares = await share_store.by_ids(conn, share_ids) if share_ids else {}
    files = None
    if shares:
        files = await chat_files.view_for(conn, viewer, list(shares), "", await attachment_folder(conn))
    result = {}
    for room in rooms:
        row = visible.get(room.id)
        if row is None:
            continue
        room_names = names
        if _references([row])[2]:
            guests = (await load_names(conn, room, [row])).guests
            room_names = Names(names.users, names.groups, guests)
        prepared = Prepared(room, [row], {}, room_names, counts, False, shares)
        result[room.id] = present(prepared, viewer, {}, files)[0]
    return result

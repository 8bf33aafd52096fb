"""Conversation pictures as Talk's AvatarService keeps them: an uploaded square PNG or JPEG, an
emoji on a colour, or by default the other user's avatar (one-to-one), the emoji a name starts
with, or an icon of the conversation's kind. The room's ``avatar_version`` names a custom one."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from causerie.services.avatars import images
from causerie.services.avatars.users import Served, user_avatar
from causerie.services.errors import BadRequest
from causerie.services.rooms import participants as p
from causerie.services.rooms import rooms as r
from causerie.services.rooms import settings
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.storage.avatars import avatars as store
from causerie.storage.db import Conn, Database

SVG = "image/svg+xml"
# Talk's grounds for emoji pictures without a colour of their own, light and dark.
THEMING_PLACEHOLDER = "{{THEMING}}"
BRIGHT_BACKGROUND = "6B6B6B"
DARK_BACKGROUND = "3B3B3B"
ONE_TO_ONE_REFUSED = "One-to-one rooms always need to show the other users avatar"
_COLOUR = re.compile(r"^[a-fA-F0-9]{6}$")
_FONTS = (
    "'Segoe UI',Roboto,Oxygen-Sans,Cantarell,Ubuntu,'Helvetica Neue',Arial,sans-serif,"
    "'Noto Color Emoji','Apple Color Emoji','Segoe UI Emoji','Segoe UI Symbol','Noto Sans'"
)


def emoji_svg(emoji: str, fill: str) -> str:
    """Talk's template (512 × 512, the emoji centred on ``fill``); the emoji is escaped, so a
    picture can never carry markup of its own."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<svg width="512" height="512" version="1.1" viewBox="0 0 500 500" xmlns="http://www.w3.org/2000/svg">'
        f'<rect width="100%" height="100%" fill="#{fill}"></rect>'
        f'<text x="50%" y="330" style="font-size:240px;font-family:{_FONTS};text-anchor:middle;">'
        f"{escape(emoji)}</text></svg>"
    )


# --- single emoji --------------------------------------------------------------------------------

_ZWJ = "\u200d"
_VS16 = "\ufe0f"
_KEYCAP = "\u20e3"


def _is_pictograph(char: str) -> bool:
    code = ord(char)
    if 0x1F1E6 <= code <= 0x1F1FF:
        return False  # regional indicators count only in pairs (flags)
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2600 <= code <= 0x27BF
        or 0x2300 <= code <= 0x23FF
        or 0x2B00 <= code <= 0x2BFF
        or code in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299)
        or 0x2190 <= code <= 0x21FF
        or 0x25A0 <= code <= 0x25FF
    ) and unicodedata.category(char) == "So"


def _is_modifier(char: str) -> bool:
    code = ord(char)
    return char == _VS16 or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F


def is_single_emoji(text: str) -> bool:
    """One emoji as a person sees it: a pictograph with its modifiers, several joined by ZWJ, a
    flag (two regional indicators) or a keycap."""
    if not text or len(text) > 32:
        return False
    if len(text) == 2 and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in text):
        return True
    if text[0] in "0123456789#*" and text[1:] in (_KEYCAP, _VS16 + _KEYCAP):
        return True
    expect_base = True
    for char in text:
        if expect_base:
            if not _is_pictograph(char):
                return False
            expect_base = False
        elif char == _ZWJ:
            expect_base = True
        elif not _is_modifier(char):
            return False
    return not expect_base


def leading_emoji(name: str) -> str | None:
    """The emoji a conversation's name starts with, if it starts with one."""
    first = name[:1]
    if not first or not (_is_pictograph(first) or first in "0123456789#*" or 0x1F1E6 <= ord(first) <= 0x1F1FF):
        return None  # most names: one look at the first character (the room list asks for every room)
    for end in range(min(len(name), 32), 0, -1):
        if is_single_emoji(name[:end]):
            return name[:end]
    return None


# --- defaults ------------------------------------------------------------------------------------


def _icon_kind(room: Room) -> str:
    if room.type == r.CHANGELOG:
        return "changelog"
    if room.object_type == "file":
        return "text"
    if room.object_type == "share:password":
        return "password"
    if room.object_type in ("emails", "event", "phone"):
        return {"emails": "mail", "event": "event", "phone": "phone"}[room.object_type]
    if room.type == r.PUBLIC:
        return "public"
    if room.type in (r.ONE_TO_ONE, r.ONE_TO_ONE_FORMER):
        return "user"
    return "group"


# Simple glyphs for the conversation kinds, on Talk's grey grounds.
_GLYPHS = {
    "user": '<circle cx="256" cy="200" r="80"/><path d="M96 420c0-90 70-140 160-140s160 50 160 140z"/>',
    "group": (
        '<circle cx="180" cy="200" r="60"/><circle cx="332" cy="200" r="60"/>'
        '<path d="M60 400c0-70 55-110 120-110s120 40 120 110z"/>'
        '<path d="M212 400c0-70 55-110 120-110s120 40 120 110z"/>'
    ),
    "public": (
        '<path d="M220 300l72-72" stroke="#fff" stroke-width="36" stroke-linecap="round" fill="none"/>'
        '<path d="M250 150l40-40a70 70 0 0 1 100 100l-40 40M262 362l-40 40a70 70 0 0 1-100-100l40-40" '
        'stroke="#fff" stroke-width="36" fill="none"/>'
    ),
    "text": '<path d="M150 100h150l80 80v232H150z"/>',
    "password": '<rect x="140" y="230" width="232" height="170" rx="20"/><path d="M190 230v-50a66 66 0 0 1 132 0v50" '
    'stroke="#fff" stroke-width="30" fill="none"/>',
    "mail": '<rect x="100" y="150" width="312" height="212" rx="16"/>',
    "event": '<rect x="120" y="130" width="272" height="260" rx="20"/>',
    "phone": '<circle cx="256" cy="256" r="120"/>',
    "changelog": '<circle cx="256" cy="256" r="130"/>',
}


def icon_svg(kind: str, dark: bool) -> str:
    ground = DARK_BACKGROUND if dark else BRIGHT_BACKGROUND
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">'
        f'<rect width="512" height="512" fill="#{ground}"/><g fill="#fff">{_GLYPHS[kind]}</g></svg>'
    )


def default_version(room: Room) -> str:
    """Talk's ``avatarVersion`` without a custom picture: a hash of what would be shown."""
    emoji = leading_emoji(room.name) if not room.is_one_to_one else None
    shown = emoji_svg(emoji, BRIGHT_BACKGROUND) if emoji else f"icon-{_icon_kind(room)}"
    return hashlib.md5(shown.encode(), usedforsecurity=False).hexdigest()[:8]


def _served(data: bytes, mime: str, custom: bool) -> Served:
    return Served(data, mime, custom, hashlib.sha1(data, usedforsecurity=False).hexdigest())


async def picture(db: Database, room: Room, viewer_uid: str | None, dark: bool) -> Served:
    """What ``GET room/{token}/avatar[/dark]`` shows ``viewer_uid`` (None: a guest)."""
    if room.avatar_version:
        async with db.read() as conn:
            row = await store.get_room(conn, room.id)
        if row is not None:
            data = bytes(row.data)
            if row.mime == SVG:
                ground = DARK_BACKGROUND if dark else BRIGHT_BACKGROUND
                data = data.replace(THEMING_PLACEHOLDER.encode(), ground.encode())
            return _served(data, row.mime, True)
    if room.type == r.ONE_TO_ONE and viewer_uid is not None:
        others = [uid for uid in room.one_to_one_users() if uid != viewer_uid]
        if others:
            found = await user_avatar(db, others[0], 512, dark)
            if found is not None:
                return found
    emoji = leading_emoji(room.name) if not room.is_one_to_one else None
    ground = DARK_BACKGROUND if dark else BRIGHT_BACKGROUND
    svg = emoji_svg(emoji, ground) if emoji else icon_svg(_icon_kind(room), dark)
    return _served(svg.encode(), SVG, False)


# --- changes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    mime: str
    data: bytes


def _refuse(message: str) -> BadRequest:
    return BadRequest(message=message, data={"message": message})


def _require_changeable(room: Room, participant: Participant) -> None:
    p.require_moderator(participant)
    if room.type in (r.ONE_TO_ONE, r.ONE_TO_ONE_FORMER):
        raise _refuse(ONE_TO_ONE_REFUSED)


async def check_upload(data: bytes | None) -> Upload:
    """The uploaded file decoded and re-encoded, off the event loop and before any transaction."""
    if data is None:
        raise _refuse("No image file provided")
    try:
        decoded = await asyncio.to_thread(images.decode_upload, data, square=True)
    except images.InvalidImage as refused:
        raise _refuse(refused.message) from None
    return Upload(decoded.mime, decoded.data)


async def set_upload(conn: Conn, room: Room, participant: Participant, upload: Upload, now: int) -> None:
    _require_changeable(room, participant)
    await store.set_room(conn, room.id, upload.mime, upload.data, now)
    await settings.set_avatar_version(conn, room, participant.actor, secrets.token_hex(8), now)


async def set_emoji(conn: Conn, room: Room, participant: Participant, emoji: str, colour: str | None, now: int) -> None:
    _require_changeable(room, participant)
    if not is_single_emoji(emoji):
        raise _refuse("Invalid emoji character")
    if colour is None:
        colour = THEMING_PLACEHOLDER
    elif not _COLOUR.match(colour):
        raise _refuse("Invalid background color")
    await store.set_room(conn, room.id, SVG, emoji_svg(emoji, colour).encode(), now)
    await settings.set_avatar_version(conn, room, participant.actor, secrets.token_hex(8), now)


async def remove(conn: Conn, room: Room, participant: Participant, now: int) -> None:
    _require_changeable(room, participant)
    if room.avatar_version:
        await store.delete_room(conn, room.id)
        await settings.set_avatar_version(conn, room, participant.actor, "", now)

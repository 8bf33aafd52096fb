"""The predefined status messages of Nextcloud's user_status app, and its check of status icons."""

from __future__ import annotations

import unicodedata
from typing import Any

# PredefinedStatusService's list, in its order. ``visible: False`` ones are set by apps (Talk's
# "In a call", an absence), not offered to users, so the list endpoint leaves them out.
PREDEFINED: list[dict[str, Any]] = [
    {"id": "meeting", "icon": "📅", "message": "In a meeting", "clearAt": {"type": "period", "time": 3600}},
    {"id": "commuting", "icon": "🚌", "message": "Commuting", "clearAt": {"type": "period", "time": 1800}},
    {"id": "remote-work", "icon": "🏡", "message": "Working remotely", "clearAt": {"type": "end-of", "time": "day"}},
    {"id": "sick-leave", "icon": "🤒", "message": "Out sick", "clearAt": {"type": "end-of", "time": "day"}},
    {"id": "vacationing", "icon": "🌴", "message": "Vacationing", "clearAt": None},
    {"id": "call", "icon": "💬", "message": "In a call", "clearAt": None, "visible": False},
    {"id": "out-of-office", "icon": "🛑", "message": "Out of office", "clearAt": None, "visible": False},
]
_BY_ID = {status["id"]: status for status in PREDEFINED}


def offered() -> list[dict[str, Any]]:
    """``GET predefined_statuses``: the ones users may pick."""
    return [status for status in PREDEFINED if status.get("visible", True)]


def get(message_id: str) -> dict[str, Any] | None:
    return _BY_ID.get(message_id)


# Code points that may join or modify an emoji inside one grapheme: zero-width joiner, variation
# selectors, the combining keycap, skin tones and tag characters (subdivision flags).
_JOINERS = {0x200D, 0xFE0E, 0xFE0F, 0x20E3}


def _modifier(code: int) -> bool:
    return code in _JOINERS or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F


def _pictographic(char: str) -> bool:
    code = ord(char)
    if 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x2300 <= code <= 0x23FF:
        return True
    if 0x2B00 <= code <= 0x2BFF or 0x2190 <= code <= 0x21FF or code in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122):
        return True
    return unicodedata.category(char) == "So"


def is_emoji(icon: str) -> bool:
    """Nextcloud's EmojiService: one emoji (which may be a sequence: a family, a flag, a keycap),
    nothing else. Checked by code point classes, without a grapheme library."""
    if not icon or len(icon) > 16:
        return False
    codes = [ord(char) for char in icon]
    if all(0x1F1E6 <= code <= 0x1F1FF for code in codes):
        return len(codes) == 2  # a flag: two regional indicators
    if len(codes) >= 2 and codes[-1] == 0x20E3:
        return icon[0] in "0123456789#*"  # a keycap
    pictographs = [char for char in icon if not _modifier(ord(char))]
    if not pictographs or not all(_pictographic(char) for char in pictographs):
        return False
    # Several pictographs form one emoji only when zero-width joiners bind them.
    return len(pictographs) == 1 or icon.count("\u200d") >= len(pictographs) - 1

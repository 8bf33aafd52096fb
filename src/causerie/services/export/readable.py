"""A conversation's history for people to read: Markdown and a standalone HTML page.

Messages are worded as Talk words them for someone outside the conversation (system messages in
the third person, "{actor} added {user}"), placeholders filled with names (``@Name`` for
mentions), replies with the start of the message they answer, reactions counted. Notices that
only update another message (reactions, edits, deletions) are left out: their effect is shown
on the message itself. Everything that comes from users is escaped: no text of a message can
become markup in either format.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Sequence
from typing import Any

from causerie.services.chat import format as chat_format
from causerie.services.export import document
from causerie.services.rooms.rooms import Room
from causerie.storage.db import Conn

_BATCH = 500
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_-]+)\}")
# Emphasis, code, links and images (their "[" escaped), headings, tables, strike-through; "<", ">"
# and "&" become entities instead, which also keeps raw HTML out.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
MEDIA_TYPES = {
    "json": "application/json",
    "markdown": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
EXTENSIONS = {"json": "json", "markdown": "md", "html": "html"}


async def rendered(conn: Conn, room: Room, base_url: str = "") -> list[dict[str, Any]]:
    """The visible messages as Talk renders them for no one in particular, oldest first."""
    rows = await document.messages_of(conn, room)
    ref = chat_format.RoomRef.of(room)
    found: list[dict[str, Any]] = []
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        found += await chat_format.render(conn, ref, None, batch, with_self_reactions=False, base_url=base_url)
    return [m for m in found if m["systemMessage"] not in chat_format.SILENT_SYSTEM]


def filled(message: dict[str, Any]) -> str:
    """The message's text with its placeholders replaced by the names they stand for."""
    params = message.get("messageParameters") or {}

    def name(match: re.Match[str]) -> str:
        value = params.get(match.group(1)) if isinstance(params, dict) else None
        if not isinstance(value, dict):
            return match.group(0)
        shown = str(value.get("name", ""))
        return "@" + shown if match.group(1).startswith("mention-") else shown

    return _PLACEHOLDER.sub(name, str(message["message"]))


def _when(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _author(message: dict[str, Any]) -> str:
    name = str(message.get("actorDisplayName") or message.get("actorId") or "")
    if message.get("actorType") in ("guests", "emails"):
        return chat_format.guest_name(name)
    return name


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _reactions(message: dict[str, Any]) -> str:
    return "  ".join(f"{emoji} {count}" for emoji, count in (message.get("reactions") or {}).items())


def _md(text: str) -> str:
    """Text that Markdown shows as it is: markup characters escaped, HTML made inert."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown(room: Room, messages: Sequence[dict[str, Any]]) -> str:
    lines = [f"# {_md(room.name or room.token)}", "", f"{len(messages)} messages", ""]
    for message in messages:
        when = _when(int(message["timestamp"]))
        text = filled(message)
        if message["messageType"] == "system":
            lines += [f"*{_md(text)}* · {when}", ""]
            continue
        lines.append(f"**{_md(_author(message))}** · {when}")
        parent = message.get("parent")
        if isinstance(parent, dict):
            quoted = "(deleted)" if parent.get("deleted") and "message" not in parent else _excerpt(filled(parent))
            lines.append(f"> {_md(_author(parent)) if 'actorId' in parent else ''}: {_md(quoted)}")
            lines.append("")
        lines += [_md(line) for line in text.split("\n")]
        if message.get("reactions"):
            lines += ["", _reactions(message)]
        lines.append("")
    return "\n".join(lines)


_STYLE = (
    "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}"
    ".m{margin:0 0 1rem}.who{font-weight:bold}.when{color:#777;font-size:.85em;margin-left:.5em}"
    ".sys{color:#555;font-style:italic}.reply{border-left:3px solid #ccc;padding-left:.5em;color:#555}"
    ".text{white-space:pre-wrap}.reactions{color:#555}"
)


def page(room: Room, messages: Sequence[dict[str, Any]]) -> str:
    esc = html.escape
    title = esc(room.name or room.token)
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{title}</h1><p>{len(messages)} messages</p>",
    ]
    for message in messages:
        when = f'<span class="when">{esc(_when(int(message["timestamp"])))}</span>'
        text = esc(filled(message))
        if message["messageType"] == "system":
            parts.append(f'<p class="m sys">{text}{when}</p>')
            continue
        parts.append(f'<div class="m" id="message_{int(message["id"])}">')
        parts.append(f'<div><span class="who">{esc(_author(message))}</span>{when}</div>')
        parent = message.get("parent")
        if isinstance(parent, dict):
            quoted = "(deleted)" if parent.get("deleted") and "message" not in parent else _excerpt(filled(parent))
            who = esc(_author(parent)) if "actorId" in parent else ""
            parts.append(f'<div class="reply">{who}: {esc(quoted)}</div>')
        parts.append(f'<div class="text">{text}</div>')
        if message.get("reactions"):
            parts.append(f'<div class="reactions">{esc(_reactions(message))}</div>')
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts)

"""One conversation exported in a chosen format: what a download is called and holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from causerie.services.errors import BadRequest
from causerie.services.export import document, readable
from causerie.services.rooms.rooms import Room
from causerie.storage.db import Conn

KINDS = ("json", "markdown", "html")


@dataclass(frozen=True)
class Export:
    filename: str
    mimetype: str
    # The JSON document itself for ``json``, the text otherwise.
    content: Any

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return json.dumps(self.content, ensure_ascii=False, indent=1) + "\n"


async def export(conn: Conn, room: Room, kind: str, base_url: str = "") -> Export:
    if kind not in KINDS:
        raise BadRequest("format", f"The format must be one of {', '.join(KINDS)}")
    filename = f"conversation-{room.token}.{readable.EXTENSIONS[kind]}"
    if kind == "json":
        content: Any = await document.export(conn, room)
    else:
        messages = await readable.rendered(conn, room, base_url)
        content = readable.markdown(room, messages) if kind == "markdown" else readable.page(room, messages)
    return Export(filename, readable.MEDIA_TYPES[kind], content)

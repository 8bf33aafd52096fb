"""Reading a room's chat: pages of messages as every poll of the same question shares them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from causerie.services.chat import format as chat_format
from causerie.services.rooms.rooms import Room
from causerie.storage.chat import messages as store
from causerie.storage.db import Conn, Database
from causerie.storage.rooms import participants as participant_store

# A row and its presented message, apart from their text.
ROW_BYTES = 2048
# Text is held twice: in the rows (the presented messages share their strings) and in the encoded
# body of the envelope clients ask for.
TEXT_COPIES = 2


@dataclass(frozen=True)
class Page:
    """What one read of the chat found, shared by every poll that asked the same question."""

    rows: list[Any]
    prepared: chat_format.Prepared
    common_read: int
    # For a batch every viewer sees alike: presented once, and encoded once per envelope (the
    # HTTP layer keeps its encodings in ``bodies``).
    shared: list[dict[str, Any]] | None = None
    bodies: dict[Any, bytes | str] = field(default_factory=dict)
    # What keeping the page costs, estimated (events.single_flight bounds the pages kept by it).
    nbytes: int = 0

    @property
    def last_given(self) -> int:
        """The last row fetched, even if it is not shown (expired): the client's next offset."""
        return int(self.rows[-1].id)


def page_bytes(page: Page | None) -> int:
    return 0 if page is None else page.nbytes


async def read_page(
    db: Database, room: Room, last_known: int, limit: int, *, newer: bool, include: bool
) -> Page | None:
    """Up to ``limit`` messages after (``newer``) or before ``last_known``; None when there are none."""
    ref = chat_format.RoomRef.of(room)
    async with db.read() as conn:
        if newer:
            rows = await store.newer(conn, room.id, last_known, limit, include=include)
        else:
            rows = await store.older(conn, room.id, last_known, limit, include=include)
        if not rows:
            return None
        prepared = await chat_format.prepare(conn, ref, rows)
        common_read = await participant_store.min_last_read(conn, room.id)
    shared = chat_format.present(prepared, None, {}) if chat_format.same_for_everyone(prepared) else None
    nbytes = len(rows) * ROW_BYTES + TEXT_COPIES * chat_format.text_chars(prepared)
    return Page(list(rows), prepared, common_read, shared, nbytes=nbytes)


async def common_read(conn: Conn, room: Room) -> int:
    """The newest message every participant who shares their read marker has read."""
    return await participant_store.min_last_read(conn, room.id)


async def render(conn: Conn, room: Room, viewer_actor: Any, message_id: int) -> dict[str, Any]:
    """One message of the room as ``viewer_actor`` sees it."""
    row = await store.get(conn, room.id, message_id)
    ref = chat_format.RoomRef.of(room)
    return await chat_format.render_one(conn, ref, viewer_actor, row)


# ``chat/{token}/{messageId}/context``: Talk clamps the limit to at most 100 (and reads at least
# one message before).
CONTEXT_LIMIT_DEFAULT = 50
CONTEXT_LIMIT_MAX = 100


def clamp_context_limit(value: int) -> int:
    return min(max(value, 0), CONTEXT_LIMIT_MAX)


async def read_context(db: Database, room: Room, message_id: int, limit: int) -> Page | None:
    """The newest ``max(1, limit)`` messages up to ``message_id`` (itself included) and the oldest
    ``limit`` after it, oldest first, as Talk's ``getMessageContext`` reads them; None when there
    are none. ``last_given`` is the newest row read, shown or not."""
    ref = chat_format.RoomRef.of(room)
    async with db.read() as conn:
        before = await store.older(conn, room.id, message_id, max(1, limit), include=True)
        after = await store.newer(conn, room.id, message_id, limit) if limit > 0 else []
        rows = [*reversed(before), *after]
        if not rows:
            return None
        prepared = await chat_format.prepare(conn, ref, rows)
        common_read = await participant_store.min_last_read(conn, room.id)
    return Page(rows, prepared, common_read)

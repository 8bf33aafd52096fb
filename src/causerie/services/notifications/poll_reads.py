"""The writes of chat long-polls, grouped: the read marker a re-poll moves forward and the chat
notifications that reading dismisses.

When one message wakes hundreds of long-polls, each client polls again at once and each re-poll
moves its read marker. One transaction per re-poll costs about a millisecond of server CPU on
PostgreSQL (pool checkout, BEGIN, COMMIT) and holds a pool connection, so that the re-polls of a
busy room starve the sends. Here the moves that arrive while a transaction is being written wait
for the next one, and every move of a batch shares it (group commit). Nobody's poll goes on
before its move is committed, so what it answers next is as before.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from causerie.events.broker import Broker
from causerie.services.chat import messages as chat
from causerie.services.jobs import queue as jobs
from causerie.services.notifications import dismissal
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.storage.db import Conn, Database


@dataclass(frozen=True)
class PollRead:
    """What one poll writes: its read marker moved to ``move_to`` (0: not moved) and, when the
    poll looked at a chat with unread notifications (``viewed``), those notifications dismissed."""

    room: Room
    participant: Participant
    move_to: int
    viewed: bool


async def _write(conn: Conn, read: PollRead) -> bool:
    """True when pushes were enqueued."""
    pushed = False
    if read.move_to and await chat.move_read_marker_forward(conn, read.participant, read.move_to):
        pushed = await dismissal.read_up_to(conn, read.room, read.participant, read.move_to)
    if read.viewed:
        pushed = await dismissal.chat_viewed(conn, read.room, read.participant) or pushed
    return pushed


class PollReads:
    """One per process: ``await reads.apply(read)`` returns once ``read`` is committed."""

    def __init__(self, db: Database, broker: Broker) -> None:
        self._db = db
        self._broker = broker
        self._pending: list[tuple[PollRead, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def apply(self, read: PollRead) -> None:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((read, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_pending())
        # Shielded: a poll whose client hangs up still has its marker written with the others.
        await asyncio.shield(future)

    async def _write_pending(self) -> None:
        try:
            await asyncio.sleep(0)  # the re-polls of the same wake-up join this batch
            while self._pending:
                batch, self._pending = self._pending, []
                await self._write_batch(batch)
        finally:
            self._writer = None

    async def _write_batch(self, batch: list[tuple[PollRead, asyncio.Future[None]]]) -> None:
        try:
            async with self._db.write() as conn:
                pushed = [await _write(conn, read) for read, _ in batch]
        except Exception:
            # One failing move must not fail the others: each is written again on its own.
            await self._write_each(batch)
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)
        if any(pushed):
            await jobs.wake(self._broker)

    async def _write_each(self, batch: list[tuple[PollRead, asyncio.Future[None]]]) -> None:
        pushed = False
        for read, future in batch:
            try:
                async with self._db.write() as conn:
                    pushed = await _write(conn, read) or pushed
            except Exception as error:
                if not future.done():
                    future.set_exception(error)
            else:
                if not future.done():
                    future.set_result(None)
        if pushed:
            await jobs.wake(self._broker)

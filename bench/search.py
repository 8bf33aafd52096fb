"""Message search on a large history: a user's unified search (``talk-message``) over 1,000,000
comments, against a bare full-text query on the same index in the same run, on SQLite and on
PostgreSQL (a database of its own, dropped afterwards).

The history is seeded through the storage layer in bulk (``storage.chat.messages.insert_many``),
so the triggers of migration 0003 index it as they index sent messages. Words follow a Zipf
distribution over a made-up vocabulary; the searches take words as a reader meets them (drawn
from the same distribution, so frequent words are searched more often), and separately the most
frequent word of all, which is in most messages.

    python -m bench.search [--messages 1000000] [--rooms 1000] [--member-every 20] [--queries 200]
                           [--engines sqlite,postgresql] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.procs import machine_facts
from bench.results import percentile, table, write_section
from causerie.services.accounts.users import User
from causerie.services.search import messages as search
from causerie.storage.chat import messages as message_store
from causerie.storage.db import Database
from causerie.storage.migrate import upgrade
from causerie.storage.rooms import participants as attendee_store
from causerie.storage.rooms import rooms as room_store

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
VOCABULARY = 30_000
WORDS_PER_MESSAGE = (4, 16)
BATCH = 10_000
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
USER = User("alice", "Alice Adams")


def vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda _w: rng.random())


class Words:
    """Words drawn with Zipf weights (rank r with weight 1/r)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary(rng)
        self.cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(self.words) + 1)))

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=k)


@asynccontextmanager
async def database(engine: str, workdir: Path) -> AsyncIterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{workdir / 'search.db'}"
        return
    import asyncpg

    name = f"causerie_bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
        finally:
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await admin.close()


async def seed(db: Database, words: Words, args: argparse.Namespace) -> tuple[list[int], float]:
    """Rooms (the user in every ``member_every``-th), then the messages; the user's rooms and the
    seconds the messages took."""
    now = int(time.time())
    room_ids: list[int] = []
    mine: list[int] = []
    async with db.write() as conn:
        for n in range(args.rooms):
            room_id = await room_store.insert(conn, token=f"r{n:07d}", type=2, name=f"Room {n}", created_at=now)
            room_ids.append(room_id)
            if n % args.member_every == 0:
                mine.append(room_id)
                await attendee_store.insert_attendee(
                    conn, room_id=room_id, actor_type="users", actor_id=USER.uid, display_name=USER.display_name,
                    participant_type=3,
                )  # fmt: skip
    rng = words.rng
    started = time.perf_counter()
    for first in range(0, args.messages, BATCH):
        count = min(BATCH, args.messages - first)
        rows: list[dict[str, Any]] = []
        for n in range(count):
            text_words = words.draw(rng.randint(*WORDS_PER_MESSAGE))
            rows.append(
                {
                    "room_id": rng.choice(room_ids), "actor_type": "users", "actor_id": "bob",
                    "actor_display_name": "Bob Brown", "message_type": "comment", "system_message": "",
                    "message": " ".join(text_words), "parameters": {}, "reference_id": "", "silent": False,
                    "created_at": now - args.messages + first + n,
                }
            )  # fmt: skip
        async with db.write() as conn:
            await message_store.insert_many(conn, rows)
    seconds = time.perf_counter() - started
    if db.is_sqlite:
        async with db.write() as conn:
            await conn.execute(text("INSERT INTO message_search(message_search) VALUES ('optimize')"))
    else:
        async with db.write() as conn:
            await conn.execute(text("ANALYZE"))
    return mine, seconds


def _bare(db: Database) -> Any:
    """The baseline: the engine's own full-text query with its ranking, first page, over the whole
    index (no rooms, no join, no rendering)."""
    if db.is_sqlite:
        return text("SELECT rowid FROM message_search WHERE message_search MATCH :q ORDER BY rank LIMIT 5")
    return text(
        "SELECT message_id FROM message_search, to_tsquery('simple', :q) q WHERE document @@ q "
        "ORDER BY ts_rank(document, q) DESC LIMIT 5"
    )


async def measure(db: Database, terms: Sequence[str]) -> tuple[dict[str, list[float]], int]:
    """Milliseconds per term: the user's search (rooms, index, rendering) and the bare query; and
    how many entries the searches found."""
    bare = _bare(db)
    timings: dict[str, list[float]] = {"search": [], "bare": []}
    found = 0
    for term in terms:
        query = search.Query(search.ALL, term, 5, 0, None, "https://cloud.example.com")
        started = time.perf_counter()
        async with db.read() as conn:
            result = await search.search(conn, USER, query)
        timings["search"].append((time.perf_counter() - started) * 1000)
        found += len(result["entries"])
        index = "sqlite" if db.is_sqlite else "postgresql"
        q = search.index.Fts5Index().query([term]) if index == "sqlite" else search.index.PostgresIndex().query([term])
        started = time.perf_counter()
        async with db.read() as conn:
            (await conn.execute(bare, {"q": q})).all()
        timings["bare"].append((time.perf_counter() - started) * 1000)
    return timings, found


def _row(engine: str, kind: str, name: str, values: list[float], base: list[float]) -> list[object]:
    p50, p99, base50 = percentile(values, 50), percentile(values, 99), percentile(base, 50)
    return [engine, kind, name, len(values), f"{p50:.2f}", f"{p99:.2f}", f"{p50 / base50:.2f}x"]


async def run_engine(engine: str, args: argparse.Namespace, workdir: Path) -> tuple[list[list[object]], str]:
    words = Words(random.Random(7))
    async with database(engine, workdir) as url:
        db = Database(url)
        try:
            await upgrade(db)
            _, seconds = await seed(db, words, args)
            typical = words.draw(args.queries)
            common = [words.words[0]] * max(args.queries // 10, 5)
            # Warm the caches as a running server's are.
            await measure(db, typical[: len(typical) // 4])
            rows = []
            for kind, terms in (("typical word", typical), ("most frequent word", common)):
                timings, found = await measure(db, terms)
                assert found, "the searches found nothing: the index is not in step"
                rows.append(_row(engine, kind, "bare full-text query", timings["bare"], timings["bare"]))
                rows.append(_row(engine, kind, "talk-message search", timings["search"], timings["bare"]))
        finally:
            await db.dispose()
    seeded = f"{engine}: {args.messages:,} messages seeded in {seconds:.0f} s ({args.messages / seconds:,.0f}/s)"
    return rows, seeded


async def main_async(args: argparse.Namespace) -> None:
    facts = machine_facts()
    rows: list[list[object]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="causerie-search-") as tmp:
        for engine in args.engines.split(","):
            engine_rows, seeded = await run_engine(engine, args, Path(tmp))
            rows.extend(engine_rows)
            notes.append(seeded)
            print(seeded, flush=True)
    body = (
        f"{args.messages:,} comments of 4-16 words (Zipf over {VOCABULARY:,} made-up words) in {args.rooms:,} "
        f"conversations; the user is in every {args.member_every}th ({args.rooms // args.member_every}), so about "
        f"{args.messages // args.member_every:,} messages are theirs to search. Each search is the first page "
        "(5 results) of `talk-message` as the endpoint runs it (the user's conversations, the index query ranking the "
        "newest 50 matches, the entries); the baseline is the engine's bare ranked full-text query for the first page "
        "over the whole index, in the same run. Typical words are drawn with the vocabulary's own frequencies.\n\n"
        + table(["engine", "term", "query", "runs", "p50 ms", "p99 ms", "p50 vs bare"], rows)
        + "\n\n"
        + "\n".join(f"- {note}" for note in notes)
        + "\n\nGoal: p50 < 20 ms for the search on 1,000,000 messages."
    )
    command = "python -m bench.search" + ("" if args.messages == 1_000_000 else f" --messages {args.messages}")
    if args.engines != "sqlite,postgresql":
        command += f" --engines {args.engines}"
    print(body)
    if not args.no_write:
        engines = args.engines.split(",")
        name = "search" if len(engines) > 1 else f"search-{engines[0]}"
        title = " and ".join({"sqlite": "SQLite", "postgresql": "PostgreSQL"}[e] for e in engines)
        write_section(name, f"Message search on {args.messages:,} messages ({title})", command, facts, body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--member-every", type=int, default=20)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--no-write", action="store_true")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()

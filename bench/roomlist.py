"""The room list at scale: one user in 500 and in 2,000 conversations, and one user in a single
conversation with a million unread messages, on SQLite or PostgreSQL.

Each list is fetched with ``GET /ocs/v2.php/apps/spreed/api/v4/room`` (as the apps do on every
start and every 30 s) through the load generator; the baseline is one bare SQL query over the same
facts (the user's rooms with their attendee row), run in the benchmark process with a plain driver
in the same run. Data is bulk-loaded through the storage tables before the server starts.

    .venv/bin/python -m bench.roomlist                                 # SQLite, 500 and 2,000 rooms, 1M unread
    .venv/bin/python -m bench.roomlist --database postgresql
    .venv/bin/python -m bench.roomlist --rooms 20 --unread 1000 --requests 3 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import uvloop
from sqlalchemy import select, text, update
from sqlalchemy.sql import func

from bench.http import Connection
from bench.procs import causerie_server, machine_facts, postgres_database, seed_users, user_target
from bench.results import median, percentile, table, write_section

ROOM_LIST = "/ocs/v2.php/apps/spreed/api/v4/room?format=json"
MESSAGES_PER_ROOM = 5
# Who is in what: dave in the first ``small`` rooms, carol in all ``large``, bob only in the big one.
SMALL_USER, LARGE_USER, UNREAD_USER = "dave", "carol", "bob"


async def seed_rooms(database_url: str, small: int, large: int, unread: int) -> None:
    from causerie.storage.db import Database
    from causerie.storage.tables.chat import messages
    from causerie.storage.tables.rooms import attendees, rooms

    await seed_users(database_url)
    now = int(time.time())
    db = Database(database_url)
    try:
        async with db.write() as conn:
            await conn.execute(
                rooms.insert(),
                [{"token": f"bench{i:06d}", "type": 2, "name": f"Room {i}", "created_at": now} for i in range(large)]
                + [{"token": "benchbig", "type": 2, "name": "Big room", "created_at": now}],
            )
            ids = [row.id for row in await conn.execute(select(rooms.c.id).order_by(rooms.c.id))]
            big = ids[-1]

            def member(room_id: int, uid: str, participant_type: int = 3) -> dict[str, Any]:
                return {
                    "room_id": room_id,
                    "actor_type": "users",
                    "actor_id": uid,
                    "participant_type": participant_type,
                }

            members: list[dict[str, Any]] = []
            for n, room_id in enumerate(ids[:-1]):
                members += [member(room_id, "alice", 1), member(room_id, LARGE_USER)]
                if n < small:
                    members.append(member(room_id, SMALL_USER))
            members += [member(big, "alice", 1), member(big, UNREAD_USER)]
            await conn.execute(attendees.insert(), members)
            texts = [
                {
                    "room_id": room_id,
                    "actor_type": "users",
                    "actor_id": "alice",
                    "actor_display_name": "Alice",
                    "message_type": "comment",
                    "message": f"message {m} in room {room_id}",
                    "created_at": now,
                }
                for room_id in ids[:-1]
                for m in range(MESSAGES_PER_ROOM)
            ]
            await conn.execute(messages.insert(), texts)
            # Half of the rooms read to their end, the others with everything unread.
            newest = select(func.max(messages.c.id)).where(messages.c.room_id == rooms.c.id).scalar_subquery()
            await conn.execute(update(rooms).values(last_message_id=func.coalesce(newest, 0), last_activity=now))
        async with db.write() as conn:
            # A million rows in one statement: a recursive counter feeds the insert on both engines.
            await conn.execute(
                text(
                    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :count) "
                    "INSERT INTO messages (room_id, actor_type, actor_id, actor_display_name, message_type, "
                    "system_message, message, parameters, reference_id, silent, created_at) "
                    "SELECT :room, 'users', 'alice', 'Alice', 'comment', '', 'unread ' || x, '{}', '', false, :now "
                    "FROM n"
                ),
                {"count": unread, "room": big, "now": now},
            )
            newest_big = select(func.max(messages.c.id)).where(messages.c.room_id == big).scalar_subquery()
            await conn.execute(update(rooms).where(rooms.c.id == big).values(last_message_id=newest_big))
            read_to = select(rooms.c.last_message_id).where(rooms.c.id == attendees.c.room_id).scalar_subquery()
            await conn.execute(
                update(attendees)
                .where(attendees.c.room_id % 2 == 0, attendees.c.room_id != big)
                .values(last_read_message=read_to)
            )
    finally:
        await db.dispose()


def bare_query(database_url: str) -> Callable[[str], int]:
    """The baseline: the user's rooms with their attendee row, one statement through a plain driver."""
    sql = (
        "SELECT r.*, a.* FROM rooms r JOIN attendees a ON a.room_id = r.id "
        "WHERE a.actor_type = 'users' AND a.actor_id = {param} ORDER BY r.id"
    )
    if database_url.startswith("sqlite"):
        import sqlite3

        sqlite = sqlite3.connect(database_url.split("///", 1)[1])
        return lambda uid: len(sqlite.execute(sql.format(param="?"), (uid,)).fetchall())
    import psycopg2

    pg = psycopg2.connect(database_url)
    pg.autocommit = True

    def run(uid: str) -> int:
        with pg.cursor() as cur:
            cur.execute(sql.format(param="%s"), (uid,))
            return len(cur.fetchall())

    return run


def timed_baseline(query: Callable[[str], int], uid: str, requests: int) -> list[float]:
    query(uid)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        query(uid)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def timed_list(target: Any, requests: int) -> tuple[list[float], int, int]:
    conn = await Connection.open(target)
    try:
        first = await conn.request("GET", ROOM_LIST)
        assert first.status == 200, first
        listed = first.json()["ocs"]["data"]
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = await conn.request("GET", ROOM_LIST)
            times.append((response.done_at - started) * 1000)
        return times, len(listed), max((room["unreadMessages"] for room in listed), default=0)
    finally:
        await conn.close()


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        data = workdir / "causerie-data"
        data.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{data / 'causerie.db'}"
        return
    with postgres_database() as url:
        yield url


async def main_async(args: argparse.Namespace) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="causerie-bench-"))
    with database(args.database, workdir) as url:
        print(f"seeding {args.rooms * 4} rooms and {args.unread} unread messages", file=sys.stderr)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, seed_rooms(url, args.rooms, args.rooms * 4, args.unread)).result()
        bare = bare_query(url)
        rows = []
        with causerie_server(workdir, {"CAUSERIE_BRUTEFORCE_ENABLED": "0"}, database_url=url, seeded=True) as server:
            for uid, label in (
                (SMALL_USER, f"{args.rooms} rooms"),
                (LARGE_USER, f"{args.rooms * 4} rooms"),
                (UNREAD_USER, f"1 room, {args.unread:,} unread"),
            ):
                times, listed, unread = await timed_list(user_target(server, uid), args.requests)
                base = timed_baseline(bare, uid, args.requests)
                p50, base_p50 = median(times), median(base)
                ratio = f"{p50 / base_p50:.0f}x"
                rows.append(
                    [label, listed, unread, f"{p50:.2f}", f"{percentile(times, 90):.2f}", f"{base_p50:.3f}", ratio]
                )
    headers = ["list of", "rooms listed", "largest unread shown", "p50 ms", "p90 ms", "bare query p50 ms", "ratio"]
    return (
        f"{args.database}: `GET /room` as the apps send it, {args.requests} requests after one warm-up, one"
        f" keep-alive connection; {MESSAGES_PER_ROOM} messages per room, half of the rooms unread. Bare query:"
        " the user's rooms joined with their attendee rows through a plain driver (sqlite3 / psycopg2).\n\n"
        + table(headers, rows)
        + "\n\nGoals: < 30 ms at 500 rooms, < 100 ms at 2,000, < 5 ms for the room with a million unread."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rooms", type=int, default=500, help="the small list; the large one has 4 times as many")
    parser.add_argument("--unread", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = uvloop.run(main_async(args))
    command = ("python -m bench.roomlist " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        title = f"Room list at scale ({'SQLite' if args.database == 'sqlite' else 'PostgreSQL'})"
        print(write_section(f"roomlist-{args.database}", title, command, facts, body))


if __name__ == "__main__":
    main()

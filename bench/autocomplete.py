"""People search at 100,000 users: ``core/autocomplete/get`` over HTTP against, in the same run and
on the same SQLite file, the bare SQL of a naive search (``LIKE '%term%'`` on lower-cased columns,
a scan of every row, as Nextcloud's own user search does) and the bare SQL of the indexed prefix
range Causerie uses; plus an authenticated OCS request that reads one row (``cloud/user``) as the
floor of any HTTP answer.

    .venv/bin/python -m bench.autocomplete                # 100,000 users, 200 rounds per search
    .venv/bin/python -m bench.autocomplete --database postgresql
    .venv/bin/python -m bench.autocomplete --users 20000 --rounds 30 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.procs import causerie_server, machine_facts, password_of, postgres_database, seed_users
from bench.results import median, percentile, table, write_section

HEADERS = {"OCS-APIRequest": "true", "Accept": "application/json"}
FIRST = [
    "Adam",
    "Alice",
    "Amir",
    "Anna",
    "Ben",
    "Bruno",
    "Carla",
    "Chen",
    "Clara",
    "Daniel",
    "Diego",
    "Elena",
    "Emil",
    "Eva",
    "Farah",
    "Felix",
    "Greta",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jana",
    "Jonas",
    "Julia",
    "Karim",
    "Kira",
    "Lars",
    "Lea",
    "Luca",
    "Maria",
    "Marek",
    "Martin",
    "Mia",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Paula",
    "Pedro",
    "Rosa",
    "Sami",
    "Sara",
    "Tomas",
    "Uma",
    "Vera",
    "Viktor",
    "Wen",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Abbott",
    "Berger",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hoffmann",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lambert",
    "Meyer",
    "Novak",
    "Olsen",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Urban",
    "Vogel",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
]


def _people(count: int) -> list[tuple[str, str, str, int, str, str]]:
    rng = random.Random(7)
    rows = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        uid = f"{first.lower()}.{last.lower()}{i}"
        name = f"{first} {last}"
        rows.append((uid, name, "-", 0, uid.lower(), name.lower()))
    return rows


INSERT = "INSERT INTO users (uid, display_name, password_hash, created_at, uid_lower, name_lower) VALUES "


@contextmanager
def _database(kind: str, workdir: Path, count: int) -> Iterator[tuple[str, Any, str]]:
    """A database seeded with the bench users and ``count`` people written straight into the table
    (hashing a password each would take hours); yields its URL, a connection for the bare SQL and
    the id of one person, for the exact search."""
    rows = _people(count)
    if kind == "sqlite":
        data = workdir / "causerie-data"
        data.mkdir(parents=True)
        url = f"sqlite:///{data / 'causerie.db'}"
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, seed_users(url)).result()
        with sqlite3.connect(data / "causerie.db") as db:
            db.executemany(INSERT + "(?, ?, ?, ?, ?, ?)", rows)
            db.execute("ANALYZE")
        bare = sqlite3.connect(f"file:{data / 'causerie.db'}?mode=ro", uri=True)
        try:
            yield url, bare, rows[count // 2][0]
        finally:
            bare.close()
        return
    import psycopg2
    from psycopg2.extras import execute_values

    with postgres_database() as url:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, seed_users(url)).result()
        bare = psycopg2.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        bare.autocommit = True
        try:
            with bare.cursor() as cur:
                execute_values(cur, INSERT + "%s", rows, page_size=5000)
                cur.execute("ANALYZE users")
            yield url, bare, rows[count // 2][0]
        finally:
            bare.close()


def _query(kind: str, bare: Any, sql: str, params: tuple[str, ...]) -> list[Any]:
    if kind == "sqlite":
        return list(bare.execute(sql, params).fetchall())
    with bare.cursor() as cur:
        cur.execute(sql.replace("?", "%s"), params)
        return list(cur.fetchall())


def _timed(rounds: int, work: Callable[[], object]) -> list[float]:
    work()  # warm
    spent = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


SEARCHES = [
    ("one letter, thousands start with it", "m"),
    ("three letters", "mar"),
    ("a whole user id", ""),
    ("inside names only (substring)", "rtin"),
    ("nothing matches", "qqxz"),
]
SCAN_SQL = (
    "SELECT uid, display_name, email FROM users WHERE lower(uid) LIKE ? OR lower(display_name) LIKE ?"
    " ORDER BY display_name LIMIT 10"
)
# The range Causerie's prefix step runs, bare: bytewise on SQLite, text_pattern_ops on PostgreSQL.
RANGE_SQL = {
    "sqlite": "SELECT uid, display_name, email FROM users WHERE name_lower >= ? AND name_lower < ?"
    " ORDER BY name_lower, uid LIMIT 10",
    "postgresql": "SELECT uid, display_name, email FROM users WHERE name_lower ~>=~ ? AND name_lower ~<~ ?"
    " ORDER BY name_lower, uid LIMIT 10",
}


def run(kind: str, users: int, rounds: int) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="causerie-bench-people-"))
    rows = []
    with (
        _database(kind, workdir, users) as (url, bare, exact),
        causerie_server(workdir, database_url=url, seeded=True) as server,
    ):
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{server.port}",
            auth=("alice", password_of("alice")),
            headers=HEADERS,
            timeout=60,
        )
        floor = _timed(rounds, lambda: client.get("/ocs/v2.php/cloud/user").raise_for_status())
        rows.append(
            ["`cloud/user` (HTTP floor)", "", f"{median(floor):.2f}", f"{percentile(floor, 99):.2f}", "", "", ""]
        )
        for label, term in SEARCHES:
            term = term or exact
            params = {"search": term, "itemType": "call", "itemId": "new", "shareTypes[]": "0", "limit": "10"}
            found = len(client.get("/ocs/v2.php/core/autocomplete/get", params=params).json()["ocs"]["data"])
            http = _timed(rounds, lambda p=params: client.get("/ocs/v2.php/core/autocomplete/get", params=p))
            pattern = f"%{term}%"
            scan = _timed(rounds, lambda p=pattern: _query(kind, bare, SCAN_SQL, (p, p)))
            end = term[:-1] + chr(ord(term[-1]) + 1)
            ranged = _timed(rounds, lambda t=term, e=end: _query(kind, bare, RANGE_SQL[kind], (t, e)))
            rows.append(
                [
                    f"{label}: `{term}`",
                    found,
                    f"{median(http):.2f}",
                    f"{percentile(http, 99):.2f}",
                    f"{median(ranged):.2f}",
                    f"{median(scan):.2f}",
                    f"{median(http) / median(scan):.2f}x",
                ]
            )
        client.close()
    headers = [
        "search",
        "results",
        "Causerie HTTP p50 ms",
        "p99 ms",
        "bare indexed prefix SQL p50 ms",
        "bare LIKE-scan SQL p50 ms",
        "Causerie vs scan",
    ]
    return (
        f"{users} users, {ENGINES[kind]}; {rounds} sequential requests per search on one keep-alive connection "
        "(`itemType=call&itemId=new&shareTypes[]=0&limit=10`); the bare SQL runs in the benchmark process "
        "on the same database. Exact and prefix matches walk the lower-cased columns' indexes and stop after "
        "the page; when they leave it unfilled, the substring step scans the table (the last three rows), "
        "which is what the LIKE baseline does for every search.\n\n" + table(headers, rows)
    )


ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=sorted(ENGINES), default="sqlite")
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = run(args.database, args.users, args.rounds)
    command = ("python -m bench.autocomplete " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        name = "autocomplete" if args.database == "sqlite" else f"autocomplete-{args.database}"
        title = f"People search at {args.users:,} users ({ENGINES[args.database]})"
        print(write_section(name, title, command, facts, body))


if __name__ == "__main__":
    main()

"""People search at 100,000 users: ``core/autocomplete/get`` over HTTP against, in the same run and
on the same SQLite file, the bare SQL of a naive search (``LIKE '%term%'`` on lower-cased columns,
a scan of every row, as Nextcloud's own user search does) and the bare SQL of the indexed prefix
range Causerie uses; plus an authenticated OCS request that reads one row (``cloud/user``) as the
floor of any HTTP answer.

    .venv/bin/python -m bench.autocomplete                # 100,000 users, 200 rounds per search
    .venv/bin/python -m bench.autocomplete --users 20000 --rounds 30 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.procs import Server, free_port, machine_facts, password_of, seed_users
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


def _populate(path: Path, count: int) -> str:
    """``count`` users written straight into the table (hashing a password each would take hours);
    returns the id of one of them, for the exact search."""
    rng = random.Random(7)
    rows = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        uid = f"{first.lower()}.{last.lower()}{i}"
        name = f"{first} {last}"
        rows.append((uid, name, "-", 0, uid.lower(), name.lower()))
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO users (uid, display_name, password_hash, created_at, uid_lower, name_lower)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute("ANALYZE")
    return rows[count // 2][0]


def _timed(rounds: int, work: Callable[[], object]) -> list[float]:
    work()  # warm
    spent = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def run(users: int, rounds: int) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="causerie-bench-people-"))
    data = workdir / "data"
    data.mkdir()
    db_path = data / "causerie.db"
    database_url = f"sqlite:///{db_path}"
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, seed_users(database_url)).result()
    exact = _populate(db_path, users)
    port = free_port()
    env = {"CAUSERIE_DATA_DIR": str(data), "CAUSERIE_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}

    argv = [sys.executable, "-m", "causerie", "serve", "--port", str(port), "--log-level", "warning"]
    searches = [
        ("one letter, thousands start with it", "m"),
        ("three letters", "mar"),
        ("a whole user id", exact),
        ("inside names only (substring)", "rtin"),
        ("nothing matches", "qqxz"),
    ]
    rows = []
    bare = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    scan_sql = (
        "SELECT uid, display_name, email FROM users WHERE lower(uid) LIKE ? OR lower(display_name) LIKE ?"
        " ORDER BY display_name LIMIT 10"
    )
    range_sql = (
        "SELECT uid, display_name, email FROM users WHERE name_lower >= ? AND name_lower < ?"
        " ORDER BY name_lower, uid LIMIT 10"
    )
    with Server("Causerie", argv, {**os.environ, **env}, port, workdir / "causerie.log"):
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", auth=("alice", password_of("alice")), headers=HEADERS, timeout=60
        )
        floor = _timed(rounds, lambda: client.get("/ocs/v2.php/cloud/user").raise_for_status())
        rows.append(
            ["`cloud/user` (HTTP floor)", "", f"{median(floor):.2f}", f"{percentile(floor, 99):.2f}", "", "", ""]
        )
        for label, term in searches:
            params = {"search": term, "itemType": "call", "itemId": "new", "shareTypes[]": "0", "limit": "10"}
            answer = client.get("/ocs/v2.php/core/autocomplete/get", params=params)
            found = len(answer.json()["ocs"]["data"])
            http = _timed(rounds, lambda p=params: client.get("/ocs/v2.php/core/autocomplete/get", params=p))
            pattern = f"%{term}%"
            scan = _timed(rounds, lambda p=pattern: bare.execute(scan_sql, (p, p)).fetchall())
            end = term[:-1] + chr(ord(term[-1]) + 1)
            ranged = _timed(rounds, lambda t=term, e=end: bare.execute(range_sql, (t, e)).fetchall())
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
    bare.close()
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
        f"{users} users, SQLite; {rounds} sequential requests per search on one keep-alive connection "
        "(`itemType=call&itemId=new&shareTypes[]=0&limit=10`); the bare SQL runs in the benchmark process "
        "on the same file. Exact and prefix matches walk the lower-cased columns' indexes and stop after "
        "the page; when they leave it unfilled, the substring step scans the table (the last three rows), "
        "which is what the LIKE baseline does for every search.\n\n" + table(headers, rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = run(args.users, args.rounds)
    command = ("python -m bench.autocomplete " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        print(write_section("autocomplete", "People search at 100,000 users (SQLite)", command, facts, body))


if __name__ == "__main__":
    main()

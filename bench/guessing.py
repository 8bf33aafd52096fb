"""Chat while others guess passwords: the send latency of one chatting user, alone and while 50
clients send wrong Basic-auth passwords as fast as they are answered, in the same run.

Each guess makes the server verify an argon2 hash (about a tenth of a second of one to two cores).
The brute-force throttle is switched off for this run (CAUSERIE_BRUTEFORCE_ENABLED=0), as if every
guess came from an address the throttle had not seen before: what is measured is what bounds the
hashing itself, so that the chat keeps its speed.

    .venv/bin/python -m bench.guessing                    # 50 guessers, 10 s a phase, 3 rounds
    .venv/bin/python -m bench.guessing --guessers 5 --seconds 1 --rounds 1 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop

from bench.drivers import CauserieDriver
from bench.http import Connection, basic_auth
from bench.procs import Server, causerie_server, cpu_seconds, machine_facts, raise_fd_limit, wait_idle
from bench.results import median, percentile, table, write_section


async def chat(driver: CauserieDriver, seconds: float) -> list[float]:
    """Messages one after the other for ``seconds``; the latency of each."""
    conn = await Connection.open(driver.sender)
    try:
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await driver.send(conn, f"message {len(latencies)}")
            latencies.append((response.done_at - started) * 1000)
        return latencies
    finally:
        await conn.close()


async def guess(server: Server, number: int, stop: asyncio.Event, answers: dict[int, int]) -> None:
    # Each guesser from a loopback address of its own, as a crowd of attackers would come.
    conn = await Connection.open(server.target(), source_ip=f"127.0.1.{number + 1}")
    try:
        attempt = 0
        while not stop.is_set():
            attempt += 1
            headers = {"OCS-APIRequest": "true", **basic_auth("bob", f"guess-{number}-{attempt}")}
            response = await conn.request("GET", "/ocs/v2.php/cloud/user?format=json", headers=headers)
            answers[response.status] = answers.get(response.status, 0) + 1
    finally:
        await conn.close()


async def phase(driver: CauserieDriver, server: Server, guessers: int, seconds: float) -> dict[str, Any]:
    stop = asyncio.Event()
    answers: dict[int, int] = {}
    crowd = [asyncio.create_task(guess(server, n, stop, answers)) for n in range(guessers)]
    if crowd:
        await asyncio.sleep(1.0)  # the guessers are at full speed before the chat is measured
    answers.clear()
    cpu_before, started = cpu_seconds(server.pid), time.perf_counter()
    latencies = await chat(driver, seconds)
    elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(server.pid) - cpu_before
    guessed = dict(answers)
    stop.set()
    for task in crowd:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await task
    if crowd:
        await wait_idle(server.pid, quiet=1.0)  # the checks still queued are done before the next phase
    return {
        "guessers": guessers,
        "p50": median(latencies),
        "p99": percentile(latencies, 99),
        "sends": len(latencies),
        "guesses_per_s": sum(guessed.values()) / elapsed,
        "answers": guessed,
        "server_cpu_share": server_cpu / elapsed,
    }


def report(runs: list[dict[str, Any]], guessers: int, seconds: float, rounds: int) -> str:
    quiet = [r for r in runs if r["guessers"] == 0]
    loud = [r for r in runs if r["guessers"] > 0]
    base = median([r["p50"] for r in quiet])
    rows = []
    for name, group in (("alone", quiet), (f"{guessers} clients guessing", loud)):
        answers: dict[int, int] = {}
        for run in group:
            for status, count in run["answers"].items():
                answers[status] = answers.get(status, 0) + count
        p50 = median([r["p50"] for r in group])
        rows.append(
            [
                name,
                f"{p50:.2f}",
                f"{p50 / base:.2f}x",
                f"{median([r['p99'] for r in group]):.2f}",
                f"{median([r['sends'] for r in group]):.0f}",
                f"{median([r['guesses_per_s'] for r in group]):.1f}",
                ", ".join(f"{count} × {status}" for status, count in sorted(answers.items())) or "-",
                f"{median([r['server_cpu_share'] for r in group]):.0%}",
            ]
        )
    headers = [
        "chat while", "send p50 ms", "vs alone", "send p99 ms", "sends", "guesses/s answered", "guess answers",
        "server CPU",
    ]  # fmt: skip
    return (
        f"One user sends messages one after the other into a group conversation for {seconds:g} s, alone and while"
        f" {guessers} clients (each from its own loopback address) send wrong Basic-auth passwords for an"
        f" existing user as fast as they are answered; brute-force throttling off; {rounds} rounds, the"
        " phases taking turns; medians over the rounds.\n\n"
        + table(headers, rows)
        + "\n\nTarget: send p50 with the guessers within 2x of the same run without them."
    )


async def main_async(args: argparse.Namespace) -> str:
    raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix="causerie-bench-"))
    with causerie_server(workdir, {"CAUSERIE_BRUTEFORCE_ENABLED": "0"}) as server:
        driver = CauserieDriver(server)
        await driver.setup()
        await chat(driver, 0.5)  # warm up: the sender's password is checked once and remembered
        runs = []
        for round_no in range(1, args.rounds + 1):
            for guessers in (0, args.guessers):
                print(f"[round {round_no}] {args.seconds:g} s of sends, {guessers} guessers", file=sys.stderr)
                runs.append(await phase(driver, server, guessers, args.seconds))
    return report(runs, args.guessers, args.seconds, args.rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guessers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the chat is measured, per phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = uvloop.run(main_async(args))
    command = ("python -m bench.guessing " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        print(write_section("guessing", "Chat while 50 clients guess passwords (SQLite)", command, facts, body))


if __name__ == "__main__":
    main()

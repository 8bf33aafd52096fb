"""Send throughput: messages per second from concurrent clients into one room on SQLite, against a
bare Starlette endpoint doing one SQLite insert per request, in the same run.

    .venv/bin/python -m bench.sends                          # 16 clients, 3,000 messages, 5 rounds
    .venv/bin/python -m bench.sends --clients 4 --messages 200 --rounds 1 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import uvloop

from bench.drivers import AiosqliteBaselineDriver, BaselineDriver, CauserieDriver
from bench.http import Connection
from bench.procs import Server, baseline_server, causerie_server, cpu_seconds, machine_facts, raise_fd_limit
from bench.results import median, percentile, table, write_section


async def blast(driver: BaselineDriver | CauserieDriver, server: Server, clients: int, messages: int) -> dict[str, Any]:
    targets = [driver.waiter, driver.sender]
    conns = [await Connection.open(targets[i % 2]) for i in range(clients)]
    # Warm up every connection (authentication caches, connection pools).
    for conn in conns:
        response = await driver.insert(conn, "warm-up")
        assert response.status == 201, response
    remaining = messages
    latencies: list[float] = []
    failures = 0

    async def client(conn: Connection) -> None:
        nonlocal remaining, failures
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await driver.insert(conn, f"message {remaining}")
            latencies.append((response.done_at - started) * 1000)
            if response.status != 201:
                failures += 1

    cpu_before = cpu_seconds(server.pid)
    started = time.perf_counter()
    await asyncio.gather(*(client(conn) for conn in conns))
    elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(server.pid) - cpu_before
    await asyncio.gather(*(conn.close() for conn in conns))
    assert failures == 0, f"{failures} sends failed"
    return {
        "name": driver.name,
        "per_second": messages / elapsed,
        "p50": median(latencies),
        "p99": percentile(latencies, 99),
        "server_cpu_ms_per_send": server_cpu * 1000 / messages,
    }


def _median_run(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the rounds."""
    keys = ("per_second", "p50", "p99", "server_cpu_ms_per_send")
    return {"name": name, "rounds": len(runs), **{key: median([run[key] for run in runs]) for key in keys}}


def report(runs: list[dict[str, Any]], clients: int, messages: int) -> str:
    base = runs[0]["per_second"] if runs and runs[0]["name"] == "bare Starlette" else None
    rows = [
        [
            run["name"],
            f"{run['per_second']:.0f}",
            f"{run['per_second'] / base:.0%}" if base else "",
            f"{run['p50']:.1f}",
            f"{run['p99']:.1f}",
            f"{run['server_cpu_ms_per_send']:.2f}",
        ]
        for run in runs
    ]
    headers = ["server", "sends/s", "vs bare", "p50 ms", "p99 ms", "server CPU ms per send"]
    rounds = runs[0]["rounds"] if runs else 0
    return (
        f"{messages} messages from {clients} concurrent keep-alive clients into one room, per round;"
        f" {rounds} rounds, the servers taking turns within each; medians over the rounds.\n\n"
        + table(headers, rows)
        + "\n\nTarget: Causerie at least 50% of the bare insert endpoint (the first row: SQLite written as"
        " Causerie writes it). The aiosqlite row is the same endpoint through the usual asyncio driver,"
        " for reference."
    )


async def main_async(args: argparse.Namespace) -> str:
    raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix="causerie-bench-"))
    with ExitStack() as stack:
        drivers: list[tuple[BaselineDriver | CauserieDriver, Server]] = []
        if "baseline" in args.servers:
            bare = stack.enter_context(baseline_server(workdir))
            drivers += [(BaselineDriver(bare), bare), (AiosqliteBaselineDriver(bare), bare)]
        if "causerie" in args.servers:
            causerie = stack.enter_context(causerie_server(workdir))
            drivers.append((CauserieDriver(causerie), causerie))
        for driver, _ in drivers:
            await driver.setup()
        # The machine's speed drifts (it is shared): the servers take turns, round after round, so
        # that a slow spell weighs on all of them alike.
        results: dict[str, list[dict[str, Any]]] = {driver.name: [] for driver, _ in drivers}
        for round_no in range(1, args.rounds + 1):
            for driver, server in drivers:
                print(
                    f"[round {round_no}] [{driver.name}] {args.messages} sends from {args.clients} clients",
                    file=sys.stderr,
                )
                results[driver.name].append(await blast(driver, server, args.clients, args.messages))
    return report([_median_run(name, runs) for name, runs in results.items()], args.clients, args.messages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--servers", default="baseline,causerie")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = uvloop.run(main_async(args))
    command = ("python -m bench.sends " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        print(write_section("sends", "Sends per second (SQLite)", command, facts, body))


if __name__ == "__main__":
    main()

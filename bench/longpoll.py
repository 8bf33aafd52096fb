"""Long-poll benchmark: how fast a sent message reaches waiting clients, Causerie against a bare
Starlette app doing an ``asyncio.Event`` fan-out, in the same run.

    .venv/bin/python -m bench.longpoll                 # 1 waiter x 200 rounds; 1,000 and 10,000 waiters
    .venv/bin/python -m bench.longpoll --rounds 20 --fanout 100 --no-write   # a quick look

1 waiter: the time from the start of the send (POST) to the waiter's complete response, p50/p99.
N waiters in one room: all N polls are parked (the server has gone idle), one message is sent, and
we take the time until the last waiter has its response, plus the server's memory.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvloop

from bench.drivers import BaselineDriver, CauserieDriver, Driver
from bench.http import Connection, open_many
from bench.procs import (
    Server,
    baseline_server,
    causerie_server,
    machine_facts,
    peak_rss_mb,
    raise_fd_limit,
    rss_mb,
    wait_idle,
)
from bench.results import median, percentile, table, write_section

TARGETS = {"p50 one waiter": "< 5 ms", "10,000 waiters": "<= 1.5x bare", "memory": "< 400 MB"}


@dataclass
class FanOut:
    waiters: int
    all_answered_ms: float
    median_ms: float
    rss_idle_mb: float
    rss_parked_mb: float
    peak_mb: float
    client_cpu_s: float


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_waiter(driver: Driver, rounds: int) -> list[float]:
    waiter = await Connection.open(driver.waiter)
    sender = await Connection.open(driver.sender)
    latencies: list[float] = []
    try:
        for i in range(rounds + 5):
            driver.poll(waiter)
            # Let the poll park; if it has not, it finds the message at once and is still timed.
            await asyncio.sleep(0.03)
            started = time.perf_counter()
            sent = asyncio.ensure_future(driver.send(sender, f"round {i}"))
            response = await waiter.receive()
            await sent
            assert driver.got_message(response), response
            if i >= 5:  # warm-up rounds fill caches and pools
                latencies.append((response.done_at - started) * 1000)
    finally:
        await waiter.close()
        await sender.close()
    return latencies


async def fan_out(driver: Driver, server: Server, count: int, source_ip: str) -> FanOut:
    rss_idle = rss_mb(server.pid)
    conns = await open_many(driver.waiter, count, source_ip)
    sender = await Connection.open(driver.sender)
    try:
        for conn in conns:
            driver.poll(conn)
        await wait_idle(server.pid)
        rss_parked = rss_mb(server.pid)
        cpu_before = _client_cpu()
        started = time.perf_counter()
        sent = asyncio.ensure_future(driver.send(sender, f"to {count} waiters"))
        responses = await asyncio.gather(*(conn.receive() for conn in conns))
        await sent
        client_cpu = _client_cpu() - cpu_before
        bad = [r for r in responses if not driver.got_message(r)]
        assert not bad, f"{len(bad)} waiters got no message, e.g. {bad[0]}"
        done = [(r.done_at - started) * 1000 for r in responses]
        return FanOut(count, max(done), median(done), rss_idle, rss_parked, peak_rss_mb(server.pid), client_cpu)
    finally:
        await sender.close()
        await asyncio.gather(*(conn.close() for conn in conns))


async def run_server(
    make: AbstractContextManager[Server], kind: str, rounds: int, fanouts: list[int], ip_base: int
) -> dict[str, Any]:
    with make as server:
        driver: Driver = BaselineDriver(server) if kind == "baseline" else CauserieDriver(server)
        await driver.setup()
        print(f"[{driver.name}] pid {server.pid}: 1 waiter x {rounds} rounds", file=sys.stderr)
        latencies = await one_waiter(driver, rounds)
        results = []
        for i, count in enumerate(fanouts):
            print(f"[{driver.name}] {count} waiters", file=sys.stderr)
            results.append(await fan_out(driver, server, count, f"127.0.{ip_base}.{i + 1}"))
        return {"name": driver.name, "latencies": latencies, "fanouts": results}


def report(runs: list[dict[str, Any]], rounds: int) -> str:
    lat_rows = []
    for run in runs:
        values = run["latencies"]
        lat_rows.append([run["name"], len(values), f"{median(values):.2f}", f"{percentile(values, 99):.2f}"])
    parts = [
        f"### One waiter: send to response ({rounds} rounds)\n",
        table(["server", "rounds", "p50 ms", "p99 ms"], lat_rows),
        "\n### Many waiters in one room: send until every waiter has the message\n",
    ]
    base = {f.waiters: f for f in runs[0]["fanouts"]} if runs and runs[0]["name"] == "bare Starlette" else {}
    fan_rows = []
    for run in runs:
        for f in run["fanouts"]:
            ratio = f"{f.all_answered_ms / base[f.waiters].all_answered_ms:.2f}x" if f.waiters in base else ""
            fan_rows.append(
                [
                    run["name"], f.waiters, f"{f.all_answered_ms:.0f}", ratio, f"{f.median_ms:.0f}",
                    f"{f.rss_idle_mb:.0f}", f"{f.rss_parked_mb:.0f}", f"{f.peak_mb:.0f}", f"{f.client_cpu_s:.2f}",
                ]
            )  # fmt: skip
    headers = [
        "server", "waiters", "all answered ms", "vs bare", "median ms", "RSS idle MB",
        "RSS parked MB", "peak RSS MB", "client CPU s",
    ]  # fmt: skip
    parts.append(table(headers, fan_rows))
    parts.append("\nTargets: " + "; ".join(f"{k} {v}" for k, v in TARGETS.items()) + ".")
    return "\n".join(parts)


async def main_async(args: argparse.Namespace) -> str:
    raise_fd_limit()
    fanouts = [int(x) for x in args.fanout.split(",") if x]
    workdir = Path(tempfile.mkdtemp(prefix="causerie-bench-"))
    runs = []
    if "baseline" in args.servers:
        runs.append(await run_server(baseline_server(workdir), "baseline", args.rounds, fanouts, 1))
    if "causerie" in args.servers:
        runs.append(await run_server(causerie_server(workdir), "causerie", args.rounds, fanouts, 2))
    return report(runs, args.rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--fanout", default="1000,10000", help="comma-separated waiter counts")
    parser.add_argument("--servers", default="baseline,causerie")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = uvloop.run(main_async(args))
    command = "python -m bench.longpoll " + " ".join(sys.argv[1:])
    if args.no_write:
        print(body)
    else:
        print(write_section("longpoll", "Long-poll delivery (SQLite)", command.strip(), facts, body))


if __name__ == "__main__":
    main()

"""Sends with bots listening: messages per second into a conversation with 10 bots enabled, against
a conversation of the same server with none, in the same run, and how long the webhooks of a
round take to reach the bots.

    .venv/bin/python -m bench.bots                        # 16 clients, 1,000 messages, 3 rounds
    .venv/bin/python -m bench.bots --messages 200 --rounds 1 --no-write

The bots are one sink process on loopback (``python -m bench.bots sink``) answering every webhook
with 200, under 10 URLs installed with ``occ talk:bot:install``. A send only enqueues one job when
a bot listens; the job runner signs and posts the webhooks after the commit, in the same process,
so the cost shows in the sends of that round. Each round waits until every webhook has arrived
before the next conversation's turn.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import uvloop

from bench.drivers import CauserieDriver
from bench.procs import Server, causerie_server, free_port, machine_facts
from bench.results import median, table, write_section
from bench.sends import blast

BOTS = 10


def sink(port: int) -> None:
    """A bot that takes every webhook (200) and counts them."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    received = 0

    async def webhook(request: Request) -> Response:
        nonlocal received
        await request.body()
        received += 1
        return JSONResponse({})

    async def count(request: Request) -> Response:
        return JSONResponse({"count": received})

    routes = [
        Route("/webhook/{n}", webhook, methods=["POST"]),
        Route("/count", count),
        Route("/status.php", count),
    ]
    uvicorn.run(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning")


def _occ(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "causerie.cli.occ", *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _count(port: int) -> int:
    return int(httpx.get(f"http://127.0.0.1:{port}/count", timeout=10).json()["count"])


async def _drained(port: int, expected: int, within_s: float = 600) -> float:
    """Seconds until the sink has ``expected`` webhooks."""
    started = time.perf_counter()
    while time.perf_counter() - started < within_s:
        if _count(port) >= expected:
            return time.perf_counter() - started
        await asyncio.sleep(0.02)
    raise RuntimeError(f"only {_count(port)} of {expected} webhooks arrived")


def report(runs: dict[str, list[dict[str, Any]]], drains: list[float], clients: int, messages: int) -> str:
    keys = ("per_second", "p50", "p99", "server_cpu_ms_per_send")
    medians = {name: {key: median([run[key] for run in found]) for key in keys} for name, found in runs.items()}
    base = medians["no bots"]
    rows = [
        [
            name,
            f"{figures['per_second']:.0f}",
            f"{figures['per_second'] / base['per_second']:.0%}",
            f"{figures['p50']:.1f}",
            f"{figures['p50'] / base['p50']:.2f}x",
            f"{figures['p99']:.1f}",
            f"{figures['server_cpu_ms_per_send']:.2f}",
        ]
        for name, figures in medians.items()
    ]
    headers = ["conversation", "sends/s", "vs no bots", "p50 ms", "p50 vs no bots", "p99 ms", "server CPU ms per send"]
    rounds = len(runs["no bots"])
    return (
        f"{messages} messages from {clients} concurrent keep-alive clients per round and conversation,"
        f" {rounds} rounds taking turns; medians over the rounds. Server CPU includes the job runner"
        f" posting the webhooks during the round.\n\n"
        + table(headers, rows)
        + f"\n\nWebhooks of a round ({messages} messages × {BOTS} bots) all delivered"
        f" {median(drains):.1f} s (median) after the round's last send was answered."
        + "\n\nTarget: send latency with 10 bots within 10% of the conversation without bots."
    )


async def main_async(args: argparse.Namespace) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="causerie-bench-bots-"))
    sink_port = free_port()
    with ExitStack() as stack:
        stack.enter_context(
            Server(
                "bot sink",
                [sys.executable, "-m", "bench.bots", "sink", "--port", str(sink_port)],
                dict(os.environ),
                sink_port,
                workdir / "sink.log",
            )
        )
        server = stack.enter_context(causerie_server(workdir))
        plain, with_bots = CauserieDriver(server), CauserieDriver(server)
        await plain.setup()
        await with_bots.setup()
        for n in range(BOTS):
            url = f"http://127.0.0.1:{sink_port}/webhook/{n}"
            out = _occ(server.env, "talk:bot:install", f"Bench {n}", secrets.token_hex(32), url)
            _occ(server.env, "talk:bot:setup", out.split("ID: ")[1].strip(), with_bots.token)
        await _drained(sink_port, BOTS)  # the Join of each
        runs: dict[str, list[dict[str, Any]]] = {"no bots": [], f"{BOTS} bots": []}
        drains: list[float] = []
        for round_no in range(1, args.rounds + 1):
            for name, driver in (("no bots", plain), (f"{BOTS} bots", with_bots)):
                print(f"[round {round_no}] [{name}] {args.messages} sends", file=sys.stderr)
                before = _count(sink_port)
                runs[name].append(await blast(driver, server, args.clients, args.messages))
                if driver is with_bots:
                    # The warm-up sends of blast() reach the bots too.
                    drains.append(await _drained(sink_port, before + BOTS * (args.messages + args.clients)))
    return report(runs, drains, args.clients, args.messages)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "sink":
        parser = argparse.ArgumentParser()
        parser.add_argument("sink")
        parser.add_argument("--port", type=int, required=True)
        sink(parser.parse_args().port)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = uvloop.run(main_async(args))
    command = ("python -m bench.bots " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        print(write_section("bots", "Sends with 10 bots listening (SQLite)", command, facts, body))


if __name__ == "__main__":
    main()

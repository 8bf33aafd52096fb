"""Instructions per chat send, counted by valgrind's callgrind: a figure that does not drift with
the machine, for telling apart changes of a few per cent that the timed benchmarks cannot.

    .venv/bin/python -m bench.instructions                   # 1,000 sends (needs valgrind)
    .venv/bin/python -m bench.instructions --loop 50         # just the loop, without valgrind

The sends go through the ASGI app in this process (no HTTP server, no sockets: uvicorn's share is
the same for every version of Causerie), from 16 concurrent tasks into one room, on SQLite. The
process runs under callgrind, which is told (``callgrind_control``) to zero its counters after
start-up and warm-up and to dump them after the N sends: the dump divided by N is the cost of one
send. The figure includes the loop's own requests and response parsing, alike for every version.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import uvloop

from bench.procs import password_of, seed_users

TALK = "/ocs/v2.php/apps/spreed/api"
WARM_UP = 300
TASKS = 16


class _App:
    """Requests straight to the ASGI app."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def call(self, method: str, path: str, uid: str, body: dict[str, Any]) -> tuple[int, Any]:
        payload = json.dumps(body).encode()
        credentials = base64.b64encode(f"{uid}:{password_of(uid)}".encode())
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1:8080"),
                (b"authorization", b"Basic " + credentials),
                (b"ocs-apirequest", b"true"),
                (b"accept", b"application/json"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8080),
        }
        messages = [{"type": "http.request", "body": payload, "more_body": False}]
        answer: dict[str, Any] = {"body": b""}

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # the client never hangs up
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            else:
                answer["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return answer["status"], json.loads(answer["body"])


def _callgrind(command: str, *args: str) -> None:
    """Tell the callgrind this process runs under to ``-z`` (zero) or ``-d`` (dump) its counters."""
    subprocess.run(["callgrind_control", command, *args, str(os.getpid())], check=True, capture_output=True)


async def loop(sends: int, *, counted: bool = False) -> None:
    """Warm up, then ``sends`` messages from Bob into a room of Alice's (``counted``: only those
    sends are counted by the callgrind this process runs under)."""
    data = Path(tempfile.mkdtemp(prefix="causerie-instructions-"))
    os.environ["CAUSERIE_DATA_DIR"] = str(data)
    os.environ["CAUSERIE_LOG_REQUESTS"] = "0"
    from causerie.app import create_app
    from causerie.settings import Settings

    settings = Settings.from_env()
    await seed_users(settings.database_url)
    app = create_app(settings)
    started: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await started.put({"type": "lifespan.startup"})
    ready = asyncio.Event()

    async def lifespan_send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            ready.set()

    lifespan = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, started.get, lifespan_send))
    await ready.wait()
    client = _App(app)
    status, created = await client.call("POST", f"{TALK}/v4/room", "alice", {"roomType": 2, "roomName": "bench"})
    assert status == 201, created
    token = created["ocs"]["data"]["token"]
    added = {"newParticipant": "bob", "source": "users"}
    status, _ = await client.call("POST", f"{TALK}/v4/room/{token}/participants", "alice", added)
    assert status == 200

    async def run(count: int) -> None:
        remaining = count

        async def task() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                body = {"message": f"message {remaining}", "referenceId": uuid.uuid4().hex}
                status, answer = await client.call("POST", f"{TALK}/v1/chat/{token}", "bob", body)
                assert status == 201, answer

        await asyncio.gather(*(task() for _ in range(TASKS)))

    await run(WARM_UP)
    if counted:
        _callgrind("-z")
    await run(sends)
    if counted:
        _callgrind("-d", "sends")
    await started.put({"type": "lifespan.shutdown"})
    lifespan.cancel()
    shutil.rmtree(data, ignore_errors=True)


def _instructions(sends: int) -> int:
    """The instructions of ``sends`` sends, counted by callgrind between the loop's zero and dump."""
    with tempfile.TemporaryDirectory(prefix="causerie-callgrind-") as out:
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out",
            sys.executable, "-m", "bench.instructions", "--loop", str(sends), "--counted",
        ]  # fmt: skip
        subprocess.run(command, capture_output=True, text=True, check=True)
        # Part 1 is the dump the loop asked for (the file without a number is the rest of the run).
        dump = Path(out, "callgrind.out.1").read_text()
    found = re.search(r"^summary: (\d+)", dump, re.MULTILINE)
    assert found, "no summary in the callgrind dump"
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=1000)
    parser.add_argument("--loop", type=int, help="run the loop of sends only (what callgrind counts)")
    parser.add_argument("--counted", action="store_true", help="(with --loop, under callgrind) count only the sends")
    args = parser.parse_args()
    if args.loop is not None:
        uvloop.run(loop(args.loop, counted=args.counted))
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("valgrind is needed: apt-get install valgrind")
    per_send = _instructions(args.sends) / args.sends
    print(f"{per_send:,.0f} instructions per send ({args.sends} sends, python -m bench.instructions)")


if __name__ == "__main__":
    main()

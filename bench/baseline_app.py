"""The bare baseline: a Starlette app on the same server stack as Causerie (uvicorn, uvloop,
httptools) doing only the essential work, so Causerie's numbers can be read as ratios.

- ``GET /wait``: a long-poll parked on an ``asyncio.Event`` that ``POST /send`` fires for everyone.
- ``POST /insert``: one SQLite write transaction with one insert per request, run as Causerie runs
  SQLite (the ``sqlite3`` module in place on the event loop, WAL, synchronous=NORMAL, BEGIN
  IMMEDIATE).
- ``POST /insert-aiosqlite``: the same through aiosqlite, the usual asyncio SQLite driver (a
  reference: each statement is handed to a worker thread and back).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DB_PATH = os.environ.get("BENCH_BASELINE_DB", "baseline.db")


class State:
    event = asyncio.Event()
    message_id = 0
    db: sqlite3.Connection | None = None
    adb: aiosqlite.Connection | None = None
    alock = asyncio.Lock()


# The headers Causerie's chat answers carry (the security headers every response has, the chat
# offsets), so that both servers write similar bytes and the client parses as much.
HEADERS = {
    "X-Chat-Last-Given": "0",
    "X-Chat-Last-Common-Read": "0",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "SAMEORIGIN",
    "x-robots-tag": "noindex, nofollow",
    "content-security-policy": "default-src 'none';base-uri 'none';manifest-src 'self';frame-ancestors 'none'",
}


def _message(message_id: int, text: str) -> dict[str, object]:
    # About the size of a Talk chat message, so both servers send similar bytes.
    return {
        "id": message_id,
        "token": "benchroom",
        "actorType": "users",
        "actorId": "bob",
        "actorDisplayName": "Bob Brown",
        "timestamp": int(time.time()),
        "message": text,
        "messageParameters": [],
        "systemMessage": "",
        "messageType": "comment",
        "isReplyable": True,
        "referenceId": "",
        "reactions": {},
        "markdown": True,
        "expirationTimestamp": 0,
        "threadId": 0,
    }


async def wait(request: Request) -> Response:
    event = State.event
    await event.wait()
    data = [_message(State.message_id, "hello")]
    return JSONResponse({"ocs": {"meta": {"status": "ok"}, "data": data}}, headers=HEADERS)


async def send(request: Request) -> Response:
    await request.body()
    State.message_id += 1
    event, State.event = State.event, asyncio.Event()
    event.set()
    return JSONResponse({"id": State.message_id}, status_code=201)


async def insert(request: Request) -> Response:
    payload = await request.json()
    text = str(payload.get("message", ""))
    db = State.db
    assert db is not None
    db.execute("BEGIN IMMEDIATE")
    cursor = db.execute(
        "INSERT INTO messages (room_id, actor_id, message, created) VALUES (?, ?, ?, ?)",
        (1, "bob", text, int(time.time())),
    )
    db.execute("COMMIT")
    return JSONResponse({"ocs": {"data": _message(cursor.lastrowid or 0, text)}}, status_code=201, headers=HEADERS)


async def insert_aiosqlite(request: Request) -> Response:
    payload = await request.json()
    text = str(payload.get("message", ""))
    db = State.adb
    assert db is not None
    async with State.alock:
        await db.execute("BEGIN IMMEDIATE")
        cursor = await db.execute(
            "INSERT INTO messages (room_id, actor_id, message, created) VALUES (?, ?, ?, ?)",
            (1, "bob", text, int(time.time())),
        )
        await db.execute("COMMIT")
    return JSONResponse({"ocs": {"data": _message(cursor.lastrowid or 0, text)}}, status_code=201, headers=HEADERS)


async def status(request: Request) -> Response:
    return JSONResponse({"installed": True})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    db = sqlite3.connect(DB_PATH, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room_id INTEGER NOT NULL, "
        "actor_id TEXT NOT NULL, message TEXT NOT NULL, created INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS messages_room ON messages (room_id, id)")
    State.db = db
    State.adb = await aiosqlite.connect(DB_PATH, isolation_level=None)
    try:
        yield
    finally:
        State.event.set()
        await State.adb.close()
        db.close()


app = Starlette(
    routes=[
        Route("/status.php", status),
        Route("/wait", wait),
        Route("/send", send, methods=["POST"]),
        Route("/insert", insert, methods=["POST"]),
        Route("/insert-aiosqlite", insert_aiosqlite, methods=["POST"]),
    ],
    lifespan=lifespan,
)

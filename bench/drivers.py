"""The same scenario spoken to each server: park a long-poll, send a message, insert a message."""

from __future__ import annotations

import uuid
from typing import Protocol

from bench.http import Connection, Response, Target
from bench.procs import Server, user_target

TALK = "/ocs/v2.php/apps/spreed/api"


class Driver(Protocol):
    name: str
    server: Server
    waiter: Target
    sender: Target

    async def setup(self) -> None: ...

    def poll(self, conn: Connection) -> None:
        """Write a long-poll request for messages after the last one sent."""

    def got_message(self, response: Response) -> bool: ...

    async def send(self, conn: Connection, text: str) -> Response:
        """Send one message; afterwards ``poll`` asks for what comes after it."""


class BaselineDriver:
    name = "bare Starlette"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.waiter = server.target()
        self.sender = server.target()

    async def setup(self) -> None:
        return None

    def poll(self, conn: Connection) -> None:
        conn.send("GET", "/wait")

    def got_message(self, response: Response) -> bool:
        return response.status == 200 and bool(response.json()["ocs"]["data"])

    async def send(self, conn: Connection, text: str) -> Response:
        response = await conn.request("POST", "/send", {"message": text})
        assert response.status == 201, response
        return response

    async def insert(self, conn: Connection, text: str) -> Response:
        return await conn.request("POST", "/insert", {"message": text})


class AiosqliteBaselineDriver(BaselineDriver):
    """The bare app's insert through aiosqlite, for reference."""

    name = "bare Starlette, aiosqlite"

    async def insert(self, conn: Connection, text: str) -> Response:
        return await conn.request("POST", "/insert-aiosqlite", {"message": text})


class CauserieDriver:
    """Alice waits (as many long-polls as asked), Bob sends, in one group conversation.

    The polls pass ``setReadMarker=0``: this measures delivery, not the read-marker write that a
    focused client adds to every poll.
    """

    name = "Causerie"

    def __init__(self, server: Server) -> None:
        self.server = server
        self.waiter = user_target(server, "alice")
        self.sender = user_target(server, "bob")
        self.token = ""
        self.last_id = 0

    async def setup(self) -> None:
        conn = await Connection.open(self.waiter)
        try:
            created = await conn.request("POST", f"{TALK}/v4/room", {"roomType": 2, "roomName": "bench"})
            assert created.status in (200, 201), created
            self.token = created.json()["ocs"]["data"]["token"]
            added = await conn.request(
                "POST", f"{TALK}/v4/room/{self.token}/participants", {"newParticipant": "bob", "source": "users"}
            )
            assert added.status == 200, added
            history = await conn.request("GET", f"{TALK}/v1/chat/{self.token}?lookIntoFuture=0&limit=1")
            assert history.status == 200, history
            self.last_id = int(history.headers.get("x-chat-last-given") or history.json()["ocs"]["data"][0]["id"])
        finally:
            await conn.close()

    def poll(self, conn: Connection) -> None:
        conn.send(
            "GET",
            f"{TALK}/v1/chat/{self.token}?lookIntoFuture=1&timeout=60&setReadMarker=0"
            f"&lastKnownMessageId={self.last_id}",
        )

    def got_message(self, response: Response) -> bool:
        return response.status == 200 and any(m["id"] > self.last_id - 1 for m in response.json()["ocs"]["data"])

    async def send(self, conn: Connection, text: str) -> Response:
        response = await self.insert(conn, text)
        assert response.status == 201, response
        self.last_id = int(response.json()["ocs"]["data"]["id"])
        return response

    async def insert(self, conn: Connection, text: str) -> Response:
        return await conn.request(
            "POST", f"{TALK}/v1/chat/{self.token}", {"message": text, "referenceId": uuid.uuid4().hex}
        )

"""A lean HTTP/1.1 client on raw asyncio streams: thousands of concurrent keep-alive connections
cost the load generator little, so the numbers measure the server."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    done_at: float = 0.0  # time.perf_counter() when the last byte was read

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Target:
    host: str
    port: int
    # Extra headers on every request (auth, OCS).
    headers: dict[str, str] = field(default_factory=dict)


def basic_auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Connection:
    def __init__(self, target: Target, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.target = target
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, target: Target, source_ip: str | None = None) -> Connection:
        # Each benchmark phase may use its own loopback source address: 10,000 connections per
        # phase would otherwise run out of ephemeral ports while old ones sit in TIME_WAIT.
        local = (source_ip, 0) if source_ip else None
        reader, writer = await asyncio.open_connection(target.host, target.port, local_addr=local, limit=1 << 20)
        return cls(target, reader, writer)

    def send(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> None:
        payload = b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.target.host}:{self.target.port}"]
        all_headers = {**self.target.headers, **(headers or {})}
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        if body is not None or method in ("POST", "PUT"):
            all_headers["Content-Length"] = str(len(payload))
        lines.extend(f"{k}: {v}" for k, v in all_headers.items())
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)

    async def receive(self, *, head: bool = False) -> Response:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = raw[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if head or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        elif "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body = await self.reader.read()
        return Response(status, headers, body, time.perf_counter())

    async def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        self.send(method, path, body, headers)
        return await self.receive(head=method == "HEAD")

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


async def open_many(target: Target, count: int, source_ip: str | None = None, parallel: int = 256) -> list[Connection]:
    """``count`` connections, opened a few hundred at a time so the listen backlog never overflows."""
    gate = asyncio.Semaphore(parallel)

    async def one() -> Connection:
        async with gate:
            return await Connection.open(target, source_ip)

    return list(await asyncio.gather(*(one() for _ in range(count))))

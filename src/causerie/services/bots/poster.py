"""A small HTTP/1.1 client for webhooks: one POST, kept-alive connections per origin.

httpx costs the job runner about as much per post as a chat send costs the server, and the
runner shares the event loop with the requests; with ten bots in a conversation the posts of
each message took the loop from the sends. Webhooks need little of a general client: a POST with
a body written in one go, a status line to read, a body to skip, the connection kept for the next
post. No redirects are followed, as for every outgoing request of Causerie.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
# Idle connections kept per origin.
KEEP = 32


class PostError(Exception):
    pass


@dataclass
class _Origin:
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = field(default_factory=list)


class Poster:
    def __init__(self, *, connect_timeout: float = 3.0) -> None:
        self.connect_timeout = connect_timeout
        self._origins: dict[tuple[str, str, int], _Origin] = {}
        self._ssl: ssl.SSLContext | None = None

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    async def post(self, url: str, body: bytes, headers: dict[str, str], *, within_s: float) -> int:
        """POST ``body``; the answer's status (its body is read and dropped)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PostError(f"not an http(s) URL: {url}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, parts.hostname, port)
        origin = self._origins.setdefault(key, _Origin())
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.netloc.rsplit("@", 1)[-1]
        head = [f"POST {target} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        async with asyncio.timeout(within_s):
            while origin.idle:
                reader, writer = origin.idle.pop()
                try:
                    return await self._exchange(origin, reader, writer, request)
                except (ConnectionError, asyncio.IncompleteReadError, PostError):
                    continue  # the other side closed the kept connection: take another
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(parts.hostname, port, ssl=self._context() if parts.scheme == "https" else None),
                self.connect_timeout,
            )
            return await self._exchange(origin, reader, writer, request)

    async def _exchange(
        self, origin: _Origin, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> int:
        keep = False
        try:
            writer.write(request)
            await writer.drain()
            status, keep = await self._response(reader)
            return status
        finally:
            if keep and len(origin.idle) < KEEP:
                origin.idle.append((reader, writer))
            else:
                writer.close()

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, bool]:
        """The status, and whether the connection may be used again."""
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError as error:
            raise PostError("answer headers too long") from error
        if len(raw) > MAX_HEAD:
            raise PostError("answer headers too long")
        lines = raw.decode("latin-1").split("\r\n")
        try:
            version, code = lines[0].split(" ", 2)[:2]
            status = int(code)
        except ValueError as error:
            raise PostError(f"not an HTTP answer: {lines[0][:80]!r}") from error
        fields: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                fields[name.strip().lower()] = value.strip()
        keep = version == "HTTP/1.1" and fields.get("connection", "").lower() != "close"
        if status in (204, 304) or 100 <= status < 200:
            return status, keep
        if "chunked" in fields.get("transfer-encoding", "").lower():
            await self._skip_chunks(reader)
        elif "content-length" in fields:
            length = int(fields["content-length"])
            if length > MAX_BODY:
                return status, False
            await reader.readexactly(length)
        else:
            return status, False  # the body ends when the connection does: do not wait for it
        return status, keep

    async def _skip_chunks(self, reader: asyncio.StreamReader) -> None:
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return
            total += size
            if total > MAX_BODY:
                raise PostError("answer body too long")
            await reader.readexactly(size + 2)

    def close(self) -> None:
        for origin in self._origins.values():
            for _, writer in origin.idle:
                writer.close()
        self._origins.clear()

"""The webhook poster against a real HTTP server on loopback: the answers it reads (length,
chunked, until close), kept-alive connections used again, and a closed one replaced."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from causerie.services.bots.poster import Poster

Answer = Callable[[bytes], bytes]


async def serving(answer: Answer, work: Callable[[int, list[int]], Awaitable[None]]) -> list[bytes]:
    """A raw HTTP server answering every request with ``answer(request)``; the requests it read."""
    seen: list[bytes] = []
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                request = head + await reader.readexactly(length)
                seen.append(request)
                reply = answer(request)
                writer.write(reply)
                await writer.drain()
                if b"Connection: close" in reply or request.endswith(b"drop"):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await work(port, connections)
    return seen


def test_answers_of_every_framing_are_read_and_connections_kept() -> None:
    answers = iter(
        [
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
            b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
        ]
    )
    statuses: list[int] = []

    async def work(port: int, connections: list[int]) -> None:
        poster = Poster()
        url = f"http://127.0.0.1:{port}/hook?x=1"
        for n in range(4):
            statuses.append(await poster.post(url, b'{"n":%d}' % n, {"X-Test": "yes"}, within_s=5))
        # The first three went over one connection; the 500 closed it, the fourth needed a new one.
        assert len(connections) == 2
        poster.close()

    seen = asyncio.run(serving(lambda request: next(answers), work))
    assert statuses == [200, 202, 500, 201]
    assert seen[0].startswith(b"POST /hook?x=1 HTTP/1.1\r\n")
    assert b"\r\nX-Test: yes\r\n" in seen[0] and seen[0].endswith(b'{"n":0}')


def test_a_kept_connection_the_server_dropped_is_replaced() -> None:
    async def work(port: int, connections: list[int]) -> None:
        poster = Poster()
        url = f"http://127.0.0.1:{port}/"
        # The answer keeps the connection by its headers, but the server drops it afterwards.
        assert await poster.post(url, b"drop", {}, within_s=5) == 200
        assert await poster.post(url, b"again", {}, within_s=5) == 200
        assert len(connections) == 2
        poster.close()

    seen = asyncio.run(serving(lambda request: b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", work))
    assert [request.rsplit(b"\r\n\r\n", 1)[1] for request in seen] == [b"drop", b"again"]

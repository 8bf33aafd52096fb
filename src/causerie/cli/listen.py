"""The server's listening socket, opened before anything else starts.

Binding first means a busy port fails at once, before migrations and before the server says it is
ready, and clients that connect while the server is still starting wait in the backlog instead of
being refused.
"""

from __future__ import annotations

import errno
import socket

import click

# uvicorn's default.
BACKLOG = 2048


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As uvicorn does: a port left in TIME_WAIT by a previous run can be taken again at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise click.ClickException(_why(exc, host, port)) from None
    return sock


def _why(exc: OSError, host: str, port: int) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}: no such host"
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port} on {host}"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: it is not an address of this machine"
    return f"cannot listen on port {port} on {host}: {exc.strerror or exc}"

"""The one server process that may serve a SQLite file.

Long-poll wake-ups do not cross processes without a broker, and a server runs SQLite statements in
place on its event loop on the assumption that no other server writes to the file
(docs/architecture.md). So a server holds an exclusive ``flock`` on ``<database>.lock``, beside the
database file wherever the URL puts it, for as long as it runs; the kernel lets go of it when the
process ends, however it ends. ``occ`` takes no such lock: its writes are short.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url


class CannotClaim(Exception):
    """The database file cannot be taken for this process; the message says why."""


class SQLiteInUse(CannotClaim):
    """Another process serves the database file already."""

    def __init__(self, database: Path, holder: str) -> None:
        by = f" (process {holder})" if holder.isdigit() else ""
        super().__init__(
            f"another Causerie server already serves {database}{by}: one process serves a SQLite "
            "database; run several on PostgreSQL (docs/operations.md)"
        )


def database_file(url: str) -> Path | None:
    """The SQLite file of ``url``; None for PostgreSQL and in-memory databases."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def claim(url: str) -> int | None:
    """Take the database file of ``url`` for this process, or raise ``CannotClaim``.

    Returns the descriptor of the lock file, open (and the lock held) until the process ends.
    """
    database = database_file(url)
    if database is None:
        return None
    lock = database.with_name(database.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise CannotClaim(f"cannot open {lock}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        raise SQLiteInUse(database, holder) from None
    # Who holds it, for the message the next one prints.
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def served_by(url: str) -> str | None:
    """Who serves the database file of ``url`` right now ("process 1234"), or None when nobody does."""
    database = database_file(url)
    if database is None:
        return None
    lock = database.with_name(database.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        return f"process {holder}" if holder.isdigit() else "another process"
    finally:
        os.close(fd)  # also lets go of a shared lock taken above
    return None

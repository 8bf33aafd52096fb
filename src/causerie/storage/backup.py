"""Copies of a SQLite database taken while a server writes to it, through SQLite's backup API."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path


class BackupError(Exception):
    """The copy could not be made; the message says why."""


def sqlite_backup(source: Path, target: Path) -> int:
    """Copy ``source`` to ``target`` as one consistent snapshot and return its size in bytes.

    All pages are copied in one step, inside one read transaction: in WAL mode the server's
    writers go on meanwhile, and the copy holds exactly what was committed when it began. It is
    written beside ``target`` and renamed into place once checked, so a failed copy leaves no
    half file under the name.
    """
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists already; name a new file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # The copy stands alone: no WAL beside it, whatever mode the server runs in.
            dst.execute("PRAGMA journal_mode=DELETE")
            (result,) = dst.execute("PRAGMA quick_check").fetchone()
            if result != "ok":
                raise BackupError(f"the copy failed its check: {result}")
        finally:
            dst.close()
        partial.replace(target)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy {source}: {exc}") from None
    finally:
        src.close()
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return target.stat().st_size

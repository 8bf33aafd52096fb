"""Quotas as Nextcloud writes them ("1 GB", "500MB", "none") and the figures clients read."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from causerie.services.config.appconfig import LEXICON, AppConfig, Key
from causerie.services.errors import InvalidConfigValue
from causerie.storage.db import Conn
from causerie.storage.files import nodes as store

FILES_APP = "files"
DEFAULT_QUOTA_KEY = "default_quota"
# Nextcloud's FileInfo::SPACE_UNLIMITED: what ``quota``, ``free`` and ``total`` say without a quota.
SPACE_UNLIMITED = -3
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3,
          "t": 1024**4, "tb": 1024**4, "p": 1024**5, "pb": 1024**5}  # fmt: skip
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?b?)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int | None:
    """Bytes for "1 GB" (Nextcloud counts in 1024s), None for "none"/"unlimited"/"default"."""
    lowered = text.strip().lower()
    if lowered in ("none", "unlimited", "default", ""):
        return None
    match = _SIZE.match(lowered)
    if match is None:
        raise InvalidConfigValue(f"{text!r} is not a size (e.g. 1 GB, 500 MB, none)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def human(size: int | None) -> str:
    if size is None:
        return "none"
    for unit, factor in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


def _check_quota(value: Any) -> None:
    parse_size(str(value))


LEXICON.add(FILES_APP, Key(DEFAULT_QUOTA_KEY, "string", "none", validate=_check_quota, help="e.g. 5 GB, or none"))


async def quota_of(conn: Conn, uid: str) -> int | None:
    """The user's quota in bytes (its own setting, else the default); None: unlimited."""
    own = await store.quota(conn, uid)
    if own is not None:
        return own
    config = await AppConfig.load(conn, FILES_APP)
    return parse_size(config.string(DEFAULT_QUOTA_KEY))


@dataclass(frozen=True)
class Usage:
    used: int
    quota: int | None

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)


async def usage(conn: Conn, uid: str) -> Usage:
    return Usage(await store.used_bytes(conn, uid), await quota_of(conn, uid))


def disk_free(path: Path) -> int:
    """Free bytes where the store writes (for "unlimited" users, as Nextcloud reports the disk's)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def figures(found: Usage, free_space: int) -> dict[str, Any]:
    """``quota`` of ``GET /cloud/user``: Desktop hides its upload button unless ``free`` is non-zero."""
    if found.quota is None:
        total = found.used + free_space
        relative = round(found.used * 100 / total, 2) if total else 0
        return {"free": free_space, "used": found.used, "total": total, "relative": relative, "quota": SPACE_UNLIMITED}
    free = found.remaining or 0
    relative = round(found.used * 100 / found.quota, 2) if found.quota else 100
    return {"free": free, "used": found.used, "total": found.quota, "relative": relative, "quota": found.quota}

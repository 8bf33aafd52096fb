"""Reading one's notifications (the notifications app's EndpointController): newest first, each
rendered for the recipient, with the list's ETag."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from causerie.services.accounts.users import display_names
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.notifications.render import Context, Stored, api_object
from causerie.services.rooms.participants import admin_default_permissions
from causerie.storage.db import Conn
from causerie.storage.notifications import notifications as store

# As many ids as ``exists`` checks at once.
EXISTS_MAX = 200


def etag(ids: Sequence[int]) -> str:
    """``md5(json_encode(ids))``: changes only when the set or order of notifications does."""
    return hashlib.md5(json.dumps(list(ids), separators=(",", ":")).encode(), usedforsecurity=False).hexdigest()


def icon_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/apps/spreed/img/app-dark.svg"


@dataclass
class Listing:
    data: list[dict[str, Any]] = field(default_factory=list)
    # Notifications found not to apply any more: the caller removes them.
    stale: list[int] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return etag([item["notification_id"] for item in self.data])


async def _render(conn: Conn, rows: Sequence[Any], base_url: str, now: int) -> Listing:
    found = [Stored.of(row) for row in rows]
    wanted = sorted(set().union(*(stored.names_wanted() for stored in found))) if found else []
    ctx = Context(
        base_url=base_url,
        names=await display_names(conn, wanted) if wanted else {},
        admin_default_permissions=admin_default_permissions(await AppConfig.load(conn, APP)),
        now=now,
    )
    listing = Listing()
    icon = icon_url(base_url)
    for stored in found:
        rendered = api_object(stored, ctx, icon)
        if rendered is None:
            listing.stale.append(stored.id)
        else:
            listing.data.append(rendered)
    return listing


async def of_user(conn: Conn, uid: str, base_url: str, now: int) -> Listing:
    return await _render(conn, await store.of_user(conn, uid), base_url, now)


async def one(conn: Conn, uid: str, notification_id: int, base_url: str, now: int) -> Listing:
    row = await store.one(conn, uid, notification_id) if notification_id > 0 else None
    return Listing() if row is None else await _render(conn, [row], base_url, now)


async def existing(conn: Conn, uid: str, ids: Sequence[int]) -> list[int]:
    return await store.existing(conn, uid, [i for i in ids if i > 0])

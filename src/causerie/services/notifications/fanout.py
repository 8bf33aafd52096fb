"""Pushing notifications to the recipients' devices: one web push job per device, enqueued in the
transaction that created (or deleted) the notifications, as Nextcloud's notifications app pushes
them: new ones with their id, type and object (``object-data``), deleted ones as ``delete`` signals.
Users whose status is "do not disturb" get no pushes of new notifications, as in Nextcloud."""

from __future__ import annotations

from collections.abc import Sequence

from causerie.services.accounts.users import display_names
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.notifications.render import Context, Stored, push_payload
from causerie.services.push import delivery, subscriptions
from causerie.services.rooms.participants import admin_default_permissions
from causerie.services.status import statuses
from causerie.storage.db import Conn

APP_ID = "spreed"
# Talk's pushes ask push services to deliver at once (RFC 8030 ``Urgency``).
URGENCY = "high"
# Nextcloud sends the ids of deleted Talk notifications in batches of this many.
DELETE_BATCH = 10


async def push_new(conn: Conn, items: Sequence[Stored], now: int, base_url: str) -> bool:
    """Enqueue a push of each new notification to its recipient's devices; True when any was."""
    devices = await subscriptions.devices_for(conn, sorted({item.uid for item in items}), APP_ID)
    if not devices:
        return False
    quiet = {
        uid
        for uid, status in (await statuses.of_users(conn, list(devices), now)).items()
        if status.status == statuses.DND
    }
    wanted = [item for item in items if item.uid in devices and item.uid not in quiet]
    if not wanted:
        return False
    names = await display_names(conn, sorted(set().union(*(item.names_wanted() for item in wanted))))
    admin_default = admin_default_permissions(await AppConfig.load(conn, APP))
    ctx = Context(base_url, names, admin_default, now, for_push=True)
    pushed = False
    for item in wanted:
        payload = push_payload(item, ctx)
        if payload is None:
            continue
        for device in devices[item.uid]:
            await delivery.enqueue(conn, device.id, payload, urgency=URGENCY)
            pushed = True
    return pushed


async def push_deleted(conn: Conn, removed: Sequence[tuple[int, str]]) -> bool:
    """Tell the devices of the recipients of ``removed`` (id, uid) notifications to drop them."""
    by_user: dict[str, list[int]] = {}
    for notification_id, uid in removed:
        by_user.setdefault(uid, []).append(notification_id)
    devices = await subscriptions.devices_for(conn, sorted(by_user), APP_ID)
    pushed = False
    for uid, ids in by_user.items():
        for device in devices.get(uid, []):
            for start in range(0, len(ids), DELETE_BATCH):
                batch = sorted(ids)[start : start + DELETE_BATCH]
                payload = (
                    {"nid": batch[0], "delete": True} if len(batch) == 1 else {"nids": batch, "delete-multiple": True}
                )
                await delivery.enqueue(conn, device.id, payload, urgency=URGENCY)
                pushed = True
    return pushed


async def push_deleted_all(conn: Conn, uid: str) -> bool:
    devices = (await subscriptions.devices_for(conn, [uid], APP_ID)).get(uid, [])
    for device in devices:
        await delivery.enqueue(conn, device.id, {"delete-all": True}, urgency=URGENCY)
    return bool(devices)

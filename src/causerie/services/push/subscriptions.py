"""Web push subscriptions as Nextcloud's WebPushController keeps them: one per device (a user's app
password), registered with the keys of the subscription the device made at its push service, and
active once the device echoes the token of the first push it got.

Answers are the controller's: ``{"message": "INVALID_P256DH"}`` and so on with 400, 200 for an
unchanged registration, 201 for a new one, 202 for an activation or a removal.
"""

from __future__ import annotations

import base64
import hmac
import re
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from causerie.services.accounts.hashing import app_password_hash
from causerie.services.errors import BadRequest, DomainError, NotFound
from causerie.services.push import delivery, hosts
from causerie.storage import rows
from causerie.storage.db import Conn
from causerie.storage.push import subscriptions as store

_P256DH = re.compile(r"^[A-Za-z0-9_-]{87}=*$")
_AUTH = re.compile(r"^[A-Za-z0-9_-]{22}=*$")
MAX_APP_TYPES_LENGTH = 256
# The app names Nextcloud's push filter counts as Talk.
TALK_APPS = ("spreed", "talk", "admin_notification_talk")


@dataclass(frozen=True)
class Subscription:
    id: int
    uid: str
    app_password_id: int
    endpoint: str
    p256dh: str
    auth: str
    app_types: str
    activation_token: str
    activated: bool


def _refuse(reason: str) -> BadRequest:
    return BadRequest(data={"message": reason})


def _decode(value: str) -> bytes:
    stripped = value.rstrip("=")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


def valid_p256dh(key: str) -> bool:
    if len(key) > 128 or not _P256DH.match(key):
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _decode(key))
    except ValueError:
        return False
    return True


def valid_auth(auth: str) -> bool:
    return len(auth) <= 64 and bool(_AUTH.match(auth)) and len(_decode(auth)) == 16


def wants(app_types: str, app: str) -> bool:
    """Nextcloud's filter: the app is listed, or ``all`` is and ``-app`` is not; Talk's app names
    all count as ``talk``."""
    names = {name.strip() for name in app_types.split(",") if name.strip()}
    aliases = {"talk", *TALK_APPS} if app in TALK_APPS else {app}
    if names & aliases:
        return True
    return "all" in names and not {f"-{alias}" for alias in aliases} & names


async def device_of(conn: Conn, uid: str, secret: str) -> int | None:
    """The app password a request authenticated with (its id), or None for a login password."""
    return await store.app_password_id(conn, uid, app_password_hash(secret))


async def register(
    conn: Conn,
    uid: str,
    device: int,
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    app_types: str,
    allow_local: bool,
    now: int,
) -> int:
    """Store the device's subscription; 201 (and an activation push on its way) when it is new or
    its keys changed, 200 when only the app filter changed."""
    if not valid_p256dh(p256dh):
        raise _refuse("INVALID_P256DH")
    if not valid_auth(auth):
        raise _refuse("INVALID_AUTH")
    if not hosts.valid_endpoint(endpoint, allow_local=allow_local):
        raise _refuse("INVALID_ENDPOINT")
    if len(app_types) > MAX_APP_TYPES_LENGTH:
        raise _refuse("TOO_MANY_APP_TYPES")
    row = await store.of_device(conn, uid, device)
    current = None if row is None else rows.from_row(Subscription, row)
    if (
        current is not None
        and current.activated
        and (current.endpoint, current.p256dh, current.auth)
        == (
            endpoint,
            p256dh,
            auth,
        )
    ):
        await store.update_fields(conn, current.id, app_types=app_types)
        return 200
    if current is not None:
        await store.delete_of_device(conn, uid, device)
    token = str(uuid.uuid4())
    await store.insert(
        conn,
        uid=uid,
        app_password_id=device,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        app_types=app_types,
        activation_token=token,
        activated=False,
        created_at=now,
    )
    created = await store.of_device(conn, uid, device)
    assert created is not None
    await delivery.enqueue(conn, int(created.id), {"activationToken": token}, urgency="normal", activation=True)
    return 201


async def activate(conn: Conn, uid: str, device: int, token: str) -> int:
    row = await store.of_device(conn, uid, device)
    if row is None:
        raise NotFound(data={"message": "NO_PUSH_SUBSCRIPTION"})
    current = rows.from_row(Subscription, row)
    if current.activated:
        return 200
    if not hmac.compare_digest(current.activation_token.encode(), token.encode()):
        raise _refuse("INVALID_ACTIVATION_TOKEN")
    await store.update_fields(conn, current.id, activated=True)
    return 202


async def remove(conn: Conn, uid: str, device: int) -> int:
    return 202 if await store.delete_of_device(conn, uid, device) else 200


async def devices_for(conn: Conn, uids: list[str], app: str) -> dict[str, list[Subscription]]:
    """The activated subscriptions of each user that take notifications of ``app``."""
    found: dict[str, list[Subscription]] = {}
    for row in await store.activated_of(conn, uids):
        subscription = rows.from_row(Subscription, row)
        if wants(subscription.app_types, app):
            found.setdefault(subscription.uid, []).append(subscription)
    return found


def refused(reason: str, status: int) -> DomainError:
    """An answer of the controller's with a reason (403 ``WEBPUSH_DISABLED``, 400 ``INVALID_SESSION_TOKEN``)."""
    return DomainError(status=status, data={"message": reason})

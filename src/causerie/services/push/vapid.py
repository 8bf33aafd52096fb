"""The server's VAPID key pair (RFC 8292), made once and kept, and the headers that sign a push.

The private key is kept in app config (``notifications`` ``webpush_vapid_privkey``, sensitive) as
Nextcloud keeps it; the public key is derived from it, so that processes making the key at the same
moment agree: the first insert wins, and everyone reads back what was stored.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from causerie.services.config.appconfig import AppConfig
from causerie.services.config.notifications_config import APP, VAPID_PRIVATE_KEY, VAPID_SUBJECT
from causerie.storage.config import appconfig as config_store
from causerie.storage.config.appconfig import StoredValue
from causerie.storage.db import Database

# A VAPID token may live 24 hours; pushes are signed afresh, well within that.
TOKEN_LIFETIME_S = 12 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class VapidKeys:
    private_key: ec.EllipticCurvePrivateKey
    subject: str

    @property
    def public_key(self) -> str:
        """The uncompressed P-256 point, base64url without padding (87 characters), as clients
        pass it to their push service."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)


def _new_private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def default_subject(base_url: str) -> str:
    """A contact for push services when the operator set none: the server's https URL, else a
    postmaster address at its host."""
    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return f"https://{parts.netloc}"
    host = parts.hostname or ""
    return f"mailto:postmaster@{host}" if "." in host else "mailto:postmaster@localhost"


async def keys(db: Database, base_url: str) -> VapidKeys:
    """The key pair, made on first use."""
    async with db.read() as conn:
        config = await AppConfig.load(conn, APP)
    private = config.string(VAPID_PRIVATE_KEY)
    if not private:
        async with db.write() as conn:
            await config_store.insert_if_absent(
                conn, APP, StoredValue(VAPID_PRIVATE_KEY, _new_private_key(), "string", True)
            )
            config = await AppConfig.load(conn, APP)
        private = config.string(VAPID_PRIVATE_KEY)
    subject = config.string(VAPID_SUBJECT) or default_subject(base_url)
    return VapidKeys(Vapid02.from_raw(private.encode()).private_key, subject)


def headers(vapid: VapidKeys, endpoint: str, now: float | None = None) -> dict[str, str]:
    """``Authorization: vapid t=<JWT for the endpoint's origin>, k=<public key>``."""
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int((time.time() if now is None else now) + TOKEN_LIFETIME_S),
        "sub": vapid.subject,
    }
    signed: dict[str, str] = Vapid02(vapid.private_key).sign(claims)
    return {"Authorization": signed["Authorization"]}

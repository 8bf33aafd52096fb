"""Credentials for the external signaling server: Talk's v1 tickets and v2 JWTs.

- **v1 ticket** ``"<16 random>:<unix ts>:<user id>:<hex HMAC-SHA256(secret, first three parts)>"``; the
  signaling server hands it back to ``/signaling/backend`` (``auth`` request) to learn who connects.
  Talk keeps one random 255-character secret per user (a user preference) and one for guests (app
  config ``signaling_ticket_secret``). Causerie keeps only the app config one and derives each user's
  secret from it with HMAC-SHA256(secret, "user:" + uid), so no per-user table is needed; a ticket
  still only validates for the user it names.
- **v2 token** a JWT ``{iss, iat, exp: iat + 60, sub?, userdata?: {displayname}}`` signed with the
  private key of ``signaling_token_alg`` (ES256 by default; ES384, RS256, RS384, RS512 and EdDSA
  too). The key pair is kept in app config as ``signaling_token_privkey_<alg>`` /
  ``signaling_token_pubkey_<alg>``, as Talk keeps it; the public key is published in the
  capabilities (``config.signaling.hello-v2-token-key``), where the signaling server fetches it to
  verify tokens. The server makes the keys when it starts, and the capabilities make them for an
  algorithm changed with ``occ`` afterwards, so the key is announced from the very first answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from causerie.services.config.appconfig import AppConfig
from causerie.services.config.signaling import ALGORITHMS, DEFAULT_ALGORITHM, private_key_name, public_key_name
from causerie.storage.config import appconfig as config_store
from causerie.storage.config.appconfig import StoredValue
from causerie.storage.db import Conn, Database

APP = "spreed"
TICKET_SECRET_KEY = "signaling_ticket_secret"
TOKEN_LIFETIME_S = 60

# ISecureRandom::generate's default alphabet; Talk's tickets, TURN user names and session ids use it.
RANDOM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def random_string(length: int) -> str:
    return "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(length))


def token_algorithm(config: AppConfig) -> str:
    alg = config.string("signaling_token_alg", DEFAULT_ALGORITHM)
    return alg if alg in ALGORITHMS else DEFAULT_ALGORITHM


# --- v1 tickets -----------------------------------------------------------------------------------


def _ticket_key(app_secret: str, user_id: str | None) -> bytes:
    if not user_id:
        return app_secret.encode()
    return hmac.new(app_secret.encode(), f"user:{user_id}".encode(), hashlib.sha256).hexdigest().encode()


def make_ticket(app_secret: str, user_id: str | None, now: int) -> str:
    data = f"{random_string(16)}:{now}:{user_id or ''}"
    checksum = hmac.new(_ticket_key(app_secret, user_id), data.encode(), hashlib.sha256).hexdigest()
    return f"{data}:{checksum}"


def ticket_is_valid(app_secret: str, user_id: str | None, ticket: str) -> bool:
    """Talk's ``validateSignalingTicket`` (tickets do not expire there either)."""
    if not app_secret or not isinstance(ticket, str):
        return False
    data, sep, checksum = ticket.rpartition(":")
    parts = data.split(":", 2)
    if not sep or len(parts) != 3 or parts[2] != (user_id or ""):
        return False
    expected = hmac.new(_ticket_key(app_secret, user_id), data.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, checksum)


# --- v2 tokens (JWT) ------------------------------------------------------------------------------


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def generate_private_key(alg: str) -> str:
    """A new private key in Talk's storage format: PEM, or a base64 libsodium secret key for EdDSA."""
    if alg == "EdDSA":
        ed_key = ed25519.Ed25519PrivateKey.generate()
        seed = ed_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        public = ed_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        # libsodium's secret key is the seed followed by the public key.
        return base64.b64encode(seed + public).decode()
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if alg.startswith("ES"):
        key = ec.generate_private_key(ec.SECP256R1() if alg == "ES256" else ec.SECP384R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_key_of(alg: str, private: str) -> str:
    """The public half as Talk publishes it: PEM, or base64 of the raw Ed25519 key."""
    if alg == "EdDSA":
        return base64.b64encode(base64.b64decode(private)[32:]).decode()
    key = serialization.load_pem_private_key(private.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _sign(alg: str, private: str, message: bytes) -> bytes:
    if alg == "EdDSA":
        seed = base64.b64decode(private)[:32]
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed).sign(message)
    key = serialization.load_pem_private_key(private.encode(), password=None)
    digest: hashes.HashAlgorithm = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}[alg[2:]]
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(message, ec.ECDSA(digest)))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(message, padding.PKCS1v15(), digest)
    raise ValueError(f"the stored key does not fit {alg}")


def make_token(alg: str, private: str, issuer: str, now: int, user_id: str | None, display_name: str | None) -> str:
    claims: dict[str, Any] = {"iss": issuer, "iat": now, "exp": now + TOKEN_LIFETIME_S}
    if user_id:
        claims["sub"] = user_id
        claims["userdata"] = {"displayname": display_name or user_id}
    signing_input = f"{_b64url(_json({'typ': 'JWT', 'alg': alg}))}.{_b64url(_json(claims))}"
    return f"{signing_input}.{_b64url(_sign(alg, private, signing_input.encode()))}"


# --- keys kept in app config ----------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKeys:
    ticket_secret: str
    alg: str
    private_key: str
    public_key: str


def stored_keys(config: AppConfig) -> SigningKeys | None:
    """The keys, when both exist already (no write needed)."""
    alg = token_algorithm(config)
    secret = config.string(TICKET_SECRET_KEY)
    private, public = config.string(private_key_name(alg)), config.string(public_key_name(alg))
    if not secret or not private or not public:
        return None
    return SigningKeys(secret, alg, private, public)


async def ensure_keys(conn: Conn, config: AppConfig) -> SigningKeys:
    """Create the ticket secret and the token key pair if missing, inside a write transaction.

    Concurrent first requests race to insert; the first insert wins and every caller reads back the
    stored values, so no ticket is ever signed with a key that was then thrown away.
    """
    alg = token_algorithm(config)
    if not config.string(TICKET_SECRET_KEY):
        secret = StoredValue(TICKET_SECRET_KEY, random_string(255), "string", True)
        await config_store.insert_if_absent(conn, APP, secret)
    if not config.string(private_key_name(alg)):
        private = StoredValue(private_key_name(alg), generate_private_key(alg), "string", True)
        await config_store.insert_if_absent(conn, APP, private)
    stored = await config_store.load_app(conn, APP)
    if not stored.get(public_key_name(alg)):
        # Derived from the stored private key, so concurrent writers agree on it; inserting
        # (rather than replacing) lets the second of two processes on PostgreSQL simply do nothing.
        public = public_key_of(alg, stored[private_key_name(alg)].value)
        await config_store.insert_if_absent(conn, APP, StoredValue(public_key_name(alg), public, "string", False))
        stored = await config_store.load_app(conn, APP)
    keys = stored_keys(AppConfig(APP, stored))
    assert keys is not None
    return keys


async def config_with_keys(db: Database) -> AppConfig:
    """The ``spreed`` app config, with the keys of the current algorithm created first if missing."""
    async with db.read() as conn:
        config = await AppConfig.load(conn, APP)
    if stored_keys(config) is None:
        async with db.write() as conn:
            await ensure_keys(conn, config)
            config = await AppConfig.load(conn, APP)
    return config

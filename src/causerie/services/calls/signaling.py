"""What clients need to set up calls (``/signaling/settings``), and the checksum that authenticates
the external signaling server's requests to ``/signaling/backend``.

TURN credentials follow the TURN REST API scheme that coturn implements with ``use-auth-secret``:
the user name is ``"<expiry unix time>:<random>"`` and the password is
``base64(HMAC-SHA1(static-auth-secret, user name))``. coturn recomputes the HMAC and refuses the
credentials once the expiry has passed, so nothing about them is stored here. They are valid for
24 hours, as Talk makes them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from causerie.services.calls.signaling_tickets import SigningKeys, make_ticket, make_token, random_string, stored_keys
from causerie.services.config import signaling as cfg
from causerie.services.config.appconfig import AppConfig

TURN_CREDENTIAL_LIFETIME_S = 86400
# The standalone signaling server sends at least 32 characters of random data with every request.
MIN_RANDOM_LENGTH = 32


@dataclass(frozen=True)
class Caller:
    """Who asks for settings: a user (id and display name) or a guest (no id)."""

    user_id: str | None
    display_name: str | None = None


def stun_entries(config: AppConfig) -> list[dict[str, Any]]:
    urls = [f"stun:{server}" for server in cfg.stun_servers(config)]
    return [{"urls": urls}] if urls else []


def turn_credential(secret: str, username: str) -> str:
    """coturn's ``use-auth-secret`` password for ``username``."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def turn_entries(config: AppConfig, now: int) -> list[dict[str, Any]]:
    servers = cfg.turn_servers(config)
    # One user name for every server of a response, as Talk does.
    username = f"{now + TURN_CREDENTIAL_LIFETIME_S}:{random_string(16)}"
    entries = []
    for server in servers:
        urls = [
            f"{scheme}:{server.server}?transport={protocol}"
            for scheme in server.schemes
            for protocol in server.protocols
        ]
        if server.username is not None and server.password is not None:
            entries.append({"urls": urls, "username": server.username, "credential": server.password})
        else:
            entries.append({"urls": urls, "username": username, "credential": turn_credential(server.secret, username)})
    return entries


def server_for(config: AppConfig, room_id: int | None) -> str:
    """The signaling server URL for a conversation; empty with internal signaling.

    With several servers a conversation always gets the same one (its id picks it), so that all
    its participants meet on one server.
    """
    if cfg.signaling_mode(config) == cfg.MODE_INTERNAL:
        return ""
    servers = cfg.signaling_servers(config)
    if not servers:
        return ""
    return servers[(room_id or 0) % len(servers)].server


def settings(
    config: AppConfig, keys: SigningKeys, caller: Caller, *, room_id: int | None, issuer: str, now: int
) -> dict[str, Any]:
    """The ``SignalingSettings`` object of ``GET /signaling/settings``."""
    server = server_for(config, room_id)
    ticket = make_ticket(keys.ticket_secret, caller.user_id, now)
    token = make_token(keys.alg, keys.private_key, issuer, now, caller.user_id, caller.display_name)
    return {
        "signalingMode": cfg.signaling_mode(config),
        "userId": caller.user_id,
        "hideWarning": server != "" or cfg.hide_warning(config),
        "server": server,
        "ticket": ticket,
        "helloAuthParams": {"1.0": {"userid": caller.user_id, "ticket": ticket}, "2.0": {"token": token}},
        "federation": None,
        "stunservers": stun_entries(config),
        "turnservers": turn_entries(config, now),
        "sipDialinInfo": "",
    }


def backend_checksum(secret: str, random: str, body: bytes) -> str:
    return hmac.new(secret.encode(), random.encode() + body, hashlib.sha256).hexdigest()


def backend_request_is_valid(config: AppConfig, random: str | None, checksum: str | None, body: bytes) -> bool:
    """``Spreed-Signaling-Checksum`` = hex HMAC-SHA256(secret, random + body), random >= 32 characters.

    Unlike Talk, an empty secret (no signaling server configured) authenticates nothing: an HMAC
    with an empty key is one anybody can compute.
    """
    secret = cfg.signaling_secret(config)
    if not secret or not random or len(random) < MIN_RANDOM_LENGTH or not checksum:
        return False
    return hmac.compare_digest(backend_checksum(secret, random, body), checksum.lower())


def announced_mode(config: AppConfig) -> str:
    """``config.signaling.mode`` of the capabilities."""
    return cfg.signaling_mode(config)


def announced_token_key(config: AppConfig) -> str | None:
    """``config.signaling.hello-v2-token-key`` of the capabilities."""
    # Made at start-up (or by the capabilities request, after an algorithm change), so present
    # whenever a client or the signaling server reads it; a None here only means a config read
    # elsewhere (the talk hash) raced an algorithm change.
    keys = stored_keys(config)
    return keys.public_key if keys is not None else None

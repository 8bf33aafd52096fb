"""The signaling configuration Talk keeps in app config: STUN, TURN and signaling servers.

The formats are Talk's own, so that values copied from a Nextcloud install work unchanged:

- ``stun_servers``: ``["stun.example.org:3478", …]``
- ``turn_servers``: ``[{"schemes": "turn,turns", "server": "turn.example.org:3478", "secret": "…",
  "protocols": "udp,tcp"}, …]`` (a static ``username``/``password`` pair may replace ``secret``)
- ``signaling_servers``: ``{"servers": [{"server": "https://signaling.example.org", "verify": true}],
  "secret": "…"}``

``occ config:app:set`` refuses anything else with a message that says what is wrong; readers here
are still defensive, because a database may hold values written before the checks existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from causerie.services.config.appconfig import AppConfig
from causerie.services.errors import InvalidConfigValue

MODE_INTERNAL = "internal"
MODE_EXTERNAL = "external"
MODE_CLUSTER = "conversation_cluster"
MODES = (MODE_INTERNAL, MODE_EXTERNAL, MODE_CLUSTER)

# JWT algorithms Talk signs hello v2 tokens with (``signaling_token_alg``).
ALGORITHMS = ("ES256", "ES384", "RS256", "RS384", "RS512", "EdDSA")
DEFAULT_ALGORITHM = "ES256"

TURN_SCHEMES = ("turn", "turns")
TURN_PROTOCOLS = ("udp", "tcp")

_HOST_PORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$")


def _check_host_port(value: Any, what: str) -> None:
    match = _HOST_PORT.match(value) if isinstance(value, str) else None
    if match is None or not 0 < int(match.group(1)) < 65536:
        raise InvalidConfigValue(f"{what} {value!r} must be host:port, e.g. turn.example.org:3478 (no scheme)")


def _check_list(value: Any, allowed: tuple[str, ...], what: str) -> None:
    items = value.split(",") if isinstance(value, str) else None
    if not items or any(item not in allowed for item in items):
        raise InvalidConfigValue(f"{what} must be a comma-separated list of {', '.join(allowed)}; got {value!r}")


def check_stun_servers(value: Any) -> None:
    if not isinstance(value, list):
        raise InvalidConfigValue('stun_servers must be a JSON array of "host:port" strings')
    for entry in value:
        _check_host_port(entry, "STUN server")


def check_turn_servers(value: Any) -> None:
    if not isinstance(value, list):
        raise InvalidConfigValue(
            'turn_servers must be a JSON array of {"schemes", "server", "secret", "protocols"} objects'
        )
    for entry in value:
        if not isinstance(entry, dict):
            raise InvalidConfigValue(f"TURN server {entry!r} must be an object")
        _check_host_port(entry.get("server"), "TURN server")
        _check_list(entry.get("schemes", "turn"), TURN_SCHEMES, "schemes")
        _check_list(entry.get("protocols"), TURN_PROTOCOLS, "protocols")
        static = isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str)
        if not static and not (isinstance(entry.get("secret"), str) and entry["secret"]):
            raise InvalidConfigValue(
                f"TURN server {entry.get('server')} needs the shared secret of coturn's static-auth-secret "
                "(or a static username and password)"
            )


def check_signaling_servers(value: Any) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("servers", []), list):
        raise InvalidConfigValue(
            'signaling_servers must be a JSON object {"servers": [{"server": "https://…", "verify": true}], '
            '"secret": "…"}'
        )
    servers = value.get("servers", [])
    for entry in servers:
        url = entry.get("server") if isinstance(entry, dict) else None
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in {"http", "https", "ws", "wss"} or not parts.hostname:
            raise InvalidConfigValue(f"signaling server {url!r} must be an http(s):// or ws(s):// URL")
        if not isinstance(entry.get("verify", True), bool):
            raise InvalidConfigValue("verify must be true or false")
    if servers and not (isinstance(value.get("secret"), str) and value["secret"]):
        raise InvalidConfigValue("signaling_servers needs the secret shared with the signaling server")


def check_mode(value: Any) -> None:
    if value not in ("", *MODES):
        raise InvalidConfigValue(f"signaling_mode must be one of {', '.join(MODES)}")


def check_token_alg(value: Any) -> None:
    if value not in ALGORITHMS:
        raise InvalidConfigValue(f"signaling_token_alg must be one of {', '.join(ALGORITHMS)}")


def private_key_name(alg: str) -> str:
    return f"signaling_token_privkey_{alg.lower()}"


def public_key_name(alg: str) -> str:
    return f"signaling_token_pubkey_{alg.lower()}"


def check_yes_no(value: Any) -> None:
    if value not in ("yes", "no"):
        raise InvalidConfigValue("use yes or no")


@dataclass(frozen=True)
class TurnServer:
    schemes: tuple[str, ...]
    server: str
    protocols: tuple[str, ...]
    secret: str
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True)
class SignalingServer:
    server: str
    verify: bool


def stun_servers(config: AppConfig) -> list[str]:
    """Configured STUN servers; none by default (Talk's stun.nextcloud.com is not assumed)."""
    return [entry for entry in config.array("stun_servers") if isinstance(entry, str) and entry]


def _csv(value: Any, default: str) -> tuple[str, ...]:
    text = value if isinstance(value, str) and value else default
    return tuple(part for part in text.split(",") if part)


def turn_servers(config: AppConfig) -> list[TurnServer]:
    found = []
    for entry in config.array("turn_servers"):
        if not isinstance(entry, dict) or not isinstance(entry.get("server"), str):
            continue
        username, password = entry.get("username"), entry.get("password")
        static = isinstance(username, str) and isinstance(password, str)
        found.append(
            TurnServer(
                schemes=_csv(entry.get("schemes"), "turn"),
                server=entry["server"],
                protocols=_csv(entry.get("protocols"), "udp,tcp"),
                secret=str(entry.get("secret") or ""),
                username=username if static else None,
                password=password if static else None,
            )
        )
    return found


def _signaling(config: AppConfig) -> dict[str, Any]:
    value = config.value("signaling_servers")
    return value if isinstance(value, dict) else {}


def signaling_servers(config: AppConfig) -> list[SignalingServer]:
    servers = _signaling(config).get("servers")
    if not isinstance(servers, list):
        return []
    return [
        SignalingServer(str(s["server"]).rstrip("/"), s.get("verify", True) is not False)
        for s in servers
        if isinstance(s, dict) and isinstance(s.get("server"), str) and s["server"]
    ]


def signaling_secret(config: AppConfig) -> str:
    secret = _signaling(config).get("secret")
    return secret if isinstance(secret, str) else ""


def signaling_mode(config: AppConfig) -> str:
    """Talk's ``Config::getSignalingMode``: internal without servers, external with one."""
    wanted = config.string("signaling_mode")
    count = len(signaling_servers(config))
    if wanted == MODE_INTERNAL or count == 0:
        return MODE_INTERNAL
    if count == 1:
        return MODE_EXTERNAL
    return wanted if wanted in MODES else MODE_EXTERNAL


def hide_warning(config: AppConfig) -> bool:
    return config.string("hide_signaling_warning") == "yes"

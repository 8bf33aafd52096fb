"""The ``spreed`` app's configuration keys, with their types, defaults and checks."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from causerie.services.config import (
    notifications_config,  # noqa: F401  (its keys are known wherever Talk's are)
    signaling,
)
from causerie.services.config.appconfig import LEXICON, Key
from causerie.services.errors import InvalidConfigValue

APP = "spreed"
SHARED_SECRET_MIN_LENGTH = 64


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, or None.

    Strict on purpose: origins end up in CSP and Permissions-Policy headers, where a stray ``;``,
    space or quote would add directives.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in {"http", "https"} or not host:
        return None
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
        host = f"[{host}]"
    elif not _HOST.match(host):
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def _check_service_url(value: Any) -> None:
    if value == "":
        return
    if not isinstance(value, str) or origin_of(value) is None:
        raise InvalidConfigValue("external_call_service must be an http:// or https:// URL")
    if "{meetingId}" not in value:
        raise InvalidConfigValue(
            "external_call_service must contain {meetingId}, which is replaced by the conversation's objectId"
        )


def _check_frame_origins(value: Any) -> None:
    if not isinstance(value, list):
        raise InvalidConfigValue("external_call_service_frame_origins must be a JSON array of origins")
    for entry in value:
        if (
            not isinstance(entry, str)
            or origin_of(entry) != entry.rstrip("/").lower()
            or urlsplit(entry).path not in {"", "/"}
        ):
            raise InvalidConfigValue(
                f"{entry!r} is not an origin: write scheme://host[:port], e.g. https://service.example.tld"
            )


def _check_shared_secret(value: Any) -> None:
    if value != "" and len(str(value)) < SHARED_SECRET_MIN_LENGTH:
        raise InvalidConfigValue(
            f"external_call_service_shared_secret must be at least {SHARED_SECRET_MIN_LENGTH} characters "
            f"(got {len(str(value))}); a-zA-Z0-9 recommended"
        )


def _check_timeout(value: Any) -> None:
    if not 0 < float(value) <= 60:
        raise InvalidConfigValue("timeouts are seconds, more than 0 and at most 60")


def _check_start_calls(value: Any) -> None:
    if value not in (0, 1, 2, 3):
        raise InvalidConfigValue(
            "start_calls must be 0 (everyone), 1 (users), 2 (moderators) or 3 (built-in calls off)"
        )


def _check_attachment_folder(value: Any) -> None:
    parts = str(value).split("/")
    if not str(value).startswith("/") or ".." in parts or any(not part.isprintable() for part in parts):
        raise InvalidConfigValue("default_attachment_folder must be a folder path starting with /, e.g. /Talk")


def _check_notification_level(value: Any) -> None:
    if int(value) not in (1, 2, 3):
        raise InvalidConfigValue("a notification level is 1 (always), 2 (mentions) or 3 (never)")


def _check_permissions(value: Any) -> None:
    if not 0 <= int(value) <= 255:
        raise InvalidConfigValue("permissions are a bit field from 0 to 255")


for key in (
    Key("start_calls", "integer", 0, validate=_check_start_calls, help="who may start calls; 3 disables them"),
    Key(
        "default_group_notification",
        "integer",
        2,
        validate=_check_notification_level,
        help="chat notifications of group conversations at the default level: 1 always, 2 mentions, 3 never",
    ),
    Key("start_conversations", "array", [], help="groups allowed to create conversations"),
    Key("default_permissions", "integer", 0, validate=_check_permissions),
    Key("delete_one_to_one_conversations", "boolean", False, help="allow deleting one-to-one conversations"),
    Key("default_attachment_folder", "string", "/Talk", validate=_check_attachment_folder, help="users' uploads"),
    Key("external_call_service", "string", "", validate=_check_service_url),
    Key("external_call_service_frame_origins", "array", [], validate=_check_frame_origins),
    Key("external_call_service_shared_secret", "string", "", sensitive=True, validate=_check_shared_secret),
    Key("external_call_service_auth_user", "string", ""),
    Key("external_call_service_auth_password", "string", "", sensitive=True),
    Key("external_call_service_iframe_field", "string", ""),
    # Causerie's own: Talk leaves these to the HTTP client's defaults (30 s and more).
    Key("external_call_service_connect_timeout", "float", 3.0, validate=_check_timeout, help="seconds"),
    Key("external_call_service_timeout", "float", 5.0, validate=_check_timeout, help="seconds to wait for an answer"),
    Key("stun_servers", "array", [], validate=signaling.check_stun_servers, help='["host:port", …]'),
    Key("turn_servers", "array", [], sensitive=True, validate=signaling.check_turn_servers),
    Key("signaling_servers", "array", {}, sensitive=True, validate=signaling.check_signaling_servers),
    Key("signaling_mode", "string", "", validate=signaling.check_mode),
    Key("hide_signaling_warning", "string", "no", validate=signaling.check_yes_no),
    # Created on first use, as Talk does; operators never need to set these.
    Key("signaling_ticket_secret", "string", "", sensitive=True),
    Key("signaling_token_alg", "string", "ES256", validate=signaling.check_token_alg),
    *(Key(signaling.private_key_name(alg), "string", "", sensitive=True) for alg in signaling.ALGORITHMS),
    *(Key(signaling.public_key_name(alg), "string", "") for alg in signaling.ALGORITHMS),
):
    LEXICON.add(APP, key)

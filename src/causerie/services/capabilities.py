"""The capabilities clients read: the Nextcloud version block and Talk's ``spreed`` entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from causerie import __version__
from causerie.services.appconfig import AppConfig
from causerie.services.users import User

NEXTCLOUD_VERSION = {"major": 31, "minor": 0, "micro": 2, "string": "31.0.2", "edition": "", "extendedSupport": False}
TALK_VERSION = "22.0.10"
CHAT_MAX_LENGTH = 32000
DESCRIPTION_MAX_LENGTH = 2000
SUPPORTED_REACTIONS = ["❤️", "🎉", "👏", "👋", "👍", "👎", "🔥", "😂", "🤩", "🤔", "😲", "😥"]

# The Talk features Causerie implements; clients switch behaviour on these.
FEATURES = [
    "audio",
    "video",
    "chat-v2",
    "conversation-v4",
    "guest-signaling",
    "empty-group-room",
    "guest-display-names",
    "multi-room-users",
    "favorites",
    "last-room-activity",
    "no-ping",
    "system-messages",
    "delete-messages",
    "mention-flag",
    "in-call-flags",
    "conversation-call-flags",
    "notification-levels",
    "invite-groups-and-mails",
    "locked-one-to-one-rooms",
    "read-only-rooms",
    "listable-rooms",
    "chat-read-marker",
    "chat-unread",
    "start-call-flag",
    "chat-replies",
    "chat-read-status",
    "room-description",
    "rich-object-sharing",
    "signaling-v3",
    "direct-mention-flag",
    "notification-calls",
    "conversation-permissions",
    "chat-permission",
    "silent-send",
    "silent-call",
    "session-state",
    "note-to-self",
    "edit-messages",
    "silent-send-state",
    "chat-read-last",
    "chat-reference-id",
    "delete-messages-unlimited",
    "reactions",
]
FEATURES_LOCAL = ["favorites", "chat-read-status", "listable-rooms", "note-to-self"]

# Later features contribute config sections here: (section, key) -> function of (config, user).
ConfigHook = Callable[[AppConfig, User | None], Any]
EXTRA_CONFIG: dict[tuple[str, str], ConfigHook] = {}


def spreed(config: AppConfig, user: User | None) -> dict[str, Any]:
    start_calls = config.integer("start_calls")
    call: dict[str, Any] = {
        "enabled": start_calls != 3,
        "breakout-rooms": False,
        "recording": False,
        "recording-consent": 0,
        "supported-reactions": SUPPORTED_REACTIONS,
        "predefined-backgrounds": [],
        "predefined-backgrounds-v2": [],
        "can-upload-background": False,
        "sip-enabled": False,
        "sip-dialout-enabled": False,
        "can-enable-sip": False,
        "start-without-media": False,
        "max-duration": 0,
        "blur-virtual-background": False,
        "end-to-end-encryption": False,
        "live-transcription": False,
        "play-sounds": True,
        "grid-limit": 19,
        "grid-limit-enforced": False,
    }
    result: dict[str, Any] = {
        "features": list(FEATURES),
        "features-local": list(FEATURES_LOCAL),
        "config": {
            "attachments": {"allowed": False},
            "call": call,
            "chat": {
                "max-length": CHAT_MAX_LENGTH,
                "read-privacy": 0,
                "has-translation-providers": False,
                "has-translation-task-providers": False,
                "typing-privacy": 0,
                "summary-threshold": 100,
                "matterbridge-enabled": False,
            },
            "conversations": {
                "can-create": user is not None,
                "force-passwords": False,
                "list-style": "two-lines",
                "description-length": DESCRIPTION_MAX_LENGTH,
                "retention-event": 28,
                "retention-phone": 7,
                "retention-instant-meetings": 1,
            },
            "federation": {
                "enabled": False,
                "incoming-enabled": False,
                "outgoing-enabled": False,
                "only-trusted-servers": True,
            },
            "previews": {"max-gif-size": 3145728},
            "signaling": {"session-ping-limit": 200},
            "experiments": {"enabled": 0},
            "permissions": {"max-default": 254, "max-custom": 255, "default": 246},
        },
        "config-local": {
            "attachments": ["allowed", "folder"],
            "call": [
                "predefined-backgrounds",
                "predefined-backgrounds-v2",
                "can-upload-background",
                "start-without-media",
                "blur-virtual-background",
                "play-sounds",
                "grid-limit",
                "grid-limit-enforced",
                "external-call-service",
            ],
            "chat": [
                "read-privacy",
                "has-translation-providers",
                "has-translation-task-providers",
                "typing-privacy",
                "summary-threshold",
                "matterbridge-enabled",
            ],
            "conversations": ["can-create", "list-style", "description-length"],
            "federation": ["enabled", "incoming-enabled", "outgoing-enabled", "only-trusted-servers"],
            "previews": ["max-gif-size"],
            "signaling": ["session-ping-limit", "hello-v2-token-key", "mode"],
            "experiments": ["enabled"],
            "permissions": [],
        },
        "version": TALK_VERSION,
    }
    for (section, key), hook in EXTRA_CONFIG.items():
        value = hook(config, user)
        if value is not None:
            result["config"].setdefault(section, {})[key] = value
    return result


def talk_hash(config: AppConfig, user: User | None) -> str:
    """``X-Nextcloud-Talk-Hash``: changes whenever the capabilities a client has cached change."""
    payload = json.dumps(spreed(config, user), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(payload.encode()).hexdigest()


def capabilities(config: AppConfig, user: User | None, bruteforce_delay_ms: int) -> dict[str, Any]:
    return {
        "version": NEXTCLOUD_VERSION,
        "capabilities": {
            "core": {"pollinterval": 60, "webdav-root": "remote.php/webdav", "reference-api": False},
            "bruteforce": {"delay": bruteforce_delay_ms, "allow-listed": False},
            "spreed": spreed(config, user),
            "causerie": {"version": __version__},
        },
    }

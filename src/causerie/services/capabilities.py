"""The capabilities clients read: the Nextcloud version block and Talk's ``spreed`` entry."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from causerie import __version__
from causerie.services.accounts.users import User
from causerie.services.calls import external_call, signaling
from causerie.services.chat import messages as chat
from causerie.services.config.appconfig import AppConfig
from causerie.services.rooms import settings as room_settings
from causerie.services.rooms.participants import admin_default_permissions

# One real pair, announced by status.php and the capabilities alike: Talk 22 is spreed's stable32
# branch, whose appinfo/info.xml requires Nextcloud 32 (min-version and max-version 32). Clients
# that compare the two (or log them in bug reports) must never see a pair that cannot exist.
TALK_VERSION = "22.0.10"
NEXTCLOUD_RELEASE = (32, 0, 5)
NEXTCLOUD_VERSION = {
    "major": NEXTCLOUD_RELEASE[0],
    "minor": NEXTCLOUD_RELEASE[1],
    "micro": NEXTCLOUD_RELEASE[2],
    "string": ".".join(map(str, NEXTCLOUD_RELEASE)),
    "edition": "",
    "extendedSupport": False,
}
SUPPORTED_REACTIONS = ["❤️", "🎉", "👏", "👋", "👍", "👎", "🔥", "😂", "🤩", "🤔", "😲", "😥"]

# The Talk features Causerie implements, and only those: clients switch behaviour (show a button,
# call an endpoint) on each. tests/api/test_capabilities.py walks every entry to a request that
# shows it working, so a feature cannot be announced before it is built.
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
    "signaling-v3",
    "clear-history",
    "direct-mention-flag",
    "notification-calls",
    "conversation-permissions",
    "chat-permission",
    "silent-send",
    "silent-call",
    "note-to-self",
    "edit-messages",
    "silent-send-state",
    "chat-read-last",
    "chat-get-context",
    "chat-reference-id",
    "delete-messages-unlimited",
    "reactions",
    "rich-object-list-media",
    "rich-object-delete",
    "media-caption",
    "voice-message-sharing",
    "avatar",
    "unified-search",
    "bots-v1",
    "remind-me-later",
    "upcoming-reminders",
]
FEATURES_LOCAL = [
    "favorites",
    "chat-read-status",
    "listable-rooms",
    "note-to-self",
    "avatar",
    "unified-search",
    "remind-me-later",
    "upcoming-reminders",
]

# The notifications app's block, listing what is implemented (official-clients.md §6.1): Android
# reads an empty ``ocs-endpoints`` as "no notifications app" and uses web push only with
# ``webpush``. No proxy push (``devices``), no test push, no admin notifications.
NOTIFICATIONS: dict[str, list[str]] = {
    "ocs-endpoints": [
        "list",
        "get",
        "delete",
        "delete-all",
        "icons",
        "rich-strings",
        "action-web",
        "user-status",
        "exists",
    ],
    "push": ["object-data", "delete", "webpush"],
    "admin-notifications": [],
}


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
            # Users share files (WebDAV, files_sharing); guests cannot upload, as in Talk.
            "attachments": {"allowed": user is not None},
            "call": call,
            "chat": {
                "max-length": chat.MAX_LENGTH,
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
                "description-length": room_settings.DESCRIPTION_MAX_LENGTH,
                # 0 = never deleted: nothing here removes inactive event, phone or instant-meeting
                # conversations, so announcing Talk's 28/7/1 days would promise a clean-up.
                "retention-event": 0,
                "retention-phone": 0,
                "retention-instant-meetings": 0,
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
            "permissions": {
                "max-default": 254,
                "max-custom": 255,
                "default": admin_default_permissions(config),
            },
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
    if user is not None:
        # Talk: the user's own attachment folder, else the admin's default (there are no per-user
        # settings here yet, so always the default); guests get none.
        result["config"]["attachments"]["folder"] = config.string("default_attachment_folder")
    url_template = external_call.announced_url_template(config)
    if url_template is not None:
        call["external-call-service"] = url_template
    result["config"]["signaling"]["mode"] = signaling.announced_mode(config)
    token_key = signaling.announced_token_key(config)
    if token_key is not None:
        result["config"]["signaling"]["hello-v2-token-key"] = token_key
    return result


def talk_hash(config: AppConfig, user: User | None) -> str:
    """``X-Nextcloud-Talk-Hash``: changes whenever the capabilities a client has cached change."""
    payload = json.dumps(spreed(config, user), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(payload.encode()).hexdigest()


def files_capabilities() -> dict[str, Any]:
    """Nextcloud's files, dav and files_sharing entries, as far as they are true here: chunked
    uploads work, shares go into conversations only (nc-py-api refuses to share without
    ``api_enabled``)."""
    return {
        "files": {
            "bigfilechunking": True,
            "blacklisted_files": [".htaccess"],
            "chunked_upload": {"max_size": 100 * 1024 * 1024, "max_parallel_count": 5},
        },
        "dav": {"chunking": "1.0"},
        "files_sharing": {
            "api_enabled": True,
            "public": {"enabled": False},
            "resharing": False,
            "user": {"send_mail": False},
            "group_sharing": False,
            "sharee": {"query_lookup_default": False, "always_show_unique": True},
        },
    }


def capabilities(config: AppConfig, user: User | None, bruteforce_delay_ms: int) -> dict[str, Any]:
    return {
        "version": NEXTCLOUD_VERSION,
        "capabilities": {
            # Every page answers both as /X and as /index.php/X (http/dispatch.py), so clients may
            # leave index.php out of the links they build.
            "core": {
                "pollinterval": 60,
                "webdav-root": "remote.php/webdav",
                "reference-api": False,
                "mod-rewrite-working": True,
            },
            "bruteforce": {"delay": bruteforce_delay_ms, "allow-listed": False},
            "spreed": spreed(config, user),
            **files_capabilities(),
            "notifications": NOTIFICATIONS,
            # Statuses are read and written through the user_status API (services/status).
            "user_status": {"enabled": True, "restore": True, "supports_emoji": True, "supports_busy": True},
            "causerie": {"version": __version__},
        },
    }

"""The app config keys of Nextcloud's notifications app that Causerie reads (web push), and the
server-wide switch for local addresses."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from causerie.services.config.appconfig import LEXICON, Key
from causerie.services.errors import InvalidConfigValue

APP = "notifications"
CORE = "core"
VAPID_PRIVATE_KEY = "webpush_vapid_privkey"
VAPID_SUBJECT = "webpush_subject"
# Nextcloud's system config of the same name: outgoing requests (here: pushes) may go to loopback
# and private addresses, for a push service (a UnifiedPush distributor) on the local network.
ALLOW_LOCAL = "allow_local_remote_servers"


def _check_subject(value: Any) -> None:
    text = str(value)
    if text.startswith("mailto:") and "@" in text:
        return
    parts = urlsplit(text)
    if parts.scheme == "https" and parts.hostname:
        return
    raise InvalidConfigValue("webpush_subject is a contact for push services: mailto:you@example.org or an https URL")


LEXICON.add(APP, Key(VAPID_PRIVATE_KEY, "string", "", sensitive=True, help="made on first use; keep it"))
LEXICON.add(
    APP,
    Key(VAPID_SUBJECT, "string", "", validate=_check_subject, help="contact push services see (mailto: or https:)"),
)
LEXICON.add(CORE, Key(ALLOW_LOCAL, "boolean", False, help="allow pushes to loopback and private addresses"))

"""A bot as Talk defines it: its states, features and the actor its messages are from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from causerie.services.chat.notifying import FEATURE_EVENT, FEATURE_REACTION, FEATURE_RESPONSE, FEATURE_WEBHOOK
from causerie.services.rooms.actors import BOTS, Actor

STATE_DISABLED = 0
STATE_ENABLED = 1
STATE_NO_SETUP = 2
FEATURES = {"webhook": FEATURE_WEBHOOK, "response": FEATURE_RESPONSE, "event": FEATURE_EVENT,
            "reaction": FEATURE_REACTION, "none": 0}  # fmt: skip
URL_SCHEMES = ("http://", "https://", "nextcloudapp://", "responseonly://")
ACTOR_PREFIX = "bot-"


class Refused(Exception):
    """An ``occ talk:bot:*`` request that cannot be done; ``code`` is the command's exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Bot:
    id: int
    name: str
    url: str
    url_hash: str
    description: str | None
    secret: str
    state: int
    features: int
    error_count: int
    last_error_date: int | None
    last_error_message: str | None

    @classmethod
    def of(cls, row: Any) -> Bot:
        return cls(
            id=int(row.id),
            name=str(row.name),
            url=str(row.url),
            url_hash=str(row.url_hash),
            description=row.description,
            secret=str(row.secret),
            state=int(row.state),
            features=int(row.features),
            error_count=int(row.error_count),
            last_error_date=row.last_error_date,
            last_error_message=row.last_error_message,
        )

    @property
    def actor_id(self) -> str:
        return ACTOR_PREFIX + self.url_hash

    @property
    def actor(self) -> Actor:
        """Who a bot's messages and reactions are from."""
        return Actor(BOTS, self.actor_id, f"{self.name} (Bot)")

    @property
    def posts_webhooks(self) -> bool:
        """Whether Causerie can reach the bot over HTTP (in-process and response-only bots: no)."""
        return self.url.startswith(("http://", "https://"))

    def has(self, feature: int) -> bool:
        return bool(self.features & feature)

    def feature_names(self) -> list[str]:
        return [name for name, bit in FEATURES.items() if bit and self.features & bit]

    def public(self, state: int) -> dict[str, Any]:
        """Talk's Bot object for moderators (no URL, no secret)."""
        return {"id": self.id, "name": self.name, "description": self.description, "state": state}

    def admin(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "url": self.url,
            "url_hash": self.url_hash,
            "state": self.state,
            "error_count": self.error_count,
            "last_error_date": self.last_error_date or 0,
            "last_error_message": self.last_error_message or "",
            "features": self.features,
        }


def url_hash(url: str) -> str:
    return hashlib.sha1(url.encode()).hexdigest()


def features_of(names: list[str], url: str) -> int:
    """Talk's rules for ``--feature``: webhook and response unless named; in-process bots get
    events and never webhooks."""
    bits = 0
    for name in names:
        if name not in FEATURES:
            raise Refused(f"Invalid feature: {name}")
        bits |= FEATURES[name]
    if not names:
        bits = FEATURE_EVENT if url.startswith("nextcloudapp://") else FEATURE_WEBHOOK | FEATURE_RESPONSE
    if url.startswith("nextcloudapp://"):
        bits &= ~FEATURE_WEBHOOK
    return bits

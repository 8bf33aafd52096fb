"""Who did something: Talk's (actorType, actorId, displayName) triple."""

from __future__ import annotations

from dataclasses import dataclass

from causerie.storage import actors as stored

USERS = stored.USERS
GUESTS = "guests"
GROUPS = "groups"
EMAILS = "emails"
BRIDGED = "bridged"
BOTS = "bots"

# Actors for changes nobody in the room made (Talk's guests/cli and guests/system).
CLI_ID = "cli"
SYSTEM_ID = "system"


@dataclass(frozen=True)
class Actor:
    type: str
    id: str
    display_name: str = ""

    @property
    def is_user(self) -> bool:
        return self.type == USERS

    @property
    def is_guest(self) -> bool:
        return self.type == GUESTS


CLI = Actor(GUESTS, CLI_ID, "")
SYSTEM = Actor(GUESTS, SYSTEM_ID, "")

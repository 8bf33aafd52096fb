"""How the actor columns (``actor_type``, ``actor_id``, display name) are written and matched.

The services' ``Actor`` (services/rooms/actors.py) is the domain's value; storage takes anything
that has its three fields, and knows the one actor type its statements match on.
"""

from __future__ import annotations

from typing import Protocol

# The stored actor type of users (services.rooms.actors.USERS).
USERS = "users"


class ActorRef(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def id(self) -> str: ...

    @property
    def display_name(self) -> str: ...

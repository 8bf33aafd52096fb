"""SQL of the send's questions about who may hear of a message: could anyone be notified of a message
that mentions nobody, and is any bot listening in the conversation?"""

from __future__ import annotations

from sqlalchemy import Exists, and_, bindparam, exists, or_, select

from causerie.storage.actors import USERS
from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.bots import bots_conversation, bots_server
from causerie.storage.tables.config import appconfig
from causerie.storage.tables.rooms import attendees

_ALWAYS = 1
_DEFAULT = 0


def _attendee_at(level: int) -> Exists:
    return exists().where(
        attendees.c.room_id == bindparam("room_id"),
        attendees.c.notification_level == level,
        attendees.c.actor_type == USERS,
    )


_GROUP_DEFAULT_ALWAYS = exists().where(
    appconfig.c.appid == "spreed",
    appconfig.c.configkey == "default_group_notification",
    appconfig.c.configvalue == str(_ALWAYS),
)
# An attendee who asked for every message, or (when the administrator made that the default) one at
# the default level: the index on (room_id, notification_level) answers either in one probe.
_ANYONE_ALWAYS = prepared(select(or_(_attendee_at(_ALWAYS), and_(_GROUP_DEFAULT_ALWAYS, _attendee_at(_DEFAULT)))))


async def anyone_notified_always(conn: Conn, room_id: int) -> bool:
    return bool((await conn.execute(_ANYONE_ALWAYS, {"room_id": room_id})).scalar())


_BOT_LISTENING = prepared(
    select(
        exists().where(
            bots_conversation.c.room_id == bindparam("room_id"),
            bots_conversation.c.state == 1,
            bots_server.c.id == bots_conversation.c.bot_id,
            bots_server.c.state != 0,
            bots_server.c.features.op("&")(bindparam("features")) != 0,
        )
    )
)


async def bot_listening(conn: Conn, room_id: int, features: int) -> bool:
    """Whether a bot with one of ``features`` (a bit mask) is enabled in the conversation."""
    return bool((await conn.execute(_BOT_LISTENING, {"room_id": room_id, "features": features})).scalar())

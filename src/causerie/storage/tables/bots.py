"""Bots: webhook endpoints installed with ``occ talk:bot:install`` and enabled per conversation."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from causerie.storage.metadata import metadata

# One row per installed bot (Talk's talk_bots_server). The secret signs both directions, so it is
# kept as given (as Talk keeps it); ``url_hash`` (sha1 of the URL) makes the actor id ``bot-<hash>``.
bots_server = Table(
    "bots_server",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("url", String(4000), nullable=False),
    Column("url_hash", String(64), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("secret", String(128), nullable=False, unique=True),
    # 0 disabled, 1 enabled, 2 no-setup (moderators cannot enable it).
    Column("state", Integer, nullable=False, default=1),
    # Bit field: 1 webhook, 2 response, 4 event, 8 reaction.
    Column("features", Integer, nullable=False, default=3),
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_error_date", BigInteger, nullable=True),
    Column("last_error_message", String(4000), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    sqlite_autoincrement=True,
)

# A bot enabled in a conversation (Talk's talk_bots_conversation).
bots_conversation = Table(
    "bots_conversation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bot_id", Integer, ForeignKey("bots_server.id", ondelete="CASCADE"), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("state", Integer, nullable=False, default=1),
    UniqueConstraint("bot_id", "room_id"),
    # A send asks "is any bot listening here?": one probe on this index.
    Index("ix_bots_conversation_room_id_state", "room_id", "state"),
)

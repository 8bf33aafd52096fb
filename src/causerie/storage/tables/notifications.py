"""What the notifications app keeps for Talk."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from causerie.storage.metadata import metadata

# What the notifications app keeps for Talk: one row per recipient and event. Chat notifications
# and reminders name their message (at most one of each per user and message, so a job that runs
# twice adds nothing); call notifications have none. The room's token is the object id clients see.
notifications = Table(
    "notifications",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=False),
    Column("app", String(32), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    # chat | call | reminder
    Column("object_type", String(64), nullable=False),
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), nullable=True),
    # mention_direct | mention_all | mention_group | reply | chat | call | reminder
    Column("subject", String(64), nullable=False),
    # JSON: who caused it (userType, userId), a mentioned group (sourceId), a call's caller (callee).
    Column("parameters", Text, nullable=False, default="{}"),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("uid", "message_id", "object_type"),
    Index("ix_notifications_uid_id", "uid", "id"),
    Index("ix_notifications_room_uid", "room_id", "uid", "object_type"),
    sqlite_autoincrement=True,
)

# "Remind me later" (Talk's talk_reminders): one per user and message, turned into a ``reminder``
# notification at ``remind_at`` by a scheduled job (``services/notifications/reminders.py``).
reminders = Table(
    "reminders",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("remind_at", BigInteger, nullable=False),
    UniqueConstraint("uid", "message_id"),
    Index("ix_reminders_uid_remind_at", "uid", "remind_at"),
    sqlite_autoincrement=True,
)

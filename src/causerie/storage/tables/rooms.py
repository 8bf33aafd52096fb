"""Conversations, their attendees and the attendees' Talk sessions."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from causerie.storage.metadata import metadata

rooms = Table(
    "rooms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(32), nullable=False, unique=True),
    Column("type", Integer, nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("password_hash", String(255), nullable=False, default=""),
    Column("read_only", Integer, nullable=False, default=0),
    Column("listable", Integer, nullable=False, default=0),
    Column("object_type", String(64), nullable=False, default=""),
    Column("object_id", String(255), nullable=False, default=""),
    Column("default_permissions", Integer, nullable=False, default=0),
    Column("call_permissions", Integer, nullable=False, default=0),
    Column("lobby_state", Integer, nullable=False, default=0),
    Column("lobby_timer", BigInteger, nullable=True),
    Column("sip_enabled", Integer, nullable=False, default=0),
    Column("mention_permissions", Integer, nullable=False, default=0),
    Column("message_expiration", Integer, nullable=False, default=0),
    Column("recording_consent", Integer, nullable=False, default=0),
    Column("call_flag", Integer, nullable=False, default=0),
    Column("active_since", BigInteger, nullable=True),
    Column("call_started_by_type", String(64), nullable=True),
    Column("call_started_by_id", String(255), nullable=True),
    Column("last_activity", BigInteger, nullable=False, default=0),
    Column("last_message_id", BigInteger, nullable=False, default=0),
    Column("avatar_version", String(32), nullable=False, default=""),
    Column("created_at", BigInteger, nullable=False),
    # Bumped on every change a room list must show; drives modifiedSince.
    Column("modified_at", BigInteger, nullable=False, default=0),
    Index("ix_rooms_object", "object_type", "object_id"),
    sqlite_autoincrement=True,
)

attendees = Table(
    "attendees",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("actor_type", String(32), nullable=False),
    Column("actor_id", String(255), nullable=False),
    Column("display_name", String(255), nullable=False, default=""),
    Column("participant_type", Integer, nullable=False),
    Column("favorite", Boolean, nullable=False, default=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("important", Boolean, nullable=False, default=False),
    Column("sensitive", Boolean, nullable=False, default=False),
    Column("notification_level", Integer, nullable=False, default=0),
    Column("notification_calls", Integer, nullable=False, default=1),
    Column("last_read_message", BigInteger, nullable=False, default=0),
    Column("last_mention_message", BigInteger, nullable=False, default=0),
    Column("last_mention_direct", BigInteger, nullable=False, default=0),
    Column("read_privacy", Integer, nullable=False, default=0),
    Column("permissions", Integer, nullable=False, default=0),
    Column("last_joined_call", BigInteger, nullable=False, default=0),
    Column("last_attendee_activity", BigInteger, nullable=False, default=0),
    Column("invited_cloud_id", String(255), nullable=False, default=""),
    UniqueConstraint("room_id", "actor_type", "actor_id"),
    Index("ix_attendees_actor", "actor_type", "actor_id"),
    # Who of a room wants every message notified (a send asks).
    Index("ix_attendees_room_level", "room_id", "notification_level"),
    sqlite_autoincrement=True,
)

talk_sessions = Table(
    "talk_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attendee_id", Integer, ForeignKey("attendees.id", ondelete="CASCADE"), nullable=False),
    Column("session_id", String(512), nullable=False, unique=True),
    Column("in_call", Integer, nullable=False, default=0),
    Column("last_ping", BigInteger, nullable=False, default=0),
    Column("state", Integer, nullable=False, default=0),
    # The browser session a guest's Talk session belongs to, so a guest keeps its identity.
    Column("http_session", String(64), nullable=True),
    Index("ix_talk_sessions_attendee", "attendee_id"),
)

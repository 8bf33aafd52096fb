"""Every table Causerie keeps. Alembic migrations are generated from this metadata."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# sqlite_autoincrement: SQLite reuses the highest rowid after a delete unless AUTOINCREMENT is
# asked for; message and attendee ids must never come back, or a client's lastKnownMessageId would
# skip a new message.

# --- accounts -----------------------------------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("uid", String(64), primary_key=True),
    Column("display_name", String(255), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("email", String(255), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("first_login", BigInteger, nullable=True),
    Column("last_login", BigInteger, nullable=True),
)

groups = Table(
    "groups",
    metadata,
    Column("gid", String(64), primary_key=True),
    Column("display_name", String(255), nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("gid", String(64), ForeignKey("groups.gid", ondelete="CASCADE"), primary_key=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    Index("ix_group_members_uid", "uid"),
)

app_passwords = Table(
    "app_passwords",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    # sha256 of the token: tokens are long random strings, so a fast hash is enough to look them up.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("last_used", BigInteger, nullable=True),
)

# Browser sessions (users logged in through the web page, and guests, who have no account).
http_sessions = Table(
    "http_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=True),
    Column("csrf_token", String(64), nullable=False),
    # JSON object; guests keep their per-conversation Talk session ids here as Talk keeps them
    # in the PHP session.
    Column("data", Text, nullable=False, default="{}"),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
)

# --- configuration and security ----------------------------------------------------------------

appconfig = Table(
    "appconfig",
    metadata,
    Column("appid", String(32), primary_key=True),
    Column("configkey", String(64), primary_key=True),
    Column("configvalue", Text, nullable=False),
    Column("type", String(16), nullable=False, default="string"),
    Column("sensitive", Boolean, nullable=False, default=False),
)

bruteforce_attempts = Table(
    "bruteforce_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(64), nullable=False),
    Column("occurred", Float, nullable=False),
    Column("ip", String(255), nullable=False),
    Column("subnet", String(255), nullable=False),
    Column("metadata", Text, nullable=False, default="{}"),
    Index("ix_bruteforce_attempts_subnet_action", "subnet", "action", "occurred"),
)

# --- conversations ------------------------------------------------------------------------------

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

# --- chat ---------------------------------------------------------------------------------------

messages = Table(
    "messages",
    metadata,
    # Ids are global across rooms, as in Talk (gaps in one room's history are others' messages).
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("actor_type", String(32), nullable=False),
    Column("actor_id", String(255), nullable=False),
    Column("actor_display_name", String(255), nullable=False, default=""),
    # comment | system | command | comment_deleted | voice-message | record-audio | record-video
    Column("message_type", String(32), nullable=False),
    # The untranslated system message type ("" for comments).
    Column("system_message", String(64), nullable=False, default=""),
    Column("message", Text, nullable=False),
    # JSON: for comments the mention parameters, for system messages Talk's parameters.
    Column("parameters", Text, nullable=False, default="{}"),
    Column("parent_id", BigInteger, nullable=True),
    Column("reference_id", String(64), nullable=False, default=""),
    Column("silent", Boolean, nullable=False, default=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expire_at", BigInteger, nullable=True),
    Column("last_edit_actor_type", String(32), nullable=True),
    Column("last_edit_actor_id", String(255), nullable=True),
    Column("last_edit_actor_display_name", String(255), nullable=True),
    Column("last_edit_time", BigInteger, nullable=True),
    Index("ix_messages_room_id", "room_id", "id"),
    sqlite_autoincrement=True,
)

# Who a message mentions; drives unreadMention / unreadMentionDirect.
message_mentions = Table(
    "message_mentions",
    metadata,
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("actor_type", String(32), primary_key=True),
    Column("actor_id", String(255), primary_key=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Index("ix_message_mentions_actor", "room_id", "actor_type", "actor_id"),
)

reactions = Table(
    "reactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("actor_type", String(32), nullable=False),
    Column("actor_id", String(255), nullable=False),
    Column("actor_display_name", String(255), nullable=False, default=""),
    Column("reaction", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("message_id", "actor_type", "actor_id", "reaction"),
)

# --- notifications, push, user status -----------------------------------------------------------

# What the notifications app keeps for Talk: one row per recipient and event. Chat notifications
# name their message (at most one per user and message, so a job that runs twice adds nothing);
# call notifications have none. The room's token is the object id clients see.
notifications = Table(
    "notifications",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=False),
    Column("app", String(32), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    # chat | call
    Column("object_type", String(64), nullable=False),
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), nullable=True),
    # mention_direct | mention_all | mention_group | reply | chat | call
    Column("subject", String(64), nullable=False),
    # JSON: who caused it (userType, userId), a mentioned group (sourceId), a call's caller (callee).
    Column("parameters", Text, nullable=False, default="{}"),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("uid", "message_id"),
    Index("ix_notifications_uid_id", "uid", "id"),
    Index("ix_notifications_room_uid", "room_id", "uid", "object_type"),
    sqlite_autoincrement=True,
)

# Web push subscriptions (RFC 8030/8291): one per user and app password, i.e. per device.
push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=False),
    Column("app_password_id", Integer, ForeignKey("app_passwords.id", ondelete="CASCADE"), nullable=False),
    Column("endpoint", String(765), nullable=False),
    Column("p256dh", String(128), nullable=False),
    Column("auth", String(64), nullable=False),
    Column("app_types", String(256), nullable=False, default=""),
    Column("activation_token", String(36), nullable=False),
    Column("activated", Boolean, nullable=False, default=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("uid", "app_password_id"),
    sqlite_autoincrement=True,
)

# The user_status app's table: one row per user who ever had a status.
user_statuses = Table(
    "user_statuses",
    metadata,
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    # online | away | dnd | busy | invisible | offline
    Column("status", String(16), nullable=False),
    Column("status_timestamp", BigInteger, nullable=False, default=0),
    Column("is_user_defined", Boolean, nullable=False, default=False),
    Column("message_id", String(64), nullable=True),
    Column("custom_icon", String(64), nullable=True),
    Column("custom_message", Text, nullable=True),
    Column("clear_at", BigInteger, nullable=True),
)

# --- signaling ----------------------------------------------------------------------------------

# Messages of the internal signaling (no external signaling server), per recipient session.
signaling_messages = Table(
    "signaling_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient", String(512), nullable=False),
    Column("sender", String(512), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_signaling_messages_recipient", "recipient", "id"),
)

# --- work off the request path --------------------------------------------------------------------

# Durable jobs (push, webhooks, reminders, notifications): written in the transaction of the
# change that asks for them, run after it commits, retried with backoff, each done once.
jobs = Table(
    "jobs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False, default="{}"),
    # pending → done, or dead once its tries are used up.
    Column("state", String(16), nullable=False, default="pending"),
    Column("run_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False),
    # The process running it and until when: another process takes it over after that.
    Column("locked_by", String(64), nullable=True),
    Column("locked_until", Float, nullable=True),
    Column("last_error", Text, nullable=True),
    # At most one pending or finished job per key (a reminder per user and message, say).
    Column("dedupe_key", String(255), nullable=True, unique=True),
    Column("created_at", Float, nullable=False),
    Column("finished_at", Float, nullable=True),
    Index("ix_jobs_state_run_at", "state", "run_at"),
    sqlite_autoincrement=True,
)

"""Messages, the mentions and reactions they carry, and the files shared in them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from causerie.storage.metadata import metadata

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

# Talk's attachments table: the messages of a conversation that shared something, by kind, for
# the shared items (chat/{token}/share).
chat_attachments = Table(
    "chat_attachments",
    metadata,
    Column("message_id", BigInteger, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    # media | file | audio | voice | recording …
    Column("object_type", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_chat_attachments_room", "room_id", "object_type", "message_id"),
)

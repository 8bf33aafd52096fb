"""Users' statuses, as Nextcloud's user_status app keeps them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, String, Table, Text

from causerie.storage.metadata import metadata

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

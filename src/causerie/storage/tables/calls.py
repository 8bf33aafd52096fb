"""Messages of the internal signaling (no external signaling server), per recipient session."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from causerie.storage.metadata import metadata

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

"""Uploaded pictures: users' avatars and conversations' pictures (the generated ones are drawn on
request and never stored)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, LargeBinary, String, Table

from causerie.storage.metadata import metadata

user_avatars = Table(
    "user_avatars",
    metadata,
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    # Changes with every upload: the ETag clients revalidate with.
    Column("version", String(32), nullable=False),
    Column("mime", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

room_avatars = Table(
    "room_avatars",
    metadata,
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("mime", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

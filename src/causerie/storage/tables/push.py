"""Web push subscriptions of devices."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint

from causerie.storage.metadata import metadata

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

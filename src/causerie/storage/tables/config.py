"""App config, typed as Nextcloud 29+ keeps it."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, String, Table, Text

from causerie.storage.metadata import metadata

appconfig = Table(
    "appconfig",
    metadata,
    Column("appid", String(32), primary_key=True),
    Column("configkey", String(64), primary_key=True),
    Column("configvalue", Text, nullable=False),
    Column("type", String(16), nullable=False, default="string"),
    Column("sensitive", Boolean, nullable=False, default=False),
)

"""Every table Causerie keeps, for Alembic and the checks of migrations: each domain defines its
tables in storage/tables/, all on the one ``metadata`` of storage/metadata.py."""

from __future__ import annotations

from causerie.storage.metadata import metadata
from causerie.storage.tables import (
    accounts,
    avatars,
    calls,
    chat,
    config,
    files,
    jobs,
    notifications,
    push,
    rooms,
    status,
)

# Importing them is what puts their tables on ``metadata``.
DOMAINS = (accounts, avatars, calls, chat, config, files, jobs, notifications, push, rooms, status)

__all__ = ["DOMAINS", "metadata"]

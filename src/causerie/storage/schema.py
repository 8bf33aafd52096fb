"""Every table Causerie keeps, for Alembic and the checks of migrations: each domain defines its
tables in storage/tables/, all on the one ``metadata`` of storage/metadata.py.

The full-text index of messages is not among them: its SQLite form is an FTS5 virtual table and
its PostgreSQL form a ``tsvector`` table, each kept in step by triggers, none of which autogenerate
can express. Migration 0003 creates them; ``include_name`` keeps them out of autogenerate's
comparisons (``scripts/regen-migration``, tests/storage/test_migrations.py)."""

from __future__ import annotations

from causerie.storage.metadata import metadata
from causerie.storage.tables import (
    accounts,
    avatars,
    bots,
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
DOMAINS = (accounts, avatars, bots, calls, chat, config, files, jobs, notifications, push, rooms, status)

# Tables of migration 0003 (FTS5 adds its shadow tables ``message_search_data`` and so on).
SEARCH_OBJECTS = "message_search"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: everything but the full-text index's tables."""
    if type_ == "table" and name is not None:
        return name != SEARCH_OBJECTS and not name.startswith(SEARCH_OBJECTS + "_")
    return True


__all__ = ["DOMAINS", "SEARCH_OBJECTS", "include_name", "metadata"]

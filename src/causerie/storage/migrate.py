"""Running the Alembic migrations from code (on start and from ``causerie db upgrade``)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from causerie.storage import locks
from causerie.storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"""^(down_revision|revision)\s*(?::[^=]*)?=\s*(.+)$""", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def script_heads() -> frozenset[str]:
    """The head revisions of the migration scripts, read from their ``revision`` lines.

    Every ``occ`` call migrates first; reading two lines per script instead of importing Alembic
    (about a third of a second) keeps the common case - nothing to do - cheap.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            found = set(_QUOTED.findall(value))
            (revisions if name == "revision" else parents).update(found)
    return frozenset(revisions - parents)


async def current_revisions(db: Database) -> frozenset[str]:
    """The revisions the database is at; empty when it was never migrated."""
    try:
        async with db.read() as conn:
            rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(str(row[0]) for row in rows)
    except DBAPIError:
        return frozenset()


async def upgrade(db: Database, revision: str = "head") -> None:
    if revision == "head" and (heads := script_heads()) and await current_revisions(db) == heads:
        return

    from alembic import command

    def run(conn: Connection) -> None:
        config = alembic_config(db.url)
        config.attributes["connection"] = conn
        command.upgrade(config, revision)

    async with db.write() as conn:
        # Several processes starting at once on one PostgreSQL database: one migrates, the others
        # wait here and then find nothing left to do (Alembic re-reads the version).
        await locks.for_this_transaction(conn, locks.MIGRATIONS)
        await conn.run_sync(run)

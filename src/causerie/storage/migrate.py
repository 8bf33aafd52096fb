"""Running the Alembic migrations from code (on start and from ``causerie db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from causerie.storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    def run(conn: Connection) -> None:
        config = alembic_config(db.url)
        config.attributes["connection"] = conn
        command.upgrade(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)

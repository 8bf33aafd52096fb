"""Shared by the command lines: settings from the environment and a database to work on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click

from causerie.settings import Settings, SettingsError

if TYPE_CHECKING:
    from causerie.storage.db import Database

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _may_create() -> bool:
    """``occ --init`` (kept in the root context by occ's main)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().meta.get("causerie.init"))


def check_database(settings: Settings, *, create: bool) -> None:
    """Refuse a SQLite file that does not exist unless asked to create one, and say which database
    is used when it is not ``./data``: an admin in the wrong directory sees it at once."""
    path = settings.sqlite_path
    if path is not None and not path.exists() and not create:
        raise click.ClickException(
            f"there is no database at {path}. Run occ where the server runs, or set CAUSERIE_DATA_DIR "
            "(or CAUSERIE_DATABASE_URL) as the server has it; `occ --init COMMAND` creates a new one."
        )
    if not settings.default_database:
        click.echo(f"Using the database {settings.database_shown}", err=True)


def run_with_db(
    work: Callable[[Database], Awaitable[T]], settings: Settings | None = None, *, create: bool | None = None
) -> T:
    """Migrate the database, run ``work`` on it, and turn rule violations into a clean exit 1.

    ``create``: whether a missing SQLite file may be made (``causerie serve`` does; ``occ`` only
    with ``--init``)."""
    from causerie.services.errors import DomainError, InvalidConfigValue
    from causerie.storage.db import Database
    from causerie.storage.migrate import upgrade

    if settings is None:
        settings = load_settings()
        check_database(settings, create=_may_create() if create is None else create)
    if (path := settings.sqlite_path) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)

    async def main() -> T:
        db = Database(settings.database_url)
        try:
            await upgrade(db)
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except (DomainError, InvalidConfigValue) as exc:
        message = exc.message if isinstance(exc, DomainError) and exc.message else str(exc)
        raise click.ClickException(message) from None

"""Shared by the command lines: settings from the environment and a database to work on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from causerie.services.errors import DomainError, InvalidConfigValue
from causerie.settings import Settings, SettingsError
from causerie.storage.db import Database
from causerie.storage.migrate import upgrade

T = TypeVar("T")


def run_with_db(work: Callable[[Database], Awaitable[T]], settings: Settings | None = None) -> T:
    """Migrate the database, run ``work`` on it, and turn rule violations into a clean exit 1."""
    try:
        settings = settings or Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None

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

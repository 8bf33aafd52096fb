"""occ config:app:* and config:list: typed app config, as Nextcloud 29+ keeps it."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from causerie.cli.common import run_with_db
from causerie.services.config import (
    appconfig,
    talk_config,  # noqa: F401  (registers Talk's config keys)
)
from causerie.services.errors import InvalidConfigValue
from causerie.storage.config import appconfig as config_store
from causerie.storage.db import Database

SENSITIVE_MASK = "***REMOVED SENSITIVE VALUE***"


@click.command("config:app:set")
@click.argument("app")
@click.argument("key")
@click.option("--value", required=True, help="The new value.")
@click.option("--type", "type_", type=click.Choice(appconfig.TYPES), default=None, help="Value type.")
@click.option("--sensitive/--no-sensitive", default=False, help="Mask the value in listings.")
@click.option("--lazy/--no-lazy", default=False, hidden=True)
@click.option("--update-only", is_flag=True, help="Only change an existing value.")
def config_app_set(
    app: str, key: str, value: str, type_: str | None, sensitive: bool, lazy: bool, update_only: bool
) -> None:
    """Set an app config value."""
    try:
        prepared = appconfig.prepare(app, key, value, type_, sensitive)
    except InvalidConfigValue as exc:
        raise click.ClickException(str(exc)) from None

    async def work(db: Database) -> bool:
        async with db.write() as conn:
            existing = await config_store.load_app(conn, app)
            if update_only and key not in existing:
                return False
            old = existing.get(key)
            final = prepared
            if old is not None and old.sensitive and not prepared.sensitive:
                final = config_store.StoredValue(prepared.key, prepared.value, prepared.type, True)
            await appconfig.set_value(conn, app, final)
            return True

    if not run_with_db(work):
        raise click.ClickException(f"Config value {key} for app {app} not updated, as it has not been set before.")
    click.echo(f"Config value '{key}' for app '{app}' is now set to '{_shown(prepared)}', stored as {prepared.type}")


def _shown(stored: config_store.StoredValue) -> str:
    return SENSITIVE_MASK if stored.sensitive else stored.value


@click.command("config:app:get")
@click.argument("app")
@click.argument("key")
@click.option("--default-value", default=None)
@click.option("--details", is_flag=True, help="Show type and sensitivity too.")
def config_app_get(app: str, key: str, default_value: str | None, details: bool) -> None:
    """Print an app config value (exit 1 when it is not set)."""

    async def work(db: Database) -> config_store.StoredValue | None:
        async with db.read() as conn:
            return (await config_store.load_app(conn, app)).get(key)

    stored = run_with_db(work)
    if stored is None:
        if default_value is not None:
            click.echo(default_value)
            return
        sys.exit(1)
    if details:
        click.echo(
            json.dumps(
                {"app": app, "key": key, "value": stored.value, "type": stored.type, "sensitive": stored.sensitive},
                indent=2,
            )
        )
    else:
        click.echo(stored.value)


@click.command("config:app:delete")
@click.argument("app")
@click.argument("key")
@click.option("--error-if-not-exists", is_flag=True)
def config_app_delete(app: str, key: str, error_if_not_exists: bool) -> None:
    """Delete an app config value."""

    async def work(db: Database) -> bool:
        async with db.write() as conn:
            return await appconfig.delete_value(conn, app, key)

    if not run_with_db(work) and error_if_not_exists:
        raise click.ClickException(f"Config {key} of app {app} could not be deleted because it did not exist")
    click.echo(f"Config value '{key}' of app '{app}' deleted")


def _list_config(app: str | None, private: bool) -> dict[str, Any]:
    async def work(db: Database) -> dict[str, Any]:
        async with db.read() as conn:
            apps = [app] if app else await config_store.list_apps(conn)
            out: dict[str, Any] = {}
            for name in apps:
                values = await config_store.load_app(conn, name)
                out[name] = {
                    key: (v.value if private or not v.sensitive else SENSITIVE_MASK)
                    for key, v in sorted(values.items())
                }
            return {"apps": out}

    return run_with_db(work)


@click.command("config:app:list")
@click.argument("app", required=False)
@click.option("--private", is_flag=True, help="Show sensitive values too.")
def config_app_list(app: str | None, private: bool) -> None:
    """List app config values as JSON; sensitive values are masked."""
    click.echo(json.dumps(_list_config(app, private), indent=2, ensure_ascii=False))


@click.command("config:list")
@click.argument("app", required=False)
@click.option("--private", is_flag=True, help="Show sensitive values too.")
def config_list(app: str | None, private: bool) -> None:
    """Same as config:app:list (Nextcloud's name)."""
    click.echo(json.dumps(_list_config(app, private), indent=2, ensure_ascii=False))


commands = [config_app_set, config_app_get, config_app_delete, config_app_list, config_list]

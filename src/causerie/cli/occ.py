"""``occ``: the Nextcloud admin commands Causerie understands, with the same names and flags."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import click

from causerie.cli.common import run_with_db
from causerie.services.accounts import users
from causerie.services.accounts.bruteforce import Throttler, delay_for, subnet_of
from causerie.services.config import (
    appconfig,
    talk_config,  # noqa: F401  (registers Talk's config keys)
)
from causerie.services.errors import Conflict, InvalidConfigValue, NotFound
from causerie.storage.accounts import bruteforce
from causerie.storage.accounts import users as accounts
from causerie.storage.config import appconfig as config_store
from causerie.storage.db import Database

SENSITIVE_MASK = "***REMOVED SENSITIVE VALUE***"


class _Occ(click.Group):
    """Keeps commands in the order Nextcloud lists them and tolerates ``occ`` global flags."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


@click.group(cls=_Occ)
@click.option("--no-interaction", "-n", is_flag=True, hidden=True)
@click.option("--no-warnings", is_flag=True, hidden=True)
def main(no_interaction: bool, no_warnings: bool) -> None:
    """Administer Causerie the way Nextcloud's occ does."""


# --- config:app:* -------------------------------------------------------------------------------


@main.command("config:app:set")
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


@main.command("config:app:get")
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


@main.command("config:app:delete")
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


@main.command("config:app:list")
@click.argument("app", required=False)
@click.option("--private", is_flag=True, help="Show sensitive values too.")
def config_app_list(app: str | None, private: bool) -> None:
    """List app config values as JSON; sensitive values are masked."""
    click.echo(json.dumps(_list_config(app, private), indent=2, ensure_ascii=False))


@main.command("config:list")
@click.argument("app", required=False)
@click.option("--private", is_flag=True, help="Show sensitive values too.")
def config_list(app: str | None, private: bool) -> None:
    """Same as config:app:list (Nextcloud's name)."""
    click.echo(json.dumps(_list_config(app, private), indent=2, ensure_ascii=False))


# --- user:* ----------------------------------------------------------------------------------


def _password(from_env: bool, prompt: str) -> str:
    if from_env:
        password = os.environ.get("OC_PASS", "")
        if not password:
            raise click.ClickException("--password-from-env given, but OC_PASS is empty!")
        return password
    if not sys.stdin.isatty():
        raise click.ClickException("Interactive input is not possible: use --password-from-env with OC_PASS.")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


@main.command("user:add")
@click.argument("uid")
@click.option("--password-from-env", is_flag=True, help="Read the password from OC_PASS.")
@click.option("--display-name", default=None)
@click.option("--email", default=None, hidden=True)
@click.option("--group", "-g", "group_ids", multiple=True, help="Add the user to this group (created if missing).")
def user_add(
    uid: str, password_from_env: bool, display_name: str | None, email: str | None, group_ids: tuple[str, ...]
) -> None:
    """Add a user."""
    password = _password(password_from_env, "Enter password")

    async def work(db: Database) -> None:
        async with db.write() as conn:
            await users.create(conn, uid, password, display_name)
            for gid in group_ids:
                if await accounts.get_group(conn, gid) is None:
                    users.validate_gid(gid)
                    await accounts.insert_group(conn, gid, gid)
                await accounts.add_member(conn, gid, uid)

    run_with_db(work)
    click.echo(f'The account "{uid}" was created successfully')
    if display_name:
        click.echo(f'Display name set to "{display_name}"')
    for gid in group_ids:
        click.echo(f'Account "{uid}" added to group "{gid}"')


@main.command("user:delete")
@click.argument("uid")
def user_delete(uid: str) -> None:
    """Delete a user."""

    async def work(db: Database) -> bool:
        async with db.write() as conn:
            return await accounts.delete_user(conn, uid)

    if not run_with_db(work):
        raise click.ClickException("User does not exist")
    click.echo("The specified user was deleted")


@main.command("user:list")
@click.option("--output", type=click.Choice(["plain", "json", "json_pretty"]), default="plain")
def user_list(output: str) -> None:
    """List users."""

    async def work(db: Database) -> dict[str, str]:
        async with db.read() as conn:
            return {r.uid: r.display_name for r in await accounts.list_users(conn)}

    found = run_with_db(work)
    if output == "plain":
        for uid, name in found.items():
            click.echo(f"  - {uid}: {name}")
    else:
        click.echo(json.dumps(found, indent=2 if output == "json_pretty" else None, ensure_ascii=False))


@main.command("user:resetpassword")
@click.argument("uid")
@click.option("--password-from-env", is_flag=True, help="Read the password from OC_PASS.")
def user_resetpassword(uid: str, password_from_env: bool) -> None:
    """Set a user's password."""
    password = _password(password_from_env, "Enter a new password")

    async def work(db: Database) -> None:
        async with db.write() as conn:
            await users.set_password(conn, uid, password)

    run_with_db(work)
    click.echo("Successfully reset password for " + uid)


@main.command("user:add-app-password")
@click.argument("uid")
@click.option("--name", default="cli", show_default=True, help="A name to recognise the app password by.")
def user_add_app_password(uid: str, name: str) -> None:
    """Create an app password for a user and print it (it is not shown again)."""

    async def work(db: Database) -> str:
        async with db.write() as conn:
            return await users.create_app_password(conn, uid, name)

    token = run_with_db(work)
    click.echo("app password:")
    click.echo(token)


# --- group:* ---------------------------------------------------------------------------------


@main.command("group:add")
@click.argument("gid")
@click.option("--display-name", default=None)
def group_add(gid: str, display_name: str | None) -> None:
    """Add a group."""

    async def work(db: Database) -> None:
        users.validate_gid(gid)
        async with db.write() as conn:
            if await accounts.get_group(conn, gid) is not None:
                raise Conflict("gid", f'Group "{gid}" already exists.')
            await accounts.insert_group(conn, gid, display_name or gid)

    run_with_db(work)
    click.echo(f'Created group "{gid}"')


@main.command("group:delete")
@click.argument("gid")
def group_delete(gid: str) -> None:
    """Delete a group."""

    async def work(db: Database) -> bool:
        async with db.write() as conn:
            return await accounts.delete_group(conn, gid)

    if not run_with_db(work):
        raise click.ClickException("Group not found")
    click.echo("Group was removed")


@main.command("group:list")
@click.option("--output", type=click.Choice(["plain", "json", "json_pretty"]), default="plain")
def group_list(output: str) -> None:
    """List groups with their members."""

    async def work(db: Database) -> dict[str, list[str]]:
        async with db.read() as conn:
            return {g.gid: await accounts.group_member_ids(conn, g.gid) for g in await accounts.list_groups(conn)}

    found = run_with_db(work)
    if output == "plain":
        for gid, members in found.items():
            click.echo(f"  - {gid}:")
            for uid in members:
                click.echo(f"    - {uid}")
    else:
        click.echo(json.dumps(found, indent=2 if output == "json_pretty" else None))


def _membership(gid: str, uid: str, add: bool) -> bool:
    async def work(db: Database) -> bool:
        async with db.write() as conn:
            if await accounts.get_group(conn, gid) is None:
                raise NotFound("gid", "group not found")
            if await accounts.get_user(conn, uid) is None:
                raise NotFound("uid", "user not found")
            if add:
                return await accounts.add_member(conn, gid, uid)
            return await accounts.remove_member(conn, gid, uid)

    return run_with_db(work)


@main.command("group:adduser")
@click.argument("gid")
@click.argument("uid")
def group_adduser(gid: str, uid: str) -> None:
    """Add a user to a group."""
    _membership(gid, uid, add=True)


@main.command("group:removeuser")
@click.argument("gid")
@click.argument("uid")
def group_removeuser(gid: str, uid: str) -> None:
    """Remove a user from a group."""
    if not _membership(gid, uid, add=False):
        raise click.ClickException(f"{uid} is not a member of {gid}")


# --- security:bruteforce:* -------------------------------------------------------------------


@main.command("security:bruteforce:reset")
@click.argument("ipaddress")
def bruteforce_reset(ipaddress: str) -> None:
    """Forget the failed attempts of an IP address (its whole subnet)."""

    async def work(db: Database) -> None:
        await Throttler(db).reset(ipaddress)

    run_with_db(work)


@main.command("security:bruteforce:attempts")
@click.argument("ipaddress")
@click.argument("action", required=False, default="")
def bruteforce_attempts(ipaddress: str, action: str) -> None:
    """Show the failed attempts of an IP address and the delay they cause."""

    async def work(db: Database) -> dict[str, int]:
        async with db.read() as conn:
            count = await bruteforce.count(conn, subnet_of(ipaddress), action or None, time.time() - 12 * 3600)
        return {"bypass-listed": 0, "attempts": count, "delay": delay_for(count)}

    click.echo(json.dumps(run_with_db(work), indent=2))


if __name__ == "__main__":
    main()

"""occ user:* and group:*: accounts and groups."""

from __future__ import annotations

import json
import os
import sys

import click

from causerie.cli.common import run_with_db
from causerie.services.accounts import users
from causerie.services.errors import Conflict, NotFound
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Database


def _password(from_env: bool, prompt: str) -> str:
    if from_env:
        password = os.environ.get("OC_PASS", "")
        if not password:
            raise click.ClickException("--password-from-env given, but OC_PASS is empty!")
        return password
    if not sys.stdin.isatty():
        raise click.ClickException("Interactive input is not possible: use --password-from-env with OC_PASS.")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


@click.command("user:add")
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


@click.command("user:delete")
@click.argument("uid")
def user_delete(uid: str) -> None:
    """Delete a user."""

    async def work(db: Database) -> bool:
        async with db.write() as conn:
            return await accounts.delete_user(conn, uid)

    if not run_with_db(work):
        raise click.ClickException("User does not exist")
    click.echo("The specified user was deleted")


@click.command("user:list")
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


@click.command("user:resetpassword")
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


@click.command("user:add-app-password")
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


@click.command("group:add")
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


@click.command("group:delete")
@click.argument("gid")
def group_delete(gid: str) -> None:
    """Delete a group."""

    async def work(db: Database) -> bool:
        async with db.write() as conn:
            return await accounts.delete_group(conn, gid)

    if not run_with_db(work):
        raise click.ClickException("Group not found")
    click.echo("Group was removed")


@click.command("group:list")
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


@click.command("group:adduser")
@click.argument("gid")
@click.argument("uid")
def group_adduser(gid: str, uid: str) -> None:
    """Add a user to a group."""
    _membership(gid, uid, add=True)


@click.command("group:removeuser")
@click.argument("gid")
@click.argument("uid")
def group_removeuser(gid: str, uid: str) -> None:
    """Remove a user from a group."""
    if not _membership(gid, uid, add=False):
        raise click.ClickException(f"{uid} is not a member of {gid}")


commands = [
    user_add,
    user_delete,
    user_list,
    user_resetpassword,
    user_add_app_password,
    group_add,
    group_delete,
    group_list,
    group_adduser,
    group_removeuser,
]

"""occ commands for files: quotas (``user:setting UID files quota 1GB``), usage and the clean-up."""

from __future__ import annotations

import json

import click

from causerie.cli.common import run_with_db
from causerie.services.accounts import users
from causerie.services.errors import InvalidConfigValue
from causerie.services.files import cleanup, quota
from causerie.services.files.space import FileSpace
from causerie.settings import Settings
from causerie.storage.db import Database
from causerie.storage.files import nodes


@click.command("user:setting")
@click.argument("uid")
@click.argument("app")
@click.argument("key")
@click.argument("value", required=False)
@click.option("--delete", is_flag=True, help="Remove the setting (back to the default).")
def user_setting(uid: str, app: str, key: str, value: str | None, delete: bool) -> None:
    """Read or set a user setting (files quota).

    Causerie knows one: ``files quota``, e.g. "1 GB" or "none".
    """
    if (app, key) != ("files", "quota"):
        raise click.ClickException("only the setting 'files quota' exists")
    parsed: int | None = None
    if value is not None:
        try:
            parsed = quota.parse_size(value)
        except InvalidConfigValue as exc:
            raise click.ClickException(str(exc)) from None

    async def work(db: Database) -> str:
        async with db.write() as conn:
            if await users.get(conn, uid) is None:
                raise click.ClickException(f"The user {uid!r} does not exist")
            if value is not None or delete:
                await nodes.set_quota(conn, uid, parsed)
            return quota.human(await nodes.quota(conn, uid))

    shown = run_with_db(work)
    if value is None and not delete:
        click.echo(shown)


@click.command("user:info")
@click.argument("uid")
@click.option("--output", type=click.Choice(["plain", "json", "json_pretty"]), default="plain")
def user_info(uid: str, output: str) -> None:
    """A user's quota and the bytes its files take."""

    async def work(db: Database) -> dict[str, object]:
        async with db.read() as conn:
            user = await users.get(conn, uid)
            if user is None:
                raise click.ClickException(f"The user {uid!r} does not exist")
            found = await quota.usage(conn, uid)
        return {"user_id": uid, "display_name": user.display_name, "quota": quota.human(found.quota),
                "storage": {"used": found.used, "quota": found.quota if found.quota is not None else -3}}  # fmt: skip

    info = run_with_db(work)
    if output != "plain":
        click.echo(json.dumps(info, indent=2 if output == "json_pretty" else None))
        return
    for key, value in info.items():
        click.echo(f"  - {key}: {value}")


@click.command("files:cleanup")
def files_cleanup() -> None:
    """Remove abandoned chunked uploads, scratch files of dead processes and unreferenced contents."""
    settings = Settings.from_env()

    async def work(db: Database) -> cleanup.Cleaned:
        space = FileSpace.create(settings)
        try:
            return await cleanup.run(db, space)
        finally:
            await space.close()

    found = run_with_db(work, settings)
    click.echo(f"{found.uploads} upload(s), {found.scratch_folders} scratch folder(s), {found.blobs} object(s) removed")


commands = [user_setting, user_info, files_cleanup]

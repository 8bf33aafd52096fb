"""occ status, maintenance:backup and db:convert-type: which database, a copy of it, a move to PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from urllib.parse import quote

import click

from causerie import __version__
from causerie.cli.common import check_database, load_settings, run_with_db
from causerie.settings import redact_url
from causerie.storage.db import Database

CONVERT_TYPES = {"pgsql": "postgresql", "postgresql": "postgresql", "postgres": "postgresql"}


@click.command("status")
@click.option("--output", type=click.Choice(["plain", "json", "json_pretty"]), default="plain")
def status(output: str) -> None:
    """Show the version and the database in use."""
    settings = load_settings()

    async def work(db: Database) -> int:
        from causerie.storage.migrate import current_revisions

        return len(await current_revisions(db))

    run_with_db(work)
    found = {
        "installed": True,
        "version": __version__,
        "database": "sqlite" if settings.is_sqlite else "postgresql",
        "database_location": settings.database_shown,
        "data_dir": str(settings.data_dir),
        "broker": redact_url(settings.broker_url) if settings.broker_url else "none",
    }
    if output != "plain":
        click.echo(json.dumps(found, indent=2 if output == "json_pretty" else None))
        return
    for key, value in found.items():
        click.echo(f"  - {key}: {str(value).lower() if isinstance(value, bool) else value}")


@click.command("maintenance:backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def maintenance_backup(path: Path) -> None:
    """Copy the SQLite database to PATH while the server runs.

    The copy is one consistent snapshot taken through SQLite's backup API: everything committed
    when it starts, nothing half-written. Uploaded files are not in it; copy <data dir>/files/blobs
    after it (docs/operations.md, "Backups"). On PostgreSQL use pg_dump.
    """
    from causerie.storage.backup import BackupError, sqlite_backup

    settings = load_settings()
    source = settings.sqlite_path
    if source is None:
        raise click.ClickException(
            "the database is PostgreSQL: back it up with pg_dump --format=custom (docs/operations.md, 'Backups')"
        )
    check_database(settings, create=False)
    try:
        size = sqlite_backup(source, path.resolve())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {source} to {path.resolve()} ({size} bytes)")
    if settings.files_store == "disk" and (settings.files_dir / "blobs").is_dir():
        click.echo(f"Now copy the files: rsync -a {settings.files_dir / 'blobs'}/ BACKUP/blobs/")


@click.command("db:convert-type")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="The port of the database server.")
@click.option("--password", default=None, help="The password of USERNAME (asked, or read from stdin, when not given).")
@click.option("--clear-schema", is_flag=True, help="Drop Causerie's tables in the target database first.")
@click.option("--all-apps", is_flag=True, help="Accepted as Nextcloud's; Causerie always copies every table.")
@click.argument("type_", metavar="TYPE")
@click.argument("username")
@click.argument("hostname")
@click.argument("database")
def db_convert_type(
    port: int | None,
    password: str | None,
    clear_schema: bool,
    all_apps: bool,
    type_: str,
    username: str,
    hostname: str,
    database: str,
) -> None:
    """Copy this SQLite database into PostgreSQL.

    TYPE is pgsql (Nextcloud's name; postgresql is accepted too). The database DATABASE must exist
    and belong to USERNAME (docs/operations.md, "Moving to PostgreSQL"). Every table is copied in
    one snapshot and the row counts are compared; the SQLite file is not changed. Stop the server
    first: what it writes after the copy began would not be in PostgreSQL.
    """
    from sqlalchemy.exc import DBAPIError

    from causerie.storage import sqlite_owner
    from causerie.storage.convert import ConvertError, convert

    if CONVERT_TYPES.get(type_.lower()) != "postgresql":
        raise click.UsageError(f"cannot convert to {type_!r}: Causerie runs on SQLite and PostgreSQL (pgsql)")
    settings = load_settings()
    source = settings.sqlite_path
    if source is None:
        raise click.ClickException("the database in use is not SQLite; there is nothing to convert")
    check_database(settings, create=False)
    if (holder := sqlite_owner.served_by(settings.database_url)) is not None:
        raise click.ClickException(
            f"a server ({holder}) still serves {source}: stop it first, or its later writes would be lost"
        )
    if password is None:
        password = (
            click.prompt("Password", hide_input=True, default="", show_default=False)
            if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\n")
        )
    authority = quote(username, safe="") + (f":{quote(password, safe='')}" if password else "")
    url = f"postgresql://{authority}@{hostname}{f':{port}' if port else ''}/{quote(database, safe='')}"
    shown = redact_url(url)

    def progress(table: str, rows: int) -> None:
        click.echo(f"  {table}: {rows} rows")

    async def run() -> list[tuple[str, int, int]]:
        target = Database(url)
        try:
            counted = await convert(source, target, clear=clear_schema, progress=progress)
        finally:
            await target.dispose()
        return [(c.table, c.source, c.target) for c in counted]

    click.echo(f"Copying {source} to {shown}")
    try:
        counted = asyncio.run(run())
    except ConvertError as exc:
        raise click.ClickException(str(exc)) from None
    except (OSError, DBAPIError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise click.ClickException(f"cannot use {shown}: {reason}") from None
    total = sum(rows for _, rows, _ in counted)
    click.echo(f"Verified: {len(counted)} tables, {total} rows, the same counts in both databases.")
    click.echo(f"The SQLite file is unchanged. Start the server with CAUSERIE_DATABASE_URL={shown}")

"""occ commands for conversations' histories: ``talk:export`` and ``talk:import``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from causerie.cli.common import run_with_db
from causerie.services.export import document, exports
from causerie.services.rooms import rooms
from causerie.storage.db import Database


@click.command("talk:export")
@click.argument("token")
@click.option("--format", "kind", type=click.Choice(exports.KINDS), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
def export(token: str, kind: str, output: Path | None) -> None:
    """Export a conversation's history: JSON (lossless, for talk:import), Markdown or HTML."""

    async def work(db: Database) -> str:
        async with db.read() as conn:
            room = await rooms.get(conn, token)
            if room is None:
                raise click.ClickException(f"The conversation {token!r} does not exist")
            return (await exports.export(conn, room, kind)).text()

    text = run_with_db(work)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@click.command("talk:import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Import a JSON export of talk:export as a new conversation; prints its token."""
    try:
        parsed = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise click.ClickException(f"{file} is not JSON: {error}") from None

    async def work(db: Database) -> document.Imported:
        async with db.write() as conn:
            return await document.import_document(conn, parsed)

    imported = run_with_db(work)
    click.echo(f"Imported {imported.messages} messages and {imported.reactions} reactions as {imported.token}")
    for name in imported.skipped:
        click.echo(f"Not a participant here (unknown on this server or not importable): {name}", err=True)


commands = [export, import_]

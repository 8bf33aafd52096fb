"""occ talk:bot:*: installing bots, enabling them in conversations, their state (Talk's
``lib/Command/Bot``, with its arguments and exit statuses)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from causerie.cli.common import run_with_db
from causerie.services.bots import bots
from causerie.services.bots.model import FEATURES, Bot, Refused
from causerie.services.errors import BadRequest
from causerie.services.rooms import rooms
from causerie.storage.db import Database

T = TypeVar("T")
OUTPUT = click.Choice(["plain", "json", "json_pretty"])


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    """``run_with_db``, with a refused request as its message and Talk's exit status."""
    try:
        return run_with_db(work)
    except Refused as refused:
        click.echo(str(refused), err=True)
        raise SystemExit(refused.code) from None


def _print(output: str, value: Any, plain: Callable[[], None]) -> None:
    if output == "plain":
        plain()
    else:
        click.echo(json.dumps(value, indent=2 if output == "json_pretty" else None, ensure_ascii=False))


def _row(bot: Bot) -> dict[str, Any]:
    row = bot.admin()
    row["features"] = ", ".join(bot.feature_names()) or "none"
    return row


@click.command("talk:bot:install")
@click.argument("name")
@click.argument("secret")
@click.argument("url")
@click.argument("description", required=False)
@click.option("--output", type=OUTPUT, default="plain")
@click.option("--no-setup", is_flag=True, help="Moderators cannot enable the bot; only talk:bot:setup can.")
@click.option("--feature", "-f", "features", multiple=True, type=click.Choice(sorted(FEATURES)))
def install(
    name: str, secret: str, url: str, description: str | None, output: str, no_setup: bool, features: tuple[str, ...]
) -> None:
    """Install a bot: Talk posts to URL what happens where it is enabled, signed with SECRET."""

    async def work(db: Database) -> Bot:
        async with db.write() as conn:
            return await bots.install(
                conn,
                name=name,
                secret=secret,
                url=url,
                description=description,
                features=list(features),
                no_setup=no_setup,
            )

    bot = _run(work)
    _print(output, {"id": bot.id, "name": bot.name, "url": bot.url, "url_hash": bot.url_hash,
                    "description": bot.description, "state": bot.state, "features": bot.features},
           lambda: click.echo(f"Bot installed\nID: {bot.id}"))  # fmt: skip


@click.command("talk:bot:list")
@click.argument("token", required=False)
@click.option("--output", type=OUTPUT, default="plain")
def list_bots(token: str | None, output: str) -> None:
    """List the installed bots (or those enabled in the conversation TOKEN)."""

    async def work(db: Database) -> list[Bot]:
        async with db.read() as conn:
            if token is None:
                return await bots.all_bots(conn)
            room = await rooms.get(conn, token)
            if room is None:
                raise Refused("Conversation not found")
            return await bots.enabled_in(conn, room.id)

    found = [_row(bot) for bot in _run(work)]

    def plain() -> None:
        columns = ["id", "name", "description", "url", "url_hash", "state", "error_count", "features"]
        table = [[str(row[column] if row[column] is not None else "") for column in columns] for row in found]
        widths = [max([len(column)] + [len(line[i]) for line in table]) for i, column in enumerate(columns)]
        click.echo("  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)))
        for line in table:
            click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))

    _print(output, found, plain)


@click.command("talk:bot:uninstall")
@click.argument("bot_id", metavar="ID", type=int, required=False)
@click.option("--url", default=None, help="The URL of the bot (instead of its id).")
@click.option("--output", type=OUTPUT, default="plain")
def uninstall(bot_id: int | None, url: str | None, output: str) -> None:
    """Uninstall a bot: it leaves every conversation."""
    if (bot_id is None) == (url is None):
        raise click.UsageError("name the bot by its id or by --url")

    async def work(db: Database) -> None:
        async with db.write() as conn:
            bot = await bots.by_url(conn, url) if url is not None else await bots.get(conn, bot_id or 0)
            if bot is None:
                raise Refused("Bot not found")
            await bots.uninstall(conn, bot)

    _run(work)
    _print(output, {"status": "uninstalled"}, lambda: click.echo("Bot uninstalled"))


@click.command("talk:bot:state")
@click.argument("bot_id", metavar="BOT-ID", type=int)
@click.argument("state", type=int)
@click.option("--feature", "-f", "features", multiple=True, type=click.Choice(sorted(FEATURES)))
@click.option("--output", type=OUTPUT, default="plain")
def state(bot_id: int, state: int, features: tuple[str, ...], output: str) -> None:
    """Set a bot's state (0 disabled, 1 enabled, 2 no-setup) and, with --feature, its features."""

    async def work(db: Database) -> None:
        async with db.write() as conn:
            await bots.set_state(conn, await bots.require(conn, bot_id), state, list(features) or None)

    _run(work)
    names = {0: "disabled", 1: "enabled", 2: "no-setup"}
    _print(output, {"state": state}, lambda: click.echo(f"Bot state set to {names.get(state, state)}"))


async def _each_room(
    db: Database, bot_id: int, tokens: tuple[str, ...], change: Callable[..., Awaitable[bool]], done: str, already: str
) -> tuple[list[str], bool]:
    """Apply ``change`` in each conversation; the servers' job runners send the bot its ``Join`` or
    ``Leave`` on their next look for due jobs (within a second)."""
    lines: list[str] = []
    failed = False
    async with db.write() as conn:
        bot = await bots.require(conn, bot_id)
        for token in tokens:
            room = await rooms.get(conn, token)
            if room is None:
                lines.append(f"Conversation {token} was not found")
                failed = True
                continue
            try:
                changed = await change(conn, room, bot)
            except BadRequest:
                lines.append(f"Bot can not be set up for conversation {token}")
                failed = True
                continue
            lines.append((done if changed else already).format(token=token))
    return lines, failed


def _rooms_command(name: str, help_text: str, change: Callable[..., Awaitable[bool]], done: str, already: str) -> Any:
    @click.command(name, help=help_text)
    @click.argument("bot_id", metavar="BOT-ID", type=int)
    @click.argument("tokens", metavar="TOKEN", nargs=-1)
    @click.option("--output", type=OUTPUT, default="plain")
    def command(bot_id: int, tokens: tuple[str, ...], output: str) -> None:
        lines, failed = _run(lambda db: _each_room(db, bot_id, tokens, change, done, already))
        _print(output, lines, lambda: click.echo("\n".join(lines)))
        if failed:
            raise SystemExit(1)

    return command


async def _setup(conn: Any, room: Any, bot: Bot) -> bool:
    return await bots.enable(conn, room, bot, by_admin=True)


setup = _rooms_command(
    "talk:bot:setup",
    "Enable a bot in conversations (also a bot installed with --no-setup).",
    _setup,
    "Successfully set up for conversation {token}",
    "Bot is already set up for conversation {token}",
)
remove = _rooms_command(
    "talk:bot:remove",
    "Disable a bot in conversations.",
    bots.disable,
    "Successfully removed from conversation {token}",
    "Bot is not set up for conversation {token}",
)

commands = [install, list_bots, uninstall, state, setup, remove]

"""``occ``: the Nextcloud admin commands Causerie understands, with the same names and flags.

Commands are listed from ``INDEX`` and imported only when run: an admin runs ``occ`` many times in
a row, and importing every command's services (SQLAlchemy, Pillow, the push libraries) took most
of two seconds per call.
"""

from __future__ import annotations

import importlib

import click

from causerie import __version__
from causerie.settings import settings_help

# name: (module under causerie.cli.occ, function, one line of help). tests/cli/test_occ_list.py
# checks each line against the command's own help.
INDEX: dict[str, tuple[str, str, str]] = {
    "background-job:list": ("jobs", "background_job_list", "List jobs, newest first, with how they went."),
    "background-job:retry": ("jobs", "background_job_retry", "Give a dead job (or every dead job) a new set of tries."),
    "config:app:delete": ("config", "config_app_delete", "Delete an app config value."),
    "config:app:get": ("config", "config_app_get", "Print an app config value (exit 1 when it is not set)."),
    "config:app:list": ("config", "config_app_list", "List app config values as JSON; sensitive values are masked."),
    "config:app:set": ("config", "config_app_set", "Set an app config value."),
    "config:list": ("config", "config_list", "Same as config:app:list (Nextcloud's name)."),
    "db:convert-type": ("database", "db_convert_type", "Copy this SQLite database into PostgreSQL."),
    "files:cleanup": (
        "files",
        "files_cleanup",
        "Remove abandoned chunked uploads, scratch files of dead processes and unreferenced contents.",
    ),
    "group:add": ("users", "group_add", "Add a group."),
    "group:adduser": ("users", "group_adduser", "Add a user to a group."),
    "group:delete": ("users", "group_delete", "Delete a group."),
    "group:list": ("users", "group_list", "List groups with their members."),
    "group:removeuser": ("users", "group_removeuser", "Remove a user from a group."),
    "maintenance:backup": ("database", "maintenance_backup", "Copy the SQLite database to PATH while the server runs."),
    "security:bruteforce:attempts": (
        "security",
        "bruteforce_attempts",
        "Show the failed attempts of an IP address and the delay they cause.",
    ),
    "security:bruteforce:reset": (
        "security",
        "bruteforce_reset",
        "Forget the failed attempts of an IP address (its whole subnet).",
    ),
    "status": ("database", "status", "Show the version and the database in use."),
    "talk:bot:install": (
        "bots",
        "install",
        "Install a bot: Talk posts to URL what happens where it is enabled, signed with SECRET.",
    ),
    "talk:bot:list": ("bots", "list_bots", "List the installed bots (or those enabled in the conversation TOKEN)."),
    "talk:bot:remove": ("bots", "remove", "Disable a bot in conversations."),
    "talk:bot:setup": ("bots", "setup", "Enable a bot in conversations (also a bot installed with --no-setup)."),
    "talk:bot:state": (
        "bots",
        "state",
        "Set a bot's state (0 disabled, 1 enabled, 2 no-setup) and, with --feature, its features.",
    ),
    "talk:bot:uninstall": ("bots", "uninstall", "Uninstall a bot: it leaves every conversation."),
    "talk:export": (
        "conversations",
        "export",
        "Export a conversation's history: JSON (lossless, for talk:import), Markdown or HTML.",
    ),
    "talk:import": (
        "conversations",
        "import_",
        "Import a JSON export of talk:export as a new conversation; prints its token.",
    ),
    "user:add": ("users", "user_add", "Add a user."),
    "user:add-app-password": (
        "users",
        "user_add_app_password",
        "Create an app password for a user and print it (it is not shown again).",
    ),
    "user:delete": ("users", "user_delete", "Delete a user."),
    "user:info": ("files", "user_info", "A user's quota and the bytes its files take."),
    "user:list": ("users", "user_list", "List users."),
    "user:resetpassword": ("users", "user_resetpassword", "Set a user's password."),
    "user:setting": ("files", "user_setting", "Read or set a user setting (files quota)."),
}


def load(name: str) -> click.Command:
    module, function, _ = INDEX[name]
    command = getattr(importlib.import_module(f"causerie.cli.occ.{module}"), function)
    assert isinstance(command, click.Command)
    return command


def listing() -> str:
    width = max(len(name) for name in INDEX)
    lines = [f"Causerie occ {__version__}", "", "Available commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, _, help_) in INDEX.items()]
    return "\n".join(lines)


class _Occ(click.Group):
    """Commands loaded on use; ``occ`` alone and ``occ list`` list them, ``occ help CMD`` explains one."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*INDEX, "help", "list"])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in INDEX:
            return load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The one-line help from the index: --help must not import every command.
        rows = [(name, help_) for name, (_, _, help_) in INDEX.items()]
        rows += [("help", "Show the help of a command."), ("list", "List the commands.")]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


@click.group(cls=_Occ, invoke_without_command=True, epilog=settings_help())
@click.version_option(__version__, "--version", "-V", prog_name="Causerie occ")
@click.option(
    "--init",
    is_flag=True,
    help="Create the database when there is none (otherwise occ refuses, so that a mistyped "
    "data directory is not taken for a new installation).",
)
@click.option("--no-interaction", "-n", is_flag=True, hidden=True)
@click.option("--no-warnings", is_flag=True, hidden=True)
@click.pass_context
def main(ctx: click.Context, init: bool, no_interaction: bool, no_warnings: bool) -> None:
    """Administer Causerie the way Nextcloud's occ does.

    occ works on the server's database: the one CAUSERIE_DATABASE_URL names, or else the SQLite file
    in CAUSERIE_DATA_DIR (default ./data), exactly as `causerie serve` finds it.
    """
    ctx.meta["causerie.init"] = init
    if ctx.invoked_subcommand is None:
        click.echo(listing())


@main.command("list")
def list_() -> None:
    """List the commands."""
    click.echo(listing())


@main.command("help")
@click.argument("command_name", required=False)
@click.pass_context
def help_(ctx: click.Context, command_name: str | None) -> None:
    """Show the help of a command."""
    root = ctx.find_root()
    if command_name is None:
        click.echo(root.get_help())
        return
    group = root.command
    assert isinstance(group, click.Group)
    command = group.get_command(root, command_name)
    if command is None:
        raise click.UsageError(f'Command "{command_name}" is not defined.')
    with click.Context(command, info_name=command_name, parent=root) as sub:
        click.echo(command.get_help(sub))

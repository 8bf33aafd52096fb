"""``occ``: the Nextcloud admin commands Causerie understands, with the same names and flags."""

from __future__ import annotations

import click

from causerie.cli.occ import config, conversations, files, jobs, security, users


class _Occ(click.Group):
    """Keeps commands in the order Nextcloud lists them and tolerates ``occ`` global flags."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


@click.group(cls=_Occ)
@click.option("--no-interaction", "-n", is_flag=True, hidden=True)
@click.option("--no-warnings", is_flag=True, hidden=True)
def main(no_interaction: bool, no_warnings: bool) -> None:
    """Administer Causerie the way Nextcloud's occ does."""


for module in (config, users, security, jobs, files, conversations):
    for command in module.commands:
        main.add_command(command)

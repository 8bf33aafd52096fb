"""occ security:bruteforce:*: the failed attempts an address has made."""

from __future__ import annotations

import json
import time

import click

from causerie.cli.common import run_with_db
from causerie.services.accounts.bruteforce import Throttler, delay_for, subnet_of
from causerie.storage.accounts import bruteforce
from causerie.storage.db import Database


@click.command("security:bruteforce:reset")
@click.argument("ipaddress")
def bruteforce_reset(ipaddress: str) -> None:
    """Forget the failed attempts of an IP address (its whole subnet)."""

    async def work(db: Database) -> None:
        await Throttler(db).reset(ipaddress)

    run_with_db(work)


@click.command("security:bruteforce:attempts")
@click.argument("ipaddress")
@click.argument("action", required=False, default="")
def bruteforce_attempts(ipaddress: str, action: str) -> None:
    """Show the failed attempts of an IP address and the delay they cause."""

    async def work(db: Database) -> dict[str, int]:
        async with db.read() as conn:
            count = await bruteforce.count(conn, subnet_of(ipaddress), action or None, time.time() - 12 * 3600)
        return {"bypass-listed": 0, "attempts": count, "delay": delay_for(count)}

    click.echo(json.dumps(run_with_db(work), indent=2))


commands = [bruteforce_reset, bruteforce_attempts]

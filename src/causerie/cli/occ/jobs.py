"""occ background-job:*: the durable jobs (push, webhooks, reminders) and the ones that died."""

from __future__ import annotations

import json
from typing import Any

import click

from causerie.cli.common import run_with_db
from causerie.services.jobs import queue as jobs
from causerie.storage.db import Database


@click.command("background-job:list")
@click.option("--state", type=click.Choice(["pending", "done", "dead"]), default=None, help="Only jobs in this state.")
@click.option("--limit", "-l", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--output", type=click.Choice(["plain", "json", "json_pretty"]), default="plain")
def background_job_list(state: str | None, limit: int, output: str) -> None:
    """List jobs, newest first, with how they went."""

    async def work(db: Database) -> list[dict[str, Any]]:
        return await jobs.listing(db, state=state, limit=limit)

    found = run_with_db(work)
    if output != "plain":
        click.echo(json.dumps(found, indent=2 if output == "json_pretty" else None))
        return
    for job in found:
        error = f"  {job['last_error']}" if job["last_error"] else ""
        click.echo(f"{job['id']}  {job['kind']}  {job['state']}  tries {job['attempts']}/{job['max_attempts']}{error}")


@click.command("background-job:retry")
@click.argument("job_id", type=int, required=False)
@click.option("--all-dead", is_flag=True, help="Every dead job.")
def background_job_retry(job_id: int | None, all_dead: bool) -> None:
    """Give a dead job (or every dead job) a new set of tries."""
    if (job_id is None) == (not all_dead):
        raise click.UsageError("name one job id, or --all-dead")

    async def work(db: Database) -> int:
        return await jobs.retry_dead(db, None if all_dead else job_id)

    count = run_with_db(work)
    if count == 0 and job_id is not None:
        raise click.ClickException(f"job {job_id} is not dead")
    click.echo(f"{count} job(s) will be tried again")


commands = [background_job_list, background_job_retry]

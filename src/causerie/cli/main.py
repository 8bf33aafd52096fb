"""``causerie serve`` and ``causerie db upgrade``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click
import uvicorn

from causerie import __version__
from causerie.app import create_app
from causerie.cli.common import run_with_db
from causerie.cli.listen import listen
from causerie.cli.logs import configure_logging
from causerie.runtime import Runtime
from causerie.services.accounts import users
from causerie.settings import LOG_LEVELS, MAX_PORT, Settings, SettingsError, settings_help
from causerie.storage import sqlite_owner
from causerie.storage.db import Database


class _Server(uvicorn.Server):
    """Releases every long-poll the moment a stop signal arrives, so shutdown never hangs on them."""

    def __init__(self, config: uvicorn.Config, runtime: Runtime) -> None:
        super().__init__(config)
        self.runtime = runtime

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            loop.call_soon_threadsafe(self.runtime.hub.close)
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            # uvicorn raises the stop signal again once it has shut down, which makes Ctrl-C an
            # "Aborted!" with exit 1 and SIGTERM a death by signal. Both are a normal stop here.
            self._captured_signals.clear()


def _first_admin(settings: Settings) -> str | None:
    """On a fresh install, create ``admin`` with a random password and return that password."""

    async def work(db: Database) -> str | None:
        async with db.write() as conn:
            return await users.create_first_admin(conn)

    return run_with_db(work, settings)


@click.group(epilog=settings_help())
@click.version_option(__version__, "--version", "-V", prog_name="Causerie")
def main() -> None:
    """Causerie, a chat server that speaks the Nextcloud Talk API."""


@main.command()
@click.option("--host", default=None, help="Address to bind (CAUSERIE_HOST, default 127.0.0.1).")
@click.option(
    "--port",
    type=click.IntRange(1, MAX_PORT),
    default=None,
    help="Port to listen on (CAUSERIE_PORT, default 8080).",
)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default=None,
    help="CAUSERIE_LOG_LEVEL, default info; debug also shows the libraries' messages.",
)
def serve(host: str | None, port: int | None, log_level: str | None) -> None:
    """Run the server (migrates the database first)."""
    # Until uvicorn takes the signals over, a stop is a KeyboardInterrupt: a quiet exit 0 as well.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        _serve(host, port, log_level)


def _serve(host: str | None, port: int | None, log_level: str | None) -> None:
    try:
        settings = Settings.from_env(host=host, port=port, log_level=log_level and log_level.lower())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging(settings.log_level, settings.log_format)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        # Held (by its open descriptor) until the process ends.
        sqlite_owner.claim(settings.database_url)
    except sqlite_owner.CannotClaim as exc:
        raise click.ClickException(str(exc)) from None
    sock = listen(settings.host, settings.port)
    password = _first_admin(settings)
    runtime = Runtime.create(settings)
    app = create_app(settings, runtime=runtime)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        # uvicorn's own start and stop lines repeat what the ready line says.
        log_config=None,
        timeout_graceful_shutdown=5,
        # The app reads forwarded headers itself, from the configured proxies only (http/proxies.py).
        proxy_headers=False,
    )
    server = _Server(config, runtime)
    _tune_gc()
    if password is not None:
        click.echo(f"First start: created the user 'admin' with the password '{password}'.")
        click.echo(
            f"Add users with:  OC_PASS=… {occ_command()} user:add --password-from-env --display-name='Alice' alice"
        )
        click.echo(
            f"Try it:  curl -u admin:PASSWORD -H 'OCS-APIRequest: true' "
            f"'{settings.base_url}/ocs/v2.php/cloud/capabilities?format=json'"
        )
    sys.stdout.flush()
    server.run(sockets=[sock])


def occ_command() -> str:
    """How to run occ from here: ``occ`` when the shell finds this installation's, else its path."""
    beside = Path(sys.executable).parent / "occ"
    if not beside.exists():
        return f"{sys.executable} -m causerie.cli.occ"
    found = shutil.which("occ")
    if found is not None and Path(found).resolve() == beside.resolve():
        return "occ"
    try:
        return f"./{beside.relative_to(Path.cwd())}"
    except ValueError:
        return str(beside)


def _tune_gc() -> None:
    """Fewer cyclic garbage collections.

    Thousands of parked long-polls are thousands of live objects that every full collection walks,
    and answering them all at once allocates enough to trigger many: measured with bench/longpoll.py,
    collections took a fifth of the time to answer 10,000 waiters. Objects made while starting
    are frozen (never scanned again) and a young collection waits for 50,000 allocations, not 700.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""

    async def work(_db: Database) -> None:
        return None

    run_with_db(work, create=True)
    click.echo("Database is up to date.")


if __name__ == "__main__":
    main()

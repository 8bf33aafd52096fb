"""The reference external call service (examples/external_call_service) as a real process."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from causerie.services.config import appconfig, talk_config
from causerie.settings import normalise_database_url
from causerie.storage.config.appconfig import StoredValue
from causerie.storage.db import Database
from tests.support.server import ServerProcess, free_port, start_process

REPO = Path(__file__).resolve().parents[2]
AUTH_USER = "nextcloud"
AUTH_PASSWORD = "b" * 64
SHARED_SECRET = "a" * 64
IFRAME_FIELD = "iframeUrl"


def set_spreed_config(server: ServerProcess, values: dict[str, str | None], *, unchecked: bool = False) -> None:
    """What ``occ config:app:set spreed KEY --value V`` does (None deletes), in one go.

    Each occ run starts a Python process; tests that switch several keys use this instead.
    ``unchecked`` stores strings as they are, as a database written by hand or by an older
    version could hold them.
    """

    async def write() -> None:
        db = Database(normalise_database_url(server.database_url))
        try:
            async with db.write() as conn:
                for key, value in values.items():
                    if value is None:
                        await appconfig.delete_value(conn, talk_config.APP, key)
                    elif unchecked:
                        await appconfig.set_value(conn, talk_config.APP, StoredValue(key, value, "string", True))
                    else:
                        prepared = appconfig.prepare(talk_config.APP, key, value, None, False)
                        await appconfig.set_value(conn, talk_config.APP, prepared)
        finally:
            await db.dispose()

    asyncio.run(write())


class ExternalService:
    """``python -m examples.external_call_service serve`` on a loopback port, recording requests."""

    def __init__(
        self,
        log_dir: Path,
        talk_url: str,
        *,
        user: str = AUTH_USER,
        password: str = AUTH_PASSWORD,
        iframe_field: str = IFRAME_FIELD,
        slow_seconds: float = 30.0,
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.args = [
            "--port",
            str(self.port),
            "--talk-url",
            talk_url,
            "--iframe-field",
            iframe_field,
            "--user",
            user,
            "--slow-seconds",
            str(slow_seconds),
            "--record",
        ]
        self.env = {"ECS_AUTH_PASSWORD": password, "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
        self.log_path = log_dir / f"external-service-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def meeting_url_template(self) -> str:
        return f"{self.base_url}/nextcloud/meeting/{{meetingId}}"

    def page_url(self, meeting_id: str) -> str:
        return f"{self.base_url}/meeting/{meeting_id}"

    def start(self) -> ExternalService:
        self.proc = start_process(
            [sys.executable, "-m", "examples.external_call_service", *self.args],
            cwd=REPO,
            env=self.env,
            log_path=self.log_path,
            ready_url=f"{self.base_url}/",
            name="external service",
        )
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def requests(self) -> list[dict[str, Any]]:
        """What Talk sent, oldest first."""
        result: list[dict[str, Any]] = httpx.get(f"{self.base_url}/requests", timeout=10).json()
        return result

    def forget_requests(self) -> None:
        httpx.delete(f"{self.base_url}/requests", timeout=10)

"""The example echo bot (examples/echo_bot) as a real process on a loopback port."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import free_port, start_process

REPO = Path(__file__).resolve().parents[2]


class EchoBot:
    """``python -m examples.echo_bot --record``; stopped and started again on the same port to play
    a bot that was unreachable for a while."""

    def __init__(self, log_dir: Path, secret: str, *, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base_url}/webhook"
        self.secret = secret
        self.log_dir = log_dir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> EchoBot:
        self.proc = start_process(
            [sys.executable, "-m", "examples.echo_bot", "--port", str(self.port), "--record"],
            cwd=REPO,
            env={"ECHO_BOT_SECRET": self.secret, "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
            log_path=self.log_dir / f"echo-bot-{self.port}-{time.monotonic_ns()}.log",
            ready_url=f"{self.base_url}/health",
            name="echo bot",
        )
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def events(self) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.base_url}/events", timeout=5).json())

    def wait_for(self, count: int, kind: str | None = None, timeout: float = 30) -> list[dict[str, Any]]:
        """The events received so far (of one ``type``), once there are at least ``count``."""
        deadline = time.monotonic() + timeout
        found: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            found = [event for event in self.events() if kind is None or event.get("type") == kind]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"the bot received {len(found)} {kind or ''} events, expected {count}")

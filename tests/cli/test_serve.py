"""``causerie serve`` on a fresh data directory, as the README's first command runs it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.server import ServerProcess, free_port


def test_first_start_creates_admin_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CAUSERIE_DATA_DIR": str(tmp_path / "data")}
    env.pop("CAUSERIE_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "causerie", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        password = None
        for line in proc.stdout:
            match = re.search(r"created the user 'admin' with the password '([^']+)'", line)
            if match:
                password = match.group(1)
            if "Uvicorn running" in line or "Application startup complete" in line:
                break
        assert password, "the first start must print the admin password"
        response = httpx.get(
            f"http://127.0.0.1:{port}/ocs/v2.php/cloud/capabilities?format=json",
            auth=("admin", password),
            headers={"OCS-APIRequest": "true"},
        )
        assert response.json()["ocs"]["data"]["capabilities"]["spreed"]["config"]["chat"]["max-length"] == 32000
        assert (tmp_path / "data" / "causerie.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        # uvicorn re-raises the signal once it has shut down gracefully.
        assert proc.wait(timeout=15) in (0, -signal.SIGTERM)


def _wrong_login(base_url: str, forwarded_for: str) -> None:
    response = httpx.get(
        f"{base_url}/ocs/v2.php/cloud/user?format=json",
        auth=("alice", "not-her-password"),
        headers={"OCS-APIRequest": "true", "X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 401


def _attempts(server: ServerProcess, ip: str) -> str:
    return server.occ("security:bruteforce:attempts", ip, "login").stdout


def test_behind_a_trusted_proxy_the_forwarded_client_is_throttled(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path, f"sqlite:///{tmp_path / 'proxy.db'}", extra_env={"CAUSERIE_TRUSTED_PROXIES": "127.0.0.0/8"}
    )
    server.seed()
    server.start()
    try:
        _wrong_login(server.base_url, "203.0.113.9")
        assert '"attempts": 1' in _attempts(server, "203.0.113.9")
        # The proxy itself is not blamed, so one attacker does not lock out everyone behind it.
        assert '"attempts": 0' in _attempts(server, "127.0.0.1")
    finally:
        server.stop()


def test_forwarded_headers_from_anyone_else_are_ignored(server: ServerProcess, reset_bruteforce: None) -> None:
    _wrong_login(server.base_url, "198.51.100.7")
    assert '"attempts": 0' in _attempts(server, "198.51.100.7")
    assert '"attempts": 1' in _attempts(server, "127.0.0.1")

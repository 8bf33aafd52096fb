"""``causerie serve`` on a fresh data directory, as the README's first command runs it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.server import free_port


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

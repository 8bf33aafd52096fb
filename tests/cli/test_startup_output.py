"""What ``causerie serve`` prints: one line per process that tells processes apart, no library noise."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.server import free_port


def _start(tmp_path: Path, port: int, **extra: str) -> tuple[subprocess.Popen[str], Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAUSERIE_")}
    env.update({"CAUSERIE_DATA_DIR": str(tmp_path / "data"), **extra})
    log = tmp_path / f"serve-{port}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "causerie", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 60
    while " ready on " not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    return proc, log


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_first_start_prints_the_password_the_right_occ_and_one_ready_line(tmp_path: Path) -> None:
    port = free_port()
    proc, log = _start(tmp_path, port)
    try:
        httpx.get(f"http://127.0.0.1:{port}/status.php")
    finally:
        _stop(proc)
    lines = log.read_text().splitlines()
    occ = Path(sys.executable).parent / "occ"
    hint = next(line for line in lines if line.startswith("Add users with:"))
    # The occ of this installation, by a path that works from where the server was started.
    assert f" {occ} user:add " in hint
    ready = [line for line in lines if " ready on " in line]
    assert len(ready) == 1
    assert f"ready on http://127.0.0.1:{port} (pid {proc.pid}, database {tmp_path / 'data' / 'causerie.db'}" in ready[0]
    assert "broker none" in ready[0]
    # Nothing from the migrations or uvicorn at the default level: the password lines, the hints,
    # the ready line and the request.
    assert not [line for line in lines if "alembic" in line or "uvicorn" in line.lower()]
    assert len(lines) == 5, lines


def test_two_processes_with_one_public_url_can_be_told_apart_and_a_restart_is_one_line(tmp_path: Path) -> None:
    port = free_port()
    proc, log = _start(tmp_path, port, CAUSERIE_PUBLIC_URL="https://chat.example.org", CAUSERIE_LOG_REQUESTS="0")
    _stop(proc)
    proc, log = _start(tmp_path, port, CAUSERIE_PUBLIC_URL="https://chat.example.org", CAUSERIE_LOG_REQUESTS="0")
    _stop(proc)
    lines = log.read_text().splitlines()
    assert len(lines) == 1, lines
    assert f"ready on https://chat.example.org (listening on 127.0.0.1:{port}, pid {proc.pid}," in lines[0]


def test_debug_shows_the_libraries_and_json_logs_are_json(tmp_path: Path) -> None:
    port = free_port()
    proc, log = _start(tmp_path, port, CAUSERIE_LOG_LEVEL="debug")
    _stop(proc)
    assert "alembic" in log.read_text()
    port = free_port()
    proc, log = _start(tmp_path, port, CAUSERIE_LOG_FORMAT="json")
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/status.php", headers={"X-Request-Id": "proxy-given-1"})
        assert response.headers["x-request-id"] == "proxy-given-1"
        own = httpx.get(f"http://127.0.0.1:{port}/status.php").headers["x-request-id"]
    finally:
        _stop(proc)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    ready = [e for e in entries if " ready on " in e.get("message", "")]
    assert len(ready) == 1 and ready[0]["level"] == "info"
    requests = [e for e in entries if e["logger"] == "causerie.access"]
    assert [(e["request_id"], e["route"], e["status"]) for e in requests] == [
        ("proxy-given-1", "/status.php", 200),
        (own, "/status.php", 200),
    ]

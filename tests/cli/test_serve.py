"""``causerie serve`` as operators run it: a fresh data directory, several processes, bad ports, signals."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_postgres_database
from tests.support.server import ServerProcess, free_port, password_of

ADMIN_PASSWORD = re.compile(r"created the user 'admin' with the password '([^']+)'")
WAITERS = "/ocs/v2.php/apps/causerie/api/v1/longpoll?format=json"
OCS = {"OCS-APIRequest": "true"}


def _serve(port: int | None, env: dict[str, str], *extra: str, log: Path | None = None) -> subprocess.Popen[str]:
    """``causerie serve`` at the default log level, so that its "ready" line shows."""
    args = [sys.executable, "-m", "causerie", "serve", *(["--port", str(port)] if port is not None else []), *extra]
    out = log.open("w") if log is not None else subprocess.PIPE
    return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)


def _refused(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """The exit code and output of a server that must refuse to start (killed if it serves instead)."""
    try:
        output, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        raise AssertionError(f"the server started instead of refusing:\n{output}") from None
    return proc.returncode, output


def _sqlite_env(data_dir: Path, database: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "CAUSERIE_DATA_DIR": str(data_dir), "CAUSERIE_DATABASE_URL": f"sqlite:///{database}"}
    env.pop("CAUSERIE_PORT", None)
    return {**env, **extra}


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
            match = ADMIN_PASSWORD.search(line)
            if match:
                password = match.group(1)
            if " ready on " in line:
                break
        assert password, "the first start must print the admin password"
        response = httpx.get(
            f"http://127.0.0.1:{port}/ocs/v2.php/cloud/capabilities?format=json",
            auth=("admin", password),
            headers={"OCS-APIRequest": "true"},
        )
        assert response.json()["ocs"]["data"]["capabilities"]["spreed"]["config"]["chat"]["max-length"] == 32000
        assert (tmp_path / "data" / "causerie.db").exists()
        # As in Nextcloud, the first administrator is in the "admin" group (which admin-only endpoints check).
        waiters = httpx.get(f"http://127.0.0.1:{port}{WAITERS}", auth=("admin", password), headers=OCS)
        assert waiters.status_code == 200, waiters.text
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


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


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    yield from fresh_postgres_database()


@pytest.mark.postgres
def test_two_processes_started_together_on_a_fresh_database_both_serve_and_create_one_admin(
    fresh_pg_url: str, tmp_path: Path
) -> None:
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"serve-{port}.log" for port in ports]
    env = {**os.environ, "CAUSERIE_DATABASE_URL": fresh_pg_url}
    env.pop("CAUSERIE_BROKER_URL", None)
    procs = [
        _serve(port, {**env, "CAUSERIE_DATA_DIR": str(tmp_path / f"data-{port}")}, log=log)
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        serving = [False, False]
        deadline = time.monotonic() + 60
        while not all(serving) and time.monotonic() < deadline:
            for i, (port, proc) in enumerate(zip(ports, procs, strict=True)):
                if serving[i]:
                    continue
                assert proc.poll() is None, f"process {i + 1} exited ({proc.returncode}):\n{logs[i].read_text()}"
                with contextlib.suppress(httpx.HTTPError):
                    serving[i] = httpx.get(f"http://127.0.0.1:{port}/status.php", timeout=1).status_code == 200
            time.sleep(0.05)
        assert all(serving), [log.read_text() for log in logs]
        passwords = [m.group(1) for log in logs for m in ADMIN_PASSWORD.finditer(log.read_text())]
        assert len(passwords) == 1, [log.read_text() for log in logs]
        for port in ports:
            waiters = httpx.get(f"http://127.0.0.1:{port}{WAITERS}", auth=("admin", passwords[0]), headers=OCS)
            assert waiters.status_code == 200, waiters.text
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=15)


def test_a_second_server_on_the_same_sqlite_file_is_refused_and_occ_still_works(tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    first = ServerProcess(tmp_path / "first", f"sqlite:///{database}")
    first.data_dir.mkdir()
    first.seed()
    first.start()
    try:
        # Another data directory, another port, the same database file.
        code, output = _refused(_serve(free_port(), _sqlite_env(tmp_path / "second", database)))
        assert code != 0
        lines = [line for line in output.splitlines() if line.strip()]
        assert "Traceback" not in output, output
        assert any("already" in line and str(database) in line for line in lines), output
        # The first one goes on serving, and occ works beside it.
        first.occ("user:add", "--password-from-env", "erin", env={"OC_PASS": password_of("erin")})
        user = httpx.get(
            f"{first.base_url}/ocs/v2.php/cloud/user?format=json", auth=("erin", password_of("erin")), headers=OCS
        )
        assert user.status_code == 200, user.text
    finally:
        assert first.stop() == 0


@pytest.mark.parametrize(
    ("args", "env_port"),
    [(["--port", "99999"], None), (["--port", "0"], None), ([], "99999"), ([], "eighty"), ([], "-1")],
    ids=["flag-too-big", "flag-zero", "env-too-big", "env-not-a-number", "env-negative"],
)
def test_an_invalid_port_is_refused_with_a_clear_error(tmp_path: Path, args: list[str], env_port: str | None) -> None:
    env = _sqlite_env(tmp_path, tmp_path / "causerie.db")
    if env_port is not None:
        env["CAUSERIE_PORT"] = env_port
    code, output = _refused(_serve(None, env, *args))
    assert code != 0
    assert "Traceback" not in output, output
    assert re.search(r"port", output, re.IGNORECASE), output
    assert (env_port or args[1]) in output, output


def test_a_port_in_use_is_refused_without_saying_ready(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, output = _refused(_serve(port, _sqlite_env(tmp_path, tmp_path / "causerie.db")))
    assert code != 0
    assert "Traceback" not in output, output
    assert " ready " not in output, output
    assert f"port {port} on 127.0.0.1 is already in use" in output, output


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_is_a_normal_stop(tmp_path: Path, sig: signal.Signals) -> None:
    server = ServerProcess(tmp_path, f"sqlite:///{tmp_path / 'causerie.db'}")
    server.start()
    assert server.proc is not None
    server.proc.send_signal(sig)
    assert server.proc.wait(timeout=30) == 0, server.log()
    assert "Aborted" not in server.log()
    assert "Traceback" not in server.log()

"""occ as operators use it, including every line of the external call service seed verbatim."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from tests.support.client import TalkClient
from tests.support.server import ServerProcess

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "external-call-service.txt"


def seed_commands() -> list[list[str]]:
    lines = [line.strip() for line in SEED.read_text().splitlines() if line.strip().startswith("occ config:app:set")]
    return [shlex.split(line)[1:] for line in lines]


@pytest.fixture
def fresh(tmp_path: Path) -> ServerProcess:
    """A data directory of its own (no server needed: occ works on the database directly)."""
    process = ServerProcess(tmp_path, f"sqlite:///{tmp_path / 'causerie.db'}")
    process.occ("--init", "status")
    return process


def test_seed_has_seven_commands() -> None:
    assert len(seed_commands()) == 7


def test_seed_commands_run_verbatim_and_are_typed(fresh: ServerProcess) -> None:
    for args in seed_commands():
        fresh.occ(*args)
    listed = json.loads(fresh.occ("config:app:list", "spreed").stdout)["apps"]["spreed"]
    assert listed["start_calls"] == "3"
    assert listed["external_call_service"] == "https://pcs.example.tld/nextcloud/meeting/{meetingId}"
    assert json.loads(listed["external_call_service_frame_origins"]) == [
        "https://service.example.tld",
        "https://service2.example.tld",
    ]
    assert listed["external_call_service_shared_secret"] == "***REMOVED SENSITIVE VALUE***"
    assert listed["external_call_service_auth_password"] == "***REMOVED SENSITIVE VALUE***"
    assert listed["external_call_service_auth_user"] == "nextcloud"
    assert listed["external_call_service_iframe_field"] == "iframeUrl"
    details = json.loads(fresh.occ("config:app:get", "spreed", "start_calls", "--details").stdout)
    assert details["type"] == "integer"
    origins = json.loads(
        fresh.occ("config:app:get", "spreed", "external_call_service_frame_origins", "--details").stdout
    )
    assert origins["type"] == "array"
    private = json.loads(fresh.occ("config:app:list", "spreed", "--private").stdout)["apps"]["spreed"]
    assert private["external_call_service_shared_secret"] == "a" * 64


@pytest.mark.parametrize(
    ("key", "value", "extra", "complaint"),
    [
        ("external_call_service_shared_secret", "a" * 63, ["--sensitive"], "at least 64 characters"),
        ("external_call_service", "ftp://x.example/{meetingId}", [], "http:// or https://"),
        ("external_call_service", "https://x.example/meeting", [], "{meetingId}"),
        ("external_call_service_frame_origins", '["https://a.example/path"]', ["--type", "array"], "not an origin"),
        ("external_call_service_frame_origins", "not json", ["--type", "array"], "not valid JSON"),
        ("external_call_service_frame_origins", '["https://a.example; script-src *"]', [], "not an origin"),
        ("external_call_service_connect_timeout", "0", [], "more than 0"),
        ("external_call_service_timeout", "600", [], "at most 60"),
        ("start_calls", "seven", [], "not an integer"),
        ("start_calls", "9", [], "start_calls must be"),
        ("start_calls", "3", ["--type", "string"], "of type integer"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    fresh: ServerProcess, key: str, value: str, extra: list[str], complaint: str
) -> None:
    result = fresh.occ("config:app:set", "spreed", key, "--value", value, *extra, check=False)
    assert result.returncode != 0
    assert complaint in result.stderr
    assert fresh.occ("config:app:get", "spreed", key, check=False).returncode == 1


def test_config_delete(fresh: ServerProcess) -> None:
    fresh.occ("config:app:set", "spreed", "start_calls", "--value", "1")
    fresh.occ("config:app:delete", "spreed", "start_calls")
    assert fresh.occ("config:app:get", "spreed", "start_calls", check=False).returncode == 1
    assert fresh.occ("config:app:delete", "spreed", "start_calls", "--error-if-not-exists", check=False).returncode == 1


def test_users_and_groups(fresh: ServerProcess) -> None:
    fresh.occ("user:add", "--password-from-env", "--display-name", "Eve E", "eve", env={"OC_PASS": "pw-eve-123"})
    assert fresh.occ("user:add", "--password-from-env", "eve", env={"OC_PASS": "x"}, check=False).returncode == 1
    assert fresh.occ("user:add", "--password-from-env", "bad/name", env={"OC_PASS": "x"}, check=False).returncode == 1
    assert fresh.occ("user:add", "--password-from-env", "frank", env={"OC_PASS": ""}, check=False).returncode == 1
    assert json.loads(fresh.occ("user:list", "--output", "json").stdout) == {"eve": "Eve E"}
    fresh.occ("group:add", "ops")
    fresh.occ("group:adduser", "ops", "eve")
    assert json.loads(fresh.occ("group:list", "--output", "json").stdout) == {"ops": ["eve"]}
    fresh.occ("group:removeuser", "ops", "eve")
    assert json.loads(fresh.occ("group:list", "--output", "json").stdout) == {"ops": []}
    assert fresh.occ("group:adduser", "ops", "nobody", check=False).returncode == 1
    fresh.occ("user:delete", "eve")
    assert json.loads(fresh.occ("user:list", "--output", "json").stdout) == {}


def test_passwords_reset_and_app_passwords_log_in(server: ServerProcess, make_client) -> None:  # type: ignore[no-untyped-def]
    server.occ("user:add", "--password-from-env", "gina", env={"OC_PASS": "first-password"})
    assert make_client("gina", password="first-password").get("cloud/user").status_code == 200
    server.occ("user:resetpassword", "--password-from-env", "gina", env={"OC_PASS": "second-password"})
    assert make_client("gina", password="first-password").get("cloud/user").status_code == 401
    assert make_client("gina", password="second-password").get("cloud/user").status_code == 200
    out = server.occ("user:add-app-password", "gina", "--name", "phone").stdout
    token = out.strip().splitlines()[-1]
    assert re.fullmatch(r"[A-Za-z0-9]{72}", token)
    client: TalkClient = make_client("gina", password=token)
    assert client.get("cloud/user").status_code == 200
    bearer = make_client(None)
    bearer.http.headers["Authorization"] = f"Bearer {token}"
    assert bearer.get("cloud/user").json()["ocs"]["data"]["id"] == "gina"
    server.occ("security:bruteforce:reset", "127.0.0.1")

"""The external call service end to end: Causerie and the reference service as real processes."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.client import TalkClient, data
from tests.support.external_service import AUTH_PASSWORD, SHARED_SECRET, ExternalService, set_spreed_config
from tests.support.server import ServerProcess

SECOND_FRAME_ORIGIN = "https://service2.example.tld:8443"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "external-call-service.txt"


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A Causerie of its own: these tests change the spreed configuration of the whole server."""
    data_dir = tmp_path_factory.mktemp("talk")
    process = ServerProcess(data_dir, f"sqlite:///{data_dir / 'causerie.db'}")
    process.seed()
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def service(talk: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalService]:
    running = ExternalService(tmp_path_factory.mktemp("ecs"), talk.base_url, slow_seconds=20).start()
    try:
        yield running
    finally:
        running.stop()


def seed_commands() -> list[list[str]]:
    lines = [line.strip() for line in SEED.read_text().splitlines() if line.strip().startswith("occ config:app:set")]
    return [shlex.split(line)[1:] for line in lines]


@pytest.fixture(scope="module")
def configured(talk: ServerProcess, service: ExternalService) -> ExternalService:
    """The seed's `occ` lines verbatim, then pointed at the reference service with a short timeout."""
    for args in seed_commands():
        talk.occ(*args)
    set_spreed_config(
        talk,
        {
            "external_call_service": service.meeting_url_template,
            "external_call_service_frame_origins": f'["{service.base_url}", "{SECOND_FRAME_ORIGIN}"]',
            "external_call_service_shared_secret": SHARED_SECRET,
            "external_call_service_auth_password": AUTH_PASSWORD,
            "external_call_service_timeout": "1",
        },
    )
    return service


def call_config(client: TalkClient) -> dict[str, object]:
    response = client.get("cloud/capabilities", params={"format": "json"})
    assert response.status_code == 200
    config: dict[str, object] = data(response)["capabilities"]["spreed"]["config"]["call"]
    return config


def test_without_configuration_calls_are_on_and_no_service_is_published(alice: TalkClient) -> None:
    config = call_config(alice)
    assert config["enabled"] is True
    assert "external-call-service" not in config


def test_seed_configuration_publishes_the_service_and_turns_built_in_calls_off(
    talk: ServerProcess, configured: ExternalService
) -> None:
    for client in (TalkClient(talk.base_url, "alice"), TalkClient(talk.base_url)):
        with client.http:
            config = call_config(client)
            assert config["enabled"] is False
            assert config["external-call-service"] == configured.meeting_url_template


def directives(csp: str) -> dict[str, str]:
    found = {}
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        found[name] = value
    return found


def test_the_page_hosting_the_iframe_opens_exactly_the_configured_origins(
    talk: ServerProcess, configured: ExternalService
) -> None:
    page = httpx.get(f"{talk.base_url}/call/abcdefgh", timeout=30)
    assert page.status_code == 200
    csp = directives(page.headers["content-security-policy"])
    assert csp["frame-src"] == f"'self' {configured.base_url} {SECOND_FRAME_ORIGIN}"
    assert csp["connect-src"] == f"'self' {configured.base_url}"
    assert csp["script-src"] == "'self'"
    assert csp["default-src"] == "'self'"
    allowed = f'self "{configured.base_url}" "{SECOND_FRAME_ORIGIN}"'
    policy = page.headers["permissions-policy"]
    assert f"camera=({allowed})" in policy
    assert f"microphone=({allowed})" in policy
    assert "display-capture=(self)" in policy

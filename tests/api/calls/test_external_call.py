"""The external call service end to end: Causerie and the reference service as real processes."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.client import TalkClient, data
from tests.support.external_service import (
    AUTH_PASSWORD,
    AUTH_USER,
    SHARED_SECRET,
    ExternalService,
    set_spreed_config,
)
from tests.support.server import ServerProcess, free_port, seeded_server

SECOND_FRAME_ORIGIN = "https://service2.example.tld:8443"
SEED = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "external-call-service.txt"
ROOM = "/ocs/v2.php/apps/spreed/api/v4/room"
SECRET_HEADER = "x-nextcloud-talk-external-service"


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A Causerie of its own: these tests change the spreed configuration of the whole server."""
    data_dir = tmp_path_factory.mktemp("talk")
    with seeded_server(data_dir, f"sqlite:///{data_dir / 'causerie.db'}") as process:
        yield process


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
    set_spreed_config(talk, configuration_for(service))
    return service


def configuration_for(service: ExternalService) -> dict[str, str | None]:
    return {
        "external_call_service": service.meeting_url_template,
        "external_call_service_frame_origins": f'["{service.base_url}", "{SECOND_FRAME_ORIGIN}"]',
        "external_call_service_shared_secret": SHARED_SECRET,
        "external_call_service_auth_user": AUTH_USER,
        "external_call_service_auth_password": AUTH_PASSWORD,
        "external_call_service_iframe_field": "iframeUrl",
        "external_call_service_timeout": "1",
    }


@pytest.fixture
def changed(talk: ServerProcess, configured: ExternalService) -> Iterator[Any]:
    """``changed({...})`` switches config keys for one test; the module's configuration comes back after."""
    touched: set[str] = set()

    def change(values: dict[str, str | None], *, unchecked: bool = False) -> None:
        touched.update(values)
        set_spreed_config(talk, values, unchecked=unchecked)

    yield change
    original = configuration_for(configured)
    set_spreed_config(talk, {key: original.get(key) for key in touched})


@pytest.fixture
def no_attempts(talk: ServerProcess) -> Iterator[None]:
    talk.occ("security:bruteforce:reset", "127.0.0.1")
    yield
    talk.occ("security:bruteforce:reset", "127.0.0.1")


@pytest.fixture
def clients(talk: ServerProcess) -> Iterator[Any]:
    made: list[TalkClient] = []

    def make(user: str | None = None) -> TalkClient:
        client = TalkClient(talk.base_url, user)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def service_create(
    talk: ServerProcess, secret: str | None = SHARED_SECRET, *, auth: tuple[str, str] | None = None, **body: Any
) -> httpx.Response:
    """``POST /room`` as the external service sends it: the secret header, no user session."""
    headers = {"OCS-APIRequest": "true", "Accept": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    return httpx.post(f"{talk.base_url}{ROOM}", headers=headers, json=body, auth=auth, timeout=60)


def meeting_room(talk: ServerProcess, meeting_id: str, *, owner: str = "alice", room_type: int = 3) -> str:
    response = service_create(
        talk,
        roomType=room_type,
        roomName=f"Meeting {meeting_id}",
        objectType="external_call",
        objectId=meeting_id,
        owner=owner,
    )
    assert response.status_code == 201, response.text
    token: str = data(response)["token"]
    return token


def external_call(client: TalkClient, token: str) -> httpx.Response:
    return client.post(f"apps/spreed/api/v4/room/{token}/external-call")


def join_as_guest(client: TalkClient, token: str) -> None:
    response = client.post(f"apps/spreed/api/v4/room/{token}/participants/active")
    assert response.status_code == 200, response.text


def add_user(owner: TalkClient, token: str, uid: str) -> None:
    response = owner.post(
        f"apps/spreed/api/v4/room/{token}/participants", json={"newParticipant": uid, "source": "users"}
    )
    assert response.status_code == 200, response.text


def room_names(client: TalkClient) -> list[str]:
    return [room["name"] for room in data(client.get("apps/spreed/api/v4/room"))]


def error_of(response: httpx.Response) -> Any:
    return response.json()["ocs"]["data"]


# --- configuration and capability ---------------------------------------------------------------


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
    talk: ServerProcess, configured: ExternalService, clients: Any
) -> None:
    for client in (clients("alice"), clients()):
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


# --- service -> Talk: creating conversations ----------------------------------------------------


def test_the_service_creates_a_conversation_owned_by_owner(
    talk: ServerProcess, configured: ExternalService, clients: Any, no_attempts: None
) -> None:
    meeting_id = str(uuid.uuid4())
    response = service_create(
        talk, roomType=3, roomName="Planning", objectType="external_call", objectId=meeting_id, owner="alice"
    )
    assert response.status_code == 201, response.text
    assert "X-Nextcloud-Bruteforce-Throttled" not in response.headers
    room = data(response)
    assert room["type"] == 3
    assert room["name"] == "Planning"
    assert room["objectType"] == "external_call"
    assert room["objectId"] == meeting_id
    assert room["participantType"] == 1
    assert room["actorType"] == "users"
    assert room["actorId"] == "alice"
    alice = clients("alice")
    seen = data(alice.get(f"apps/spreed/api/v4/room/{room['token']}"))
    assert seen["participantType"] == 1
    assert seen["objectType"] == "external_call"
    assert seen["objectId"] == meeting_id
    history = alice.get(f"apps/spreed/api/v1/chat/{room['token']}", params={"lookIntoFuture": 0})
    assert history.status_code == 200
    created = [m for m in data(history) if m["systemMessage"] == "conversation_created"]
    assert [(m["actorType"], m["actorId"]) for m in created] == [("users", "alice")]


def test_a_group_conversation_too(talk: ServerProcess, configured: ExternalService, clients: Any) -> None:
    token = meeting_room(talk, "group-meeting", owner="bob", room_type=2)
    room = data(clients("bob").get(f"apps/spreed/api/v4/room/{token}"))
    assert (room["type"], room["participantType"]) == (2, 1)
    assert clients("alice").get(f"apps/spreed/api/v4/room/{token}").status_code == 404


@pytest.mark.parametrize(
    ("secret", "auth"),
    [
        ("b" * 64, None),
        (SHARED_SECRET[:-1] + "b", None),
        (SHARED_SECRET + "a", None),
        ("", None),
        (None, None),
        # A user session does not help a wrong secret: the header decides.
        ("wrong", ("alice", "alice-password-1")),
    ],
)
def test_a_wrong_empty_or_missing_secret_is_401_and_creates_nothing(
    talk: ServerProcess,
    configured: ExternalService,
    clients: Any,
    no_attempts: None,
    secret: str | None,
    auth: tuple[str, str] | None,
) -> None:
    name = f"Never {uuid.uuid4().hex[:8]}"
    response = service_create(
        talk, secret, auth=auth, roomType=3, roomName=name, objectType="external_call", objectId="m", owner="alice"
    )
    assert response.status_code == 401
    assert error_of(response) == {"error": "auth"}
    assert name not in room_names(clients("alice"))


def test_an_empty_header_is_no_header_for_a_logged_in_user(
    talk: ServerProcess, configured: ExternalService, clients: Any
) -> None:
    response = service_create(talk, "", auth=("alice", "alice-password-1"), roomType=2, roomName="Own room")
    assert response.status_code == 201
    # Users cannot bind rooms to the external service; only the service can.
    refused = service_create(
        talk,
        None,
        auth=("alice", "alice-password-1"),
        roomType=3,
        roomName="Sneaky",
        objectType="external_call",
        objectId="m",
    )
    assert refused.status_code == 400
    assert error_of(refused) == {"error": "object-type"}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"roomType": 3, "roomName": "No owner", "objectType": "external_call", "objectId": "m"}, 400, "owner"),
        ({"roomType": 3, "roomName": "Empty owner", "owner": ""}, 400, "owner"),
        ({"roomType": 1, "roomName": "One to one", "owner": "alice", "invite": "bob"}, 400, "object-type"),
        ({"roomType": 4, "roomName": "Changelog", "owner": "alice"}, 400, "object-type"),
        ({"roomType": 6, "roomName": "Note", "owner": "alice"}, 400, "object-type"),
        (
            {"roomType": 3, "roomName": "Ghost", "objectType": "external_call", "objectId": "m", "owner": "ghost"},
            404,
            "owner",
        ),
    ],
)
def test_service_requests_with_bad_parameters(
    talk: ServerProcess, configured: ExternalService, clients: Any, body: dict[str, Any], status: int, error: str
) -> None:
    response = service_create(talk, **body)
    assert response.status_code == status
    assert error_of(response) == {"error": error}
    assert body["roomName"] not in room_names(clients("alice"))


def test_nothing_configured_means_no_service_can_authenticate(
    talk: ServerProcess, configured: ExternalService, changed: Any, no_attempts: None
) -> None:
    changed({"external_call_service": None})
    response = service_create(talk, roomType=3, roomName="Unconfigured", owner="alice")
    assert response.status_code == 401
    assert error_of(response) == {"error": "auth"}


def test_a_short_stored_secret_counts_as_not_configured(
    talk: ServerProcess, configured: ExternalService, changed: Any, clients: Any, no_attempts: None
) -> None:
    token = meeting_room(talk, "short-secret")
    changed({"external_call_service_shared_secret": "tooshort"}, unchecked=True)
    response = service_create(talk, "tooshort", roomType=3, roomName="Short", owner="alice")
    assert response.status_code == 401
    assert error_of(response) == {"error": "auth"}
    call = external_call(clients("alice"), token)
    assert call.status_code == 400
    assert error_of(call) == {"error": "server"}


def test_bad_secrets_are_throttled_then_blocked(
    talk: ServerProcess, configured: ExternalService, no_attempts: None
) -> None:
    delays: list[int] = []
    for _ in range(20):
        response = service_create(talk, "x" * 64, roomType=3, roomName="Guess", owner="alice")
        if response.status_code == 429:
            break
        assert response.status_code == 401
        delays.append(int(response.headers["X-Nextcloud-Bruteforce-Throttled"].removesuffix("ms")))
    else:
        pytest.fail("never blocked")
    assert response.json()["ocs"]["meta"]["message"] == "Reached maximum delay"
    assert delays[:3] == [200, 600, 1200]  # slept before (earlier attempts) and after (this one)
    assert delays == sorted(delays)
    # The 11th attempt reaches the cap within 30 minutes: it is already answered 429.
    assert len(delays) == 10
    # Blocked is blocked: even the right secret waits for the attempts to expire.
    assert service_create(talk, roomType=3, roomName="Right", owner="alice").status_code == 429


def create_room_command(talk: ServerProcess, *args: str, secret: str | None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin"}
    if secret is not None:
        env["ECS_SHARED_SECRET"] = secret
    return subprocess.run(
        [sys.executable, "-m", "examples.external_call_service", "create-room", "--talk-url", talk.base_url, *args],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_reference_service_creates_a_conversation_from_the_command_line(
    talk: ServerProcess, configured: ExternalService, clients: Any, no_attempts: None
) -> None:
    args = ("--owner", "carol", "--name", "From the command line", "--meeting-id", "cli-meeting")
    result = create_room_command(talk, *args, secret=SHARED_SECRET)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["url"] == f"{talk.base_url}/call/{printed['token']}"
    room = data(clients("carol").get(f"apps/spreed/api/v4/room/{printed['token']}"))
    assert (room["name"], room["objectId"], room["participantType"]) == ("From the command line", "cli-meeting", 1)
    refused = create_room_command(talk, *args, secret="c" * 64)
    assert refused.returncode == 1
    assert "HTTP 401" in refused.stderr
    assert create_room_command(talk, *args, secret=None).returncode == 2


# --- Talk -> service: the iframe URL -------------------------------------------------------------


def test_a_user_gets_the_iframe_url_and_the_service_learns_who_asks(
    talk: ServerProcess, configured: ExternalService, clients: Any
) -> None:
    meeting_id = f"weekly-{uuid.uuid4().hex[:6]}"
    token = meeting_room(talk, meeting_id)
    configured.forget_requests()
    response = external_call(clients("alice"), token)
    assert response.status_code == 200, response.text
    assert data(response) == {"url": configured.page_url(meeting_id)}
    [seen] = configured.requests()
    assert seen == {
        "meetingId": meeting_id,
        "rawPath": f"/nextcloud/meeting/{meeting_id}",
        "userId": "alice",
        "accept": "application/json",
        "authUser": AUTH_USER,
    }


def test_any_participant_may_ask_and_outsiders_get_404(
    talk: ServerProcess, configured: ExternalService, clients: Any
) -> None:
    token = meeting_room(talk, "members-only", room_type=2)
    alice, bob = clients("alice"), clients("bob")
    assert external_call(bob, token).status_code == 404
    add_user(alice, token, "bob")
    response = external_call(bob, token)
    assert response.status_code == 200
    assert data(response)["url"] == configured.page_url("members-only")
    assert configured.requests()[-1]["userId"] == "bob"


def test_a_guest_gets_the_iframe_url_without_a_user_id(
    talk: ServerProcess, configured: ExternalService, clients: Any
) -> None:
    token = meeting_room(talk, "open-house")
    guest = clients()
    assert external_call(guest, token).status_code == 404  # not joined yet
    join_as_guest(guest, token)
    configured.forget_requests()
    response = external_call(guest, token)
    assert response.status_code == 200
    assert data(response)["url"] == configured.page_url("open-house")
    [seen] = configured.requests()
    assert seen["userId"] is None
    assert seen["authUser"] == AUTH_USER


def test_the_meeting_id_is_one_path_segment(talk: ServerProcess, configured: ExternalService, clients: Any) -> None:
    token = meeting_room(talk, "team/../weekly sync?x=1#y")
    configured.forget_requests()
    response = external_call(clients("alice"), token)
    assert response.status_code == 200
    [seen] = configured.requests()
    assert seen["rawPath"] == "/nextcloud/meeting/team%2F..%2Fweekly%20sync%3Fx%3D1%23y"
    assert seen["meetingId"] == "team/../weekly sync?x=1#y"


def test_without_auth_user_no_basic_auth_is_sent(
    talk: ServerProcess, configured: ExternalService, changed: Any, clients: Any
) -> None:
    token = meeting_room(talk, "no-auth")
    changed({"external_call_service_auth_user": ""})
    configured.forget_requests()
    response = external_call(clients("alice"), token)
    # The reference service insists on its credentials: without them it answers 401.
    assert response.status_code == 400
    assert error_of(response) == {"error": "response"}
    assert configured.requests()[-1]["authUser"] is None


def test_the_shared_secret_is_the_password_when_no_auth_password_is_set(
    talk: ServerProcess, configured: ExternalService, changed: Any, clients: Any, tmp_path: Path
) -> None:
    token = meeting_room(talk, "secret-as-password")
    strict = ExternalService(tmp_path, talk.base_url, password=SHARED_SECRET).start()
    try:
        changed({"external_call_service": strict.meeting_url_template})
        assert external_call(clients("alice"), token).status_code == 400  # auth_password is still sent
        changed({"external_call_service_auth_password": None})
        response = external_call(clients("alice"), token)
        assert response.status_code == 200
        assert data(response)["url"] == strict.page_url("secret-as-password")
    finally:
        strict.stop()


def test_not_configured_is_400_server(
    talk: ServerProcess, configured: ExternalService, changed: Any, clients: Any
) -> None:
    token = meeting_room(talk, "soon-unconfigured")
    changed({"external_call_service_shared_secret": None})
    response = external_call(clients("alice"), token)
    assert response.status_code == 400
    assert error_of(response) == {"error": "server"}


def test_a_conversation_without_the_external_call_object_is_400_type(
    talk: ServerProcess, configured: ExternalService, clients: Any
) -> None:
    alice = clients("alice")
    room = alice.post("apps/spreed/api/v4/room", json={"roomType": 2, "roomName": "Plain"})
    assert room.status_code == 201
    response = external_call(alice, data(room)["token"])
    assert response.status_code == 400
    assert error_of(response) == {"error": "type"}


@pytest.mark.parametrize(
    ("prefix", "error"),
    [
        ("error-", "response"),
        ("notfound-", "response"),
        ("html-", "response"),
        ("slow-", "response"),
        ("big-", "response"),
        ("nofield-", "field"),
        ("empty-", "field"),
        ("script-", "field"),
    ],
)
def test_service_failures_are_400_with_talks_reason(
    talk: ServerProcess, configured: ExternalService, clients: Any, prefix: str, error: str
) -> None:
    token = meeting_room(talk, f"{prefix}{uuid.uuid4().hex[:6]}")
    alice = clients("alice")
    response = external_call(alice, token)
    assert response.status_code == 400
    assert error_of(response) == {"error": error}
    # A failure is not a removal: alice is still in her conversation.
    assert alice.get(f"apps/spreed/api/v4/room/{token}").status_code == 200


def test_wrong_credentials_for_the_service_are_400_response(
    talk: ServerProcess, configured: ExternalService, changed: Any, clients: Any
) -> None:
    token = meeting_room(talk, "wrong-password")
    changed({"external_call_service_auth_password": "c" * 64})
    response = external_call(clients("alice"), token)
    assert response.status_code == 400
    assert error_of(response) == {"error": "response"}


def test_an_unreachable_service_is_400_response(
    talk: ServerProcess, configured: ExternalService, changed: Any, clients: Any
) -> None:
    token = meeting_room(talk, "nobody-listens")
    changed({"external_call_service": f"http://127.0.0.1:{free_port()}/nextcloud/meeting/{{meetingId}}"})
    response = external_call(clients("alice"), token)
    assert response.status_code == 400
    assert error_of(response) == {"error": "response"}


def test_an_empty_iframe_field_setting_is_400_field(
    talk: ServerProcess, configured: ExternalService, changed: Any, clients: Any
) -> None:
    token = meeting_room(talk, "no-field-name")
    changed({"external_call_service_iframe_field": ""})
    response = external_call(clients("alice"), token)
    assert response.status_code == 400
    assert error_of(response) == {"error": "field"}


def test_a_403_from_the_service_removes_the_user(
    talk: ServerProcess, configured: ExternalService, clients: Any
) -> None:
    token = meeting_room(talk, f"forbidden-{uuid.uuid4().hex[:6]}", room_type=2)
    alice, bob = clients("alice"), clients("bob")
    add_user(alice, token, "bob")
    response = external_call(bob, token)
    assert response.status_code == 403
    assert response.json()["ocs"]["data"] is None
    assert bob.get(f"apps/spreed/api/v4/room/{token}").status_code == 404
    assert "bob" not in [p["actorId"] for p in data(alice.get(f"apps/spreed/api/v4/room/{token}/participants"))]
    assert external_call(bob, token).status_code == 404


def test_a_403_from_the_service_removes_the_guest(
    talk: ServerProcess, configured: ExternalService, clients: Any
) -> None:
    token = meeting_room(talk, f"forbidden-{uuid.uuid4().hex[:6]}")
    alice, guest = clients("alice"), clients()
    join_as_guest(guest, token)
    assert any(p["actorType"] == "guests" for p in data(alice.get(f"apps/spreed/api/v4/room/{token}/participants")))
    assert external_call(guest, token).status_code == 403
    assert not any(p["actorType"] == "guests" for p in data(alice.get(f"apps/spreed/api/v4/room/{token}/participants")))
    assert external_call(guest, token).status_code == 404

"""The external call service in the browser: the call button, the iframe, and its postMessage events.

Causerie, the reference external service (examples/external_call_service) and, for the foreign
origin, a third small page all run as real servers on their own loopback ports.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import Frame, FrameLocator, Locator, Page, expect

from tests.browser.conftest import NARROW, Screenshot, password_for
from tests.support.client import OCS_HEADERS, TalkClient
from tests.support.external_service import (
    AUTH_PASSWORD,
    AUTH_USER,
    IFRAME_FIELD,
    SHARED_SECRET,
    ExternalService,
    set_spreed_config,
)
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser

UserPage = Callable[..., Page]
SANDBOX = "allow-same-origin allow-scripts allow-forms allow-popups allow-presentation"
ALLOW = "camera; microphone; display-capture; fullscreen"


def configure(server: ServerProcess, values: dict[str, str | None]) -> None:
    """``set_spreed_config`` in a thread of its own: this one runs the browser driver's event loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(set_spreed_config, server, values).result()


@pytest.fixture(scope="module")
def service(server: ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalService]:
    """The reference service, configured in Causerie with the seed's keys."""
    external = ExternalService(tmp_path_factory.mktemp("service"), server.base_url).start()
    configure(
        server,
        {
            "start_calls": "3",
            "external_call_service": external.meeting_url_template,
            "external_call_service_frame_origins": json.dumps([external.base_url]),
            "external_call_service_shared_secret": SHARED_SECRET,
            "external_call_service_auth_user": AUTH_USER,
            "external_call_service_auth_password": AUTH_PASSWORD,
            "external_call_service_iframe_field": IFRAME_FIELD,
        },
    )
    try:
        yield external
    finally:
        configure(
            server,
            {
                key: None
                for key in (
                    "start_calls",
                    "external_call_service",
                    "external_call_service_frame_origins",
                    "external_call_service_shared_secret",
                    "external_call_service_auth_user",
                    "external_call_service_auth_password",
                    "external_call_service_iframe_field",
                )
            },
        )
        external.stop()


class _Blank(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>Elsewhere</title><p>Another site.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def foreign_origin() -> Iterator[str]:
    """A page on another loopback port that is not among the configured frame origins."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Blank)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def external_room(
    server: ServerProcess, meeting_id: str, *, owner: str = "alice", members: tuple[str, ...] = ("bob",)
) -> str:
    """A conversation for a meeting, created by the service with the shared secret."""
    response = httpx.post(
        f"{server.base_url}/ocs/v2.php/apps/spreed/api/v4/room",
        headers={**OCS_HEADERS, "x-nextcloud-talk-external-service": SHARED_SECRET},
        json={
            "roomType": 2,
            "roomName": f"Meeting {meeting_id}",
            "owner": owner,
            "objectType": "external_call",
            "objectId": meeting_id,
        },
        timeout=60,
    )
    assert response.status_code == 201, response.text
    token = str(response.json()["ocs"]["data"]["token"])
    owner_client = TalkClient(server.base_url, owner, password=password_for(owner))
    try:
        for member in members:
            added = owner_client.post(
                f"apps/spreed/api/v4/room/{token}/participants", json={"newParticipant": member, "source": "users"}
            )
            assert added.status_code == 200, added.text
    finally:
        owner_client.close()
    return token


def start_call(page: Page) -> tuple[Locator, FrameLocator]:
    page.get_by_role("button", name="Join call").click()
    iframe = page.locator("iframe.external-call-frame")
    expect(iframe).to_be_visible()
    frame = page.frame_locator("iframe.external-call-frame")
    expect(frame.get_by_role("button", name="Join")).to_be_visible()
    return iframe, frame


def in_call(client: TalkClient, token: str) -> dict[str, int]:
    participants = client.get(f"apps/spreed/api/v4/room/{token}/participants").json()["ocs"]["data"]
    return {p["actorId"]: p["inCall"] for p in participants if p["actorType"] == "users"}


def test_call_button_shows_the_service_in_an_iframe(
    user_page: UserPage, server: ServerProcess, service: ExternalService
) -> None:
    token = external_room(server, "weekly-sync")
    page = user_page("alice", f"/call/{token}")
    iframe, frame = start_call(page)

    assert iframe.get_attribute("sandbox") == SANDBOX
    assert iframe.get_attribute("allow") == ALLOW
    assert iframe.get_attribute("referrerpolicy") == "no-referrer"
    assert iframe.get_attribute("src") == service.page_url("weekly-sync")
    expect(frame.get_by_role("heading")).to_contain_text("weekly-sync")
    expect(page.locator(".top-bar")).to_be_hidden()
    # The iframe fills the call area (the whole main column).
    frame_box = iframe.bounding_box()
    main_box = page.locator("#main").bounding_box()
    assert frame_box and main_box
    assert abs(frame_box["width"] - main_box["width"]) <= 2
    assert abs(frame_box["height"] - main_box["height"]) <= 2

    # The service's Leave button closes the call and brings the chat back.
    frame.get_by_role("button", name="Leave").click()
    expect(iframe).to_have_count(0)
    expect(page.locator(".top-bar")).to_be_visible()
    expect(page.get_by_label("Message")).to_be_visible()


def test_screenshots_of_the_call_view(
    user_page: UserPage,
    server: ServerProcess,
    service: ExternalService,
    gallery: dict[str, str],
    screenshot: Screenshot,
) -> None:
    token = external_room(server, "project-kickoff", owner="emma", members=("frank",))
    page = user_page("emma", f"/call/{token}")
    _, frame = start_call(page)
    screenshot(page, "call-wide")
    page.set_viewport_size(NARROW)
    expect(frame.get_by_role("button", name="Join")).to_be_visible()
    screenshot(page, "call-narrow")


def test_joining_in_the_service_shows_the_call_to_others(
    user_page: UserPage, server: ServerProcess, service: ExternalService, bob: TalkClient
) -> None:
    token = external_room(server, "presence")
    alice_page = user_page("alice", f"/call/{token}")
    bob_page = user_page("bob", f"/call/{token}")
    iframe, frame = start_call(alice_page)

    frame.get_by_role("button", name="Join").click()
    expect(bob_page.locator(".call-state")).to_have_text("In call: Alice Adams")
    expect(bob_page.locator(".system-message", has_text="Alice Adams started a call")).to_have_count(1)
    assert in_call(bob, token)["alice"] & 1

    frame.get_by_role("button", name="Leave").click()
    expect(iframe).to_have_count(0)
    expect(bob_page.locator(".call-state")).to_be_hidden()
    assert in_call(bob, token)["alice"] == 0


def test_removing_the_iframe_returns_to_the_chat_and_leaves_the_call(
    user_page: UserPage, server: ServerProcess, service: ExternalService, bob: TalkClient
) -> None:
    token = external_room(server, "removed-by-script")
    page = user_page("alice", f"/call/{token}")
    _, frame = start_call(page)
    frame.get_by_role("button", name="Join").click()
    expect(page.locator(".system-message", has_text="You started a call")).to_have_count(1)

    page.evaluate("document.querySelector('iframe.external-call-frame').remove()")
    expect(page.locator(".top-bar")).to_be_visible()
    expect(page.get_by_label("Message")).to_be_visible()
    expect(page.locator(".system-message", has_text="You left the call")).to_have_count(1)
    assert in_call(bob, token)["alice"] == 0


def post_and_wait(page: Page, sender: Page | Frame, script: str) -> None:
    """Run ``script`` (which posts to ``target``) in ``sender``, then post a marker from there too.

    Messages from one window arrive in the order they were posted, so once the Causerie window has
    seen the marker, it has handled everything the script posted before it."""
    page.evaluate(
        "() => { window.marker = new Promise(resolve => addEventListener('message', "
        "event => { if (event.data === 'test-marker') resolve(); })); }"
    )
    sender.evaluate(f"() => {{ let target; {script}; target.postMessage('test-marker', '*'); }}")
    page.evaluate("() => window.marker")


def test_messages_from_other_windows_or_origins_are_ignored(
    user_page: UserPage, server: ServerProcess, service: ExternalService, foreign_origin: str
) -> None:
    token = external_room(server, "ignore-strangers")
    page = user_page("alice", f"/call/{token}")
    iframe, _ = start_call(page)

    # A page on a foreign origin, opened by the Causerie window, posts to it.
    with page.expect_popup() as popup_info:
        page.evaluate("url => { window.open(url); }", foreign_origin + "/")
    popup = popup_info.value
    popup.wait_for_load_state()
    post_and_wait(page, popup, "target = window.opener; target.postMessage({type: 'externalCallLeft'}, '*')")
    # Even the service's own origin is ignored when the message does not come from the iframe.
    with page.expect_popup() as second_info:
        page.evaluate("url => { window.open(url); }", service.base_url + "/")
    second = second_info.value
    second.wait_for_load_state()
    post_and_wait(page, second, "target = window.opener; target.postMessage({type: 'externalCallLeft'}, '*')")
    expect(iframe).to_be_visible()

    # From inside the iframe, but from an origin that is not a configured frame origin (this server).
    service_frame = page.frame(url=lambda url: url.startswith(service.base_url))
    assert service_frame is not None
    service_frame.goto(server.base_url + "/login")
    post_and_wait(page, service_frame, "target = window.parent; target.postMessage({type: 'externalCallLeft'}, '*')")
    expect(iframe).to_be_visible()
    expect(page.locator(".top-bar")).to_be_hidden()


def test_only_known_message_types_act(user_page: UserPage, server: ServerProcess, service: ExternalService) -> None:
    token = external_room(server, "unknown-types")
    page = user_page("alice", f"/call/{token}")
    iframe, _ = start_call(page)
    service_frame = page.frame(url=lambda url: url.startswith(service.base_url))
    assert service_frame is not None
    post_and_wait(
        page,
        service_frame,
        "target = window.parent; target.postMessage({type: 'somethingElse'}, '*'); "
        "target.postMessage('externalCallLeft', '*'); target.postMessage({type: ['externalCallLeft']}, '*')",
    )
    expect(iframe).to_be_visible()
    service_frame.evaluate("() => window.parent.postMessage({type: 'externalCallLeft'}, '*')")
    expect(iframe).to_have_count(0)
    expect(page.get_by_label("Message")).to_be_visible()


def test_service_errors_become_readable_messages(
    user_page: UserPage, server: ServerProcess, service: ExternalService
) -> None:
    token = external_room(server, "error-on-purpose")
    page = user_page("alice", f"/call/{token}")
    page.get_by_role("button", name="Join call").click()
    expect(page.get_by_role("alert")).to_have_text("The call service did not answer. Please try again later.")
    expect(page.locator("iframe")).to_have_count(0)
    expect(page.get_by_label("Message")).to_be_visible()


def test_forbidden_by_the_service_shows_not_allowed(
    user_page: UserPage, server: ServerProcess, service: ExternalService
) -> None:
    token = external_room(server, "forbidden-for-alice-too", members=("bob",))
    page = user_page("bob", f"/call/{token}")
    page.get_by_role("button", name="Join call").click()
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.locator("iframe")).to_have_count(0)

"""The Talk apps' logins replayed with their own headers: Desktop's login window (flow v1) and
Android's system browser (flow v2) are real Chromium; afterwards each app's first requests."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, expect

from tests.browser.conftest import WAIT_MS
from tests.support.server import ServerProcess, password_of

pytestmark = pytest.mark.browser

DESKTOP_LOGIN_UA = "my-laptop (Nextcloud Talk - Linux)"
DESKTOP_UA = "Mozilla/5.0 (Linux) Nextcloud-Talk v2.2.0"
IOS_LOGIN_UA = "Alice's iPhone (Talk)"
ANDROID_UA = "Mozilla/5.0 (Android) Nextcloud Talk v22.0.0"
# src/authentication/login.window.js in Talk Desktop.
DESKTOP_RE = re.compile(r"^nc:\/\/login\/server:(.*)&user:(.*)&password:(.*)$")


def _desktop_decode(value: str) -> str:
    """Desktop's ``decodeURIComponent(value.replaceAll('+', ' '))``."""
    return unquote(value.replace("+", " "))


@pytest.fixture
def context_for(browser: Browser) -> Iterator[object]:
    contexts: list[BrowserContext] = []

    def make(user_agent: str) -> Page:
        # An empty cookie jar, as Desktop's non-persistent partition and iOS's cleared web view.
        context = browser.new_context(user_agent=user_agent)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _login_window(page: Page, server_url: str, uid: str) -> str:
    """Desktop's login window: the first request carries OCS-APIRequest, later ones do not; the
    window waits for a server redirect to ``nc://`` and cancels it."""

    def add_header(route: Route) -> None:
        route.continue_(headers={**route.request.headers, "ocs-apirequest": "true"})

    # Once: interception ends with the first request, as Desktop's extra headers do.
    page.route("**/index.php/login/flow", add_header, times=1)
    violations: list[str] = []
    page.on("console", lambda msg: _note_csp(msg, violations))
    redirects: list[str] = []
    page.on(
        "response",
        lambda response: (
            redirects.append(response.headers.get("location", ""))
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("location", "").startswith("nc:")
            else None
        ),
    )
    page.goto(f"{server_url}/index.php/login/flow")
    expect(page.locator(".client-name")).to_have_text(page.evaluate("navigator.userAgent"))
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Login").fill(uid)
    page.get_by_label("Password").fill(password_of(uid))
    page.get_by_role("button", name="Grant access").click(no_wait_after=True)
    deadline = time.monotonic() + WAIT_MS / 1000
    while not redirects and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert redirects, "no redirect to nc://"
    # Chromium followed the redirect as far as the scheme: no CSP refused the form's target.
    assert not violations, violations
    return redirects[0]


def _note_csp(message: ConsoleMessage, violations: list[str]) -> None:
    if "Content Security Policy" in message.text:
        violations.append(message.text)


def _app(server: ServerProcess, user: str, password: str, agent: str) -> httpx.Client:
    """An app's HTTP client after login: Basic with the app password and OCS-APIRequest on every
    request, no cookies kept."""
    return httpx.Client(
        base_url=server.base_url,
        auth=(user, password),
        headers={"OCS-APIRequest": "true", "Accept": "application/json", "User-Agent": agent},
        timeout=60,
    )


def _first_chat(app: httpx.Client, other: str, text: str) -> None:
    """What each app does next (official-clients.md): find the other person, show their avatar,
    open the one-to-one, read, send, long-poll, move the read marker, poll notifications."""
    found = app.get(
        "/ocs/v2.php/core/autocomplete/get",
        params={"search": other, "itemType": "call", "itemId": "new", "shareTypes[]": 0},
    )
    assert other in [entry["id"] for entry in found.json()["ocs"]["data"]], found.text
    avatar = app.get(f"/index.php/avatar/{other}/64")
    assert avatar.status_code == 200 and avatar.headers["content-type"].startswith("image/")
    room = app.post("/ocs/v2.php/apps/spreed/api/v4/room", json={"roomType": 1, "invite": other})
    assert room.status_code in (200, 201), room.text
    token = room.json()["ocs"]["data"]["token"]
    assert app.post(f"/ocs/v2.php/apps/spreed/api/v4/room/{token}/participants/active").status_code == 200
    history = app.get(f"/ocs/v2.php/apps/spreed/api/v1/chat/{token}", params={"lookIntoFuture": 0, "limit": 100})
    assert history.status_code in (200, 304)
    sent = app.post(f"/ocs/v2.php/apps/spreed/api/v1/chat/{token}", json={"message": text})
    assert sent.status_code == 201, sent.text
    latest = app.get(f"/ocs/v2.php/apps/spreed/api/v1/chat/{token}", params={"lookIntoFuture": 0, "limit": 5})
    assert text in [m["message"] for m in latest.json()["ocs"]["data"]]
    sent_id = sent.json()["ocs"]["data"]["id"]
    waited = app.get(
        f"/ocs/v2.php/apps/spreed/api/v1/chat/{token}",
        params={"lookIntoFuture": 1, "timeout": 1, "lastKnownMessageId": sent_id},
    )
    assert waited.status_code == 304
    read = app.post(f"/ocs/v2.php/apps/spreed/api/v1/chat/{token}/read", json={"lastReadMessage": sent_id})
    assert read.status_code == 200, read.text
    notifications = app.get("/ocs/v2.php/apps/notifications/api/v2/notifications")
    assert notifications.status_code == 200 and notifications.headers.get("ETag")
    unchanged = app.get(
        "/ocs/v2.php/apps/notifications/api/v2/notifications", headers={"If-None-Match": notifications.headers["ETag"]}
    )
    assert unchanged.status_code == 304


def test_desktop_logs_in_with_flow_v1_and_chats(server: ServerProcess, context_for, reset_bruteforce: None) -> None:  # type: ignore[no-untyped-def]
    page = context_for(DESKTOP_LOGIN_UA)
    location = _login_window(page, server.base_url, "alice")
    match = DESKTOP_RE.match(location)
    assert match, location
    server_url, user, password = match.group(1), _desktop_decode(match.group(2)), _desktop_decode(match.group(3))
    assert server_url == server.base_url and user == "alice"
    with _app(server, user, password, DESKTOP_UA) as app:
        assert app.get("/ocs/v2.php/cloud/user").json()["ocs"]["data"]["id"] == "alice"
        capabilities = app.get("/ocs/v2.php/cloud/capabilities").json()["ocs"]["data"]
        assert capabilities["version"]["major"] >= 27 and "spreed" in capabilities["capabilities"]
        _first_chat(app, "bob", "hello from Talk Desktop")
        names = [p["name"] for p in app.get("/ocs/v2.php/apps/causerie/api/v1/app-passwords").json()["ocs"]["data"]]
    assert DESKTOP_LOGIN_UA in names


def test_ios_logs_in_with_flow_v1_in_its_order(server: ServerProcess, context_for) -> None:  # type: ignore[no-untyped-def]
    page = context_for(IOS_LOGIN_UA)
    location = _login_window(page, server.base_url, "carol")
    # iOS splits on '&' and keeps the user: and password: parts; it ignores server:.
    parts = {part.split(":", 1)[0]: part.split(":", 1)[1] for part in location.split("&")[1:]}
    user, password = _desktop_decode(parts["user"]), _desktop_decode(parts["password"])
    with _app(server, user, password, "Mozilla/5.0 (iOS) Nextcloud-Talk v22.0.0") as app:
        # NCConnectionController.checkAppState: profile, capabilities, then signaling settings.
        assert app.get("/ocs/v2.php/cloud/user").json()["ocs"]["data"]["id"] == "carol"
        features = app.get("/ocs/v1.php/cloud/capabilities").json()["ocs"]["data"]["capabilities"]["spreed"]["features"]
        assert "conversation-v4" in features
        assert app.get("/ocs/v2.php/apps/spreed/api/v3/signaling/settings").status_code == 200
        _first_chat(app, "alice", "hello from Talk iOS")


def test_android_logs_in_with_flow_v2_polling_while_the_browser_grants(
    server: ServerProcess, context_for, reset_bruteforce: None
) -> None:  # type: ignore[no-untyped-def]
    start = httpx.post(
        f"{server.base_url}/index.php/login/v2",
        data={},
        headers={"User-Agent": ANDROID_UA, "Clear-Site-Data": "cookies"},
        timeout=60,
    )
    assert start.status_code == 200
    flow = start.json()
    polled: list[int] = []
    result: dict[str, str] = {}
    stop = threading.Event()

    def poll_loop() -> None:
        # NetworkLoginDataSource: every 250 ms until a 200.
        with httpx.Client(headers={"User-Agent": ANDROID_UA}, timeout=60) as client:
            while not stop.is_set():
                response = client.post(flow["poll"]["endpoint"], data={"token": flow["poll"]["token"]})
                polled.append(response.status_code)
                if response.status_code == 200:
                    result.update(response.json())
                    return
                stop.wait(0.25)

    poller = threading.Thread(target=poll_loop)
    poller.start()
    try:
        page = context_for("Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile")
        page.goto(flow["login"])
        expect(page.locator(".client-name")).to_have_text(ANDROID_UA)
        page.get_by_role("link", name="Log in").click()
        page.get_by_label("Login").fill("bob")
        page.get_by_label("Password").fill(password_of("bob"))
        page.get_by_role("button", name="Grant access").click()
        expect(page.get_by_role("heading", name="Account connected")).to_be_visible()
        poller.join(timeout=WAIT_MS / 1000 * 3)
    finally:
        stop.set()
        poller.join()
    assert result["loginName"] == "bob" and result["server"] == server.base_url
    assert polled[0] == 404 and polled[-1] == 200 and polled.count(200) == 1
    with _app(server, result["loginName"], result["appPassword"], ANDROID_UA) as app:
        # AccountVerificationActivity: capabilities, then the profile with id and display name.
        assert app.get("/ocs/v2.php/cloud/capabilities").json()["ocs"]["data"]["capabilities"]["spreed"]["features"]
        profile = app.get("/ocs/v2.php/cloud/user").json()["ocs"]["data"]
        assert profile["id"] == "bob" and profile["display-name"] == "Bob Brown"
        _first_chat(app, "carol", "hello from Talk Android")
        # Logging out of the app revokes its app password.
        assert app.delete("/ocs/v2.php/core/apppassword").status_code == 200
        assert app.get("/ocs/v2.php/cloud/user").status_code == 401

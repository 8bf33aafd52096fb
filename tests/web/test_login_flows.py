"""Login flows v1 and v2 over HTTP, with the headers the Talk apps send."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_plus, urljoin

import httpx
import pytest

from tests.support.client import OCS_HEADERS
from tests.support.server import ServerProcess, database_beside, password_of
from tests.web.test_pages import attempts, form_token, log_in

ANDROID = "Mozilla/5.0 (Android) Nextcloud Talk v22.0.0"
DESKTOP = "my-laptop (Nextcloud Talk - Linux)"
# Talk Desktop's own pattern for the end of flow v1 (src/authentication/login.window.js).
DESKTOP_RE = re.compile(r"^nc:\/\/login\/server:(.*)&user:(.*)&password:(.*)$")


@pytest.fixture
def browser(server: ServerProcess) -> Iterator[httpx.Client]:
    """A browser with an empty cookie jar, as the apps open one."""
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client


def _link(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}" href="([^"]+)"', page)
    assert match, page
    return html.unescape(match.group(1))


def _grant_form(page: str) -> dict[str, str]:
    state = re.search(r'name="stateToken" value="([^"]+)"', page)
    assert state, page
    return {"requesttoken": form_token(page), "stateToken": state.group(1)}


def start_v2(base_url: str, **headers: str) -> dict[str, object]:
    response = httpx.post(
        f"{base_url}/index.php/login/v2",
        data={},
        headers={"User-Agent": ANDROID, "Clear-Site-Data": "cookies", **headers},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return dict(response.json())


def poll(endpoint: str, token: str) -> httpx.Response:
    return httpx.post(endpoint, data={"token": token}, headers={"User-Agent": ANDROID}, timeout=60)


def grant_v2_in_browser(browser: httpx.Client, login_url: str, uid: str, password: str | None = None) -> str:
    opened = browser.get(login_url)
    assert opened.status_code == 303, opened.text
    connect = browser.get(urljoin(login_url, opened.headers["location"]))
    assert connect.status_code == 200
    grant = browser.get(_link(connect.text, "login-flow-continue"))
    assert grant.status_code == 200, grant.text
    form = {**_grant_form(grant.text), "user": uid, "password": password or password_of(uid)}
    return browser.post("/login/v2/grant", data=form).text


def test_flow_v2_hands_the_app_password_to_the_polling_client_once(
    server: ServerProcess, browser: httpx.Client, reset_bruteforce: None
) -> None:
    flow = start_v2(server.base_url)
    poll_part = flow["poll"]
    assert isinstance(poll_part, dict)
    token, endpoint = poll_part["token"], poll_part["endpoint"]
    assert re.fullmatch(r"[0-9A-Za-z]{128}", token)
    assert endpoint == f"{server.base_url}/login/v2/poll"
    login_url = str(flow["login"])
    assert re.fullmatch(rf"{re.escape(server.base_url)}/login/v2/flow/[0-9A-Za-z]{{128}}", login_url)
    waiting = poll(endpoint, token)
    assert waiting.status_code == 404 and waiting.json() == []

    opened = browser.get(login_url)
    connect = browser.get(opened.headers["location"])
    assert "Nextcloud Talk v22.0.0" in connect.text and "Connect to your account" in connect.text
    grant = browser.get(_link(connect.text, "login-flow-continue"))
    wrong = browser.post("/login/v2/grant", data={**_grant_form(grant.text), "user": "bob", "password": "nope"})
    assert wrong.status_code == 401 and "Wrong login or password." in wrong.text
    assert attempts(server, "login") == 1
    assert poll(endpoint, token).status_code == 404
    done = browser.post(
        "/login/v2/grant", data={**_grant_form(wrong.text), "user": "bob", "password": password_of("bob")}
    )
    assert done.status_code == 200 and "Account connected" in done.text

    collected = poll(endpoint, token)
    assert collected.status_code == 200
    credentials = collected.json()
    assert credentials["server"] == server.base_url and credentials["loginName"] == "bob"
    assert re.fullmatch(r"[A-Za-z0-9]{72}", credentials["appPassword"])
    assert poll(endpoint, token).status_code == 404
    with httpx.Client(base_url=server.base_url, auth=("bob", credentials["appPassword"]), headers=OCS_HEADERS) as app:
        assert app.get("/ocs/v2.php/cloud/user").json()["ocs"]["data"]["id"] == "bob"
        names = [
            item["name"] for item in app.get("/ocs/v2.php/apps/causerie/api/v1/app-passwords").json()["ocs"]["data"]
        ]
    assert ANDROID in names
    # A used login link is worthless.
    with httpx.Client(base_url=server.base_url, timeout=60) as other:
        assert other.get(login_url).status_code == 403


def test_a_logged_in_browser_grants_with_one_button(server: ServerProcess, browser: httpx.Client) -> None:
    log_in(browser, "carol")
    flow = start_v2(server.base_url)
    opened = browser.get(str(flow["login"]))
    connect = browser.get(opened.headers["location"])
    grant = browser.get(_link(connect.text, "login-flow-continue"))
    assert 'name="password"' not in grant.text and "Logged in as Carol Clark" in grant.text
    assert "Account connected" in browser.post("/login/v2/grant", data=_grant_form(grant.text)).text
    poll_part = flow["poll"]
    assert isinstance(poll_part, dict)
    assert poll(poll_part["endpoint"], poll_part["token"]).json()["loginName"] == "carol"
    # Unlike v1, the browser stays logged in.
    assert browser.get("/apps/spreed").status_code == 200


def test_flow_v2_expires_after_twenty_minutes(server: ServerProcess, browser: httpx.Client) -> None:
    flow = start_v2(server.base_url)
    server.sql("UPDATE login_flows SET created_at = created_at - 1201")
    expired = browser.get(str(flow["login"]))
    assert expired.status_code == 403 and "Your login token is invalid or has expired" in expired.text
    poll_part = flow["poll"]
    assert isinstance(poll_part, dict)
    assert poll(poll_part["endpoint"], poll_part["token"]).status_code == 404


def test_flow_v2_grant_needs_the_state_and_request_tokens(server: ServerProcess, browser: httpx.Client) -> None:
    flow = start_v2(server.base_url)
    opened = browser.get(str(flow["login"]))
    connect = browser.get(opened.headers["location"])
    grant = browser.get(_link(connect.text, "login-flow-continue"))
    form = {**_grant_form(grant.text), "user": "dave", "password": password_of("dave")}
    assert browser.post("/login/v2/grant", data={**form, "requesttoken": "forged"}).status_code == 403
    assert browser.post("/login/v2/grant", data={**form, "stateToken": "x" * 64}).status_code == 403
    # Another browser (a cross-site attacker's) has neither.
    with httpx.Client(base_url=server.base_url, timeout=60) as other:
        assert other.post("/login/v2/grant", data=form).status_code == 403
    poll_part = flow["poll"]
    assert isinstance(poll_part, dict)
    assert poll(poll_part["endpoint"], poll_part["token"]).status_code == 404


def run_flow_v1(browser: httpx.Client, uid: str, agent: str = DESKTOP) -> httpx.Response:
    first = browser.get("/index.php/login/flow", headers={"OCS-APIRequest": "true", "User-Agent": agent})
    assert first.status_code == 200, first.text
    assert html.escape(agent, quote=False) in first.text
    # Later navigations carry neither the header nor, in Desktop's window, the same User-Agent.
    grant = browser.get(_link(first.text, "login-flow-continue"), headers={"User-Agent": agent})
    assert grant.status_code == 200, grant.text
    assert "form-action 'self' nc:" in grant.headers["content-security-policy"]
    form = {**_grant_form(grant.text), "user": uid, "password": password_of(uid)}
    return browser.post("/index.php/login/flow", data=form, headers={"User-Agent": agent})


def test_flow_v1_redirects_to_the_app_with_an_app_password(server: ServerProcess, browser: httpx.Client) -> None:
    done = run_flow_v1(browser, "alice")
    assert done.status_code == 303
    match = DESKTOP_RE.match(done.headers["location"])
    assert match, done.headers["location"]
    server_part, user, password = match.group(1), unquote_plus(match.group(2)), unquote_plus(match.group(3))
    assert server_part == server.base_url and user == "alice"
    with httpx.Client(base_url=server.base_url, auth=(user, password), headers=OCS_HEADERS) as app:
        assert app.get("/ocs/v2.php/cloud/user").json()["ocs"]["data"]["id"] == "alice"
        names = [
            item["name"] for item in app.get("/ocs/v2.php/apps/causerie/api/v1/app-passwords").json()["ocs"]["data"]
        ]
    assert DESKTOP in names
    # The state token is spent: the same form cannot mint a second password.
    assert browser.post("/login/flow", data={"stateToken": "x"}).status_code == 403


def test_flow_v1_needs_the_ocs_header_on_its_first_page(browser: httpx.Client) -> None:
    refused = browser.get("/index.php/login/flow")
    assert refused.status_code == 403 and "Invalid request" in refused.text


def test_flow_v1_password_check_is_throttled_like_the_login_form(
    server: ServerProcess, browser: httpx.Client, reset_bruteforce: None
) -> None:
    first = browser.get("/login/flow", headers={"OCS-APIRequest": "true", "User-Agent": DESKTOP})
    grant = browser.get(_link(first.text, "login-flow-continue"))
    wrong = browser.post("/login/flow", data={**_grant_form(grant.text), "user": "alice", "password": "guess"})
    assert wrong.status_code == 401 and "Wrong login or password." in wrong.text
    assert attempts(server, "login") == 1


def test_login_names_are_url_encoded_as_php_does(server: ServerProcess, browser: httpx.Client) -> None:
    server.occ("user:add", "--password-from-env", "ann lee@example.com", env={"OC_PASS": password_of("ann")})
    first = browser.get("/login/flow", headers={"OCS-APIRequest": "true", "User-Agent": DESKTOP})
    grant = browser.get(_link(first.text, "login-flow-continue"))
    form = {**_grant_form(grant.text), "user": "ann lee@example.com", "password": password_of("ann")}
    location = browser.post("/login/flow", data=form).headers["location"]
    assert "&user:ann+lee%40example.com&password:" in location


def test_behind_a_trusted_proxy_the_apps_get_the_public_https_url(tmp_path: Path, database_url: str) -> None:
    proxy = ServerProcess(
        tmp_path, database_beside(tmp_path, database_url), extra_env={"CAUSERIE_TRUSTED_PROXIES": "127.0.0.1"}
    )
    proxy.start()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "chat.example.org", "X-Forwarded-For": "203.0.113.7"}
    try:
        flow = start_v2(proxy.base_url, **forwarded)
        assert str(flow["login"]).startswith("https://chat.example.org/login/v2/flow/")
        poll_part = flow["poll"]
        assert isinstance(poll_part, dict) and poll_part["endpoint"] == "https://chat.example.org/login/v2/poll"
        with httpx.Client(base_url=proxy.base_url, headers=forwarded, timeout=60) as via_proxy:
            first = via_proxy.get("/index.php/login/flow", headers={"OCS-APIRequest": "true", "User-Agent": DESKTOP})
            # Over https the session cookie is Secure; this plain-http test client carries it by hand.
            assert "secure" in first.headers["set-cookie"].lower()
            cookie = {"Cookie": f"causerie_session={first.cookies['causerie_session']}"}
            via_proxy.cookies.clear()
            grant = via_proxy.get(_link(first.text, "login-flow-continue"), headers=cookie)
            form = {**_grant_form(grant.text), "user": "dave", "password": password_of("dave")}
            done = via_proxy.post("/index.php/login/flow", data=form, headers=cookie)
        match = DESKTOP_RE.match(done.headers["location"])
        assert match and match.group(1) == "https://chat.example.org"
    finally:
        proxy.stop()


def test_user_prefills_the_login_and_direct_skips_the_first_page(server: ServerProcess, browser: httpx.Client) -> None:
    first = browser.get(
        "/index.php/login/flow", params={"user": "alice", "direct": "1"}, headers={"OCS-APIRequest": "true"}
    )
    assert first.status_code == 303 and first.headers["location"].startswith("/login/flow/grant?stateToken=")
    grant = browser.get(first.headers["location"])
    assert 'name="user" autocomplete="username" autocapitalize="none" value="alice"' in grant.text
    flow = start_v2(server.base_url)
    opened = browser.get(f"{flow['login']}?direct=1")
    assert opened.headers["location"] == "/login/v2/flow?direct=1"
    assert browser.get(opened.headers["location"]).headers["location"].startswith("/login/v2/grant?stateToken=")


def test_an_app_password_cannot_grant_another(
    server: ServerProcess, browser: httpx.Client, reset_bruteforce: None
) -> None:
    with httpx.Client(base_url=server.base_url, auth=("bob", password_of("bob")), headers=OCS_HEADERS) as app:
        device = app.get("/ocs/v2.php/core/getapppassword").json()["ocs"]["data"]["apppassword"]
    first = browser.get("/login/flow", headers={"OCS-APIRequest": "true", "User-Agent": DESKTOP})
    grant = browser.get(_link(first.text, "login-flow-continue"))
    refused = browser.post("/login/flow", data={**_grant_form(grant.text), "user": "bob", "password": device})
    assert refused.status_code == 401 and "location" not in refused.headers
    # Nor does it open a web login.
    assert log_in(browser, "bob", device).status_code == 401

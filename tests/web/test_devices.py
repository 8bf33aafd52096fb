"""The "Devices & sessions" page: app passwords made, shown once with a QR code, renamed, revoked."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import ServerProcess
from tests.web.test_pages import form_token, log_in

PAGE = "/settings/user/security"


@pytest.fixture
def web(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client


def _qr_link(page: str) -> str:
    match = re.search(r'id="login-qr"[^>]*alt="QR code for ([^"]+)"', page)
    assert match, page
    return html.unescape(match.group(1))


def onetime_token(server: ServerProcess, uid: str) -> str:
    """A one-time login token, made on the page as its owner would."""
    with httpx.Client(base_url=server.base_url, timeout=60) as web:
        assert log_in(web, uid).status_code == 303
        token = form_token(web.get(PAGE).text)
        page = web.post(f"{PAGE}/app-passwords", data={"requesttoken": token, "kind": "onetime"}).text
    link = _qr_link(page)
    match = re.fullmatch(rf"nc://onetime-login/user:{uid}&password:([A-Za-z0-9]+)&server:http://[^&]+", link)
    assert match, link
    return match.group(1)


def test_the_page_needs_a_logged_in_browser(web: httpx.Client) -> None:
    response = web.get(PAGE)
    assert response.status_code == 303 and response.headers["location"] == f"/login?redirect_url={PAGE}"


def test_a_new_app_password_is_shown_once_with_a_qr_code_for_the_apps(
    server: ServerProcess, web: httpx.Client, reset_bruteforce: None
) -> None:
    log_in(web, "dave")
    page = web.get(PAGE)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    name = "Dave's <b>phone</b>"
    shown = web.post(f"{PAGE}/app-passwords", data={"requesttoken": form_token(page.text), "name": name})
    assert shown.status_code == 200
    secret = re.search(r'id="new-app-password">([A-Za-z0-9]{72})<', shown.text)
    assert secret, shown.text
    # The order iOS insists on; the server the app will talk to.
    assert _qr_link(shown.text) == f"nc://login/user:dave&password:{secret.group(1)}&server:{server.base_url}"
    qr = re.search(r'id="login-qr" class="qr" src="data:image/svg\+xml;base64,([^"]+)"', shown.text)
    assert qr and base64.b64decode(qr.group(1)).startswith(b"<?xml")
    assert "<b>phone</b>" not in shown.text and "Dave&#39;s &lt;b&gt;phone&lt;/b&gt;" in shown.text
    with httpx.Client(base_url=server.base_url, auth=("dave", secret.group(1)), timeout=60) as app:
        assert app.get("/ocs/v2.php/cloud/user", headers={"OCS-APIRequest": "true"}).status_code == 200
    # Listed by name afterwards, the password itself never again.
    listed = web.get(PAGE).text
    assert secret.group(1) not in listed and "Dave&#39;s &lt;b&gt;phone&lt;/b&gt;" in listed


def test_rename_and_revoke_need_the_request_token(server: ServerProcess, web: httpx.Client) -> None:
    log_in(web, "carol")
    token = form_token(web.get(PAGE).text)
    web.post(f"{PAGE}/app-passwords", data={"requesttoken": token, "name": "Old tablet"})
    listed = web.get(PAGE).text
    row = re.search(r'<tr data-id="(\d+)">', listed)
    assert row, listed
    password_id = row.group(1)
    # A cross-site form has no request token: nothing changes.
    web.post(f"{PAGE}/app-passwords/{password_id}/revoke", data={})
    web.post(f"{PAGE}/app-passwords/{password_id}/rename", data={"name": "Hijacked"})
    assert f'<tr data-id="{password_id}">' in web.get(PAGE).text and "Hijacked" not in web.get(PAGE).text
    renamed = web.post(f"{PAGE}/app-passwords/{password_id}/rename", data={"requesttoken": token, "name": "Tablet"})
    assert renamed.status_code == 303
    assert 'value="Tablet"' in web.get(PAGE).text
    web.post(f"{PAGE}/app-passwords/{password_id}/revoke", data={"requesttoken": token})
    assert f'<tr data-id="{password_id}">' not in web.get(PAGE).text


def test_wrong_basic_credentials_on_a_page_are_a_401_not_an_error(web: httpx.Client, reset_bruteforce: None) -> None:
    for path in (PAGE, "/login", "/login/v2/flow"):
        assert web.get(path, auth=("alice", "not-her-password")).status_code == 401

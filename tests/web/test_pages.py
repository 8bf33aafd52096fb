"""The page routes over HTTP: sessions, CSRF on the forms, throttled logins, page headers."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.server import ServerProcess, password_of


@pytest.fixture
def web(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client


def form_token(html: str) -> str:
    match = re.search(r'name="requesttoken" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def page_config(html: str) -> dict[str, object]:
    match = re.search(r'data-config="([^"]*)"', html)
    assert match, html
    return dict(json.loads(match.group(1).replace("&#34;", '"').replace("&amp;", "&")))


def log_in(web: httpx.Client, user: str = "alice", password: str | None = None, **extra: str) -> httpx.Response:
    token = form_token(web.get("/login").text)
    body = {"user": user, "password": password or password_of(user), "requesttoken": token, **extra}
    return web.post("/login", data=body)


def attempts(server: ServerProcess, action: str) -> int:
    return int(json.loads(server.occ("security:bruteforce:attempts", "127.0.0.1", action).stdout)["attempts"])


@pytest.mark.parametrize("path", ["/login", "/call/abcd1234"])
def test_pages_carry_a_strict_csp(web: httpx.Client, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and script_src.group(1).strip() == "'self'"
    assert "frame-src 'none'" in csp
    assert re.search(r"<script(?![^>]*\bsrc=)", response.text) is None


def test_login_replaces_the_session_and_opens_the_app(web: httpx.Client, reset_bruteforce: None) -> None:
    web.get("/login")
    anonymous_cookie = web.cookies["causerie_session"]
    response = log_in(web)
    assert response.status_code == 303
    assert response.headers["location"] == "/apps/spreed"
    assert web.cookies["causerie_session"] != anonymous_cookie

    page = web.get("/apps/spreed")
    assert page.status_code == 200
    config = page_config(page.text)
    assert config["mode"] == "user"
    assert config["user"] == {"id": "alice", "displayName": "Alice Adams"}
    # The page's request token lets its scripts call the OCS API with the cookie alone.
    ocs = web.get(
        "/ocs/v2.php/cloud/user",
        params={"format": "json"},
        headers={"requesttoken": str(config["requestToken"])},
    )
    assert ocs.status_code == 200
    assert ocs.json()["ocs"]["data"]["id"] == "alice"
    assert web.get("/ocs/v2.php/cloud/user", params={"format": "json"}).status_code == 412


def test_login_without_the_form_token_is_refused(web: httpx.Client, reset_bruteforce: None) -> None:
    web.get("/login")
    response = web.post("/login", data={"user": "alice", "password": password_of("alice")})
    assert response.status_code == 412
    assert web.get("/apps/spreed").status_code == 303


def test_wrong_password_counts_a_login_attempt(
    web: httpx.Client, server: ServerProcess, reset_bruteforce: None
) -> None:
    response = log_in(web, "alice", "wrong")
    assert response.status_code == 401
    assert "Wrong login or password." in response.text
    assert attempts(server, "login") == 1
    assert log_in(web, "nobody-here", "wrong").status_code == 401
    assert attempts(server, "login") == 2


def test_login_is_blocked_after_too_many_attempts(
    web: httpx.Client, server: ServerProcess, reset_bruteforce: None
) -> None:
    for _ in range(11):
        log_in(web, "alice", "wrong")
    response = log_in(web)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert web.get("/apps/spreed").status_code == 303


def test_login_redirects_only_to_local_paths(web: httpx.Client, reset_bruteforce: None) -> None:
    assert log_in(web, redirect_url="https://evil.example/").headers["location"] == "/apps/spreed"
    web.cookies.clear()
    assert log_in(web, redirect_url="//evil.example/x").headers["location"] == "/apps/spreed"
    web.cookies.clear()
    assert log_in(web, redirect_url="/call/abcd1234").headers["location"] == "/call/abcd1234"


def test_logout_needs_the_page_token(web: httpx.Client, reset_bruteforce: None) -> None:
    log_in(web)
    page = web.get("/apps/spreed")
    assert web.post("/logout", data={}).status_code == 303
    assert web.get("/apps/spreed").status_code == 200
    assert web.post("/logout", data={"requesttoken": form_token(page.text)}).status_code == 303
    assert web.get("/apps/spreed").status_code == 303


def test_anonymous_visitors_get_the_guest_page_for_a_conversation_link(web: httpx.Client) -> None:
    assert web.get("/apps/spreed").headers["location"] == "/login?redirect_url=/apps/spreed"
    page = web.get("/call/abcd1234")
    assert page.status_code == 200
    config = page_config(page.text)
    assert config["mode"] == "guest"
    assert config["token"] == "abcd1234"
    assert config["user"] is None
    assert web.get("/call/not-a-token!").status_code == 404


def test_frame_origins_open_frame_src_and_the_camera_on_the_chat_page(web: httpx.Client, server: ServerProcess) -> None:
    origins = ["https://service.example.tld", "https://service2.example.tld"]
    server.occ(
        "config:app:set",
        "spreed",
        "external_call_service_frame_origins",
        "--value",
        json.dumps(origins),
        "--type",
        "array",
    )
    try:
        page = web.get("/call/abcd1234")
        csp = page.headers["content-security-policy"]
        assert "frame-src 'self' https://service.example.tld https://service2.example.tld;" in csp
        policy = page.headers["permissions-policy"]
        assert 'camera=(self "https://service.example.tld" "https://service2.example.tld")' in policy
        assert page_config(page.text)["frameOrigins"] == origins
    finally:
        server.occ("config:app:delete", "spreed", "external_call_service_frame_origins")


def test_a_huge_form_is_refused_without_waiting_for_it(server: ServerProcess) -> None:
    head = (
        f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode() + b"user=alice&password=")
        answer = sock.recv(65536)  # times out if the server waits for the gigabyte
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:200]

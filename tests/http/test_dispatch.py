"""OCS requests reach their endpoint past Starlette; everything else still goes through it."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from causerie.http.dispatch import OcsDispatcher
from causerie.http.endpoint import Api, Auth, Ctx, routes
from causerie.http.request import IndexedHeaders
from tests.support.client import TalkClient
from tests.support.server import ServerProcess, password_of

API_CSP = "default-src 'none';base-uri 'none';manifest-src 'self';frame-ancestors 'none'"


def test_api_answers_carry_the_security_headers(alice: TalkClient) -> None:
    response = alice.get("cloud/user", params={"format": "json"})
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == API_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_a_method_the_path_does_not_take_is_an_ocs_405(alice: TalkClient) -> None:
    response = alice.request("PATCH", "cloud/user")
    assert response.status_code == 405
    assert response.json()["ocs"]["meta"]["message"] == "Method not allowed"
    assert response.headers["content-security-policy"] == API_CSP


def test_unknown_ocs_paths_are_an_ocs_404(alice: TalkClient) -> None:
    response = alice.get("apps/spreed/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["ocs"]["meta"]["statuscode"] == 404


def test_ocs_paths_with_a_trailing_slash_are_an_ocs_404_not_a_redirect(
    alice: TalkClient, server: ServerProcess
) -> None:
    # Found by the fuzzer: an encoded slash ending a token made Starlette answer a bare 307.
    for path in ("apps/spreed/api/v1/chat/0%2F", "apps/spreed/api/v4/room/"):
        response = alice.get(path, params={"timeout": 0})
        assert response.status_code == 404, path
        assert response.json()["ocs"]["meta"]["statuscode"] == 404
    v1 = httpx.get(f"{server.base_url}/ocs/v1.php/apps/spreed/api/v1/chat/0%2F", auth=("alice", password_of("alice")))
    assert "xml" in v1.headers["content-type"]
    assert "<statuscode>404</statuscode>" in v1.text


def test_head_of_an_endpoint_is_answered_by_starlette_without_a_body(alice: TalkClient) -> None:
    response = alice.request("HEAD", "cloud/user")
    assert response.status_code == 200
    assert response.content == b""


def test_header_lookups_take_the_first_value_whatever_the_case() -> None:
    headers = IndexedHeaders({"headers": [(b"accept", b"application/json"), (b"accept", b"text/xml")]})
    assert headers.get("Accept") == "application/json"
    assert headers["ACCEPT"] == "application/json"
    assert "accept" in headers and "cookie" not in headers
    assert headers.get("cookie", "none") == "none"
    assert headers.getlist("accept") == ["application/json", "text/xml"]


class _Crash(RuntimeError):
    pass


def _app_with(api: Api, errors: list[Exception]) -> OcsDispatcher:
    async def on_error(request: Request, exc: Exception) -> Response:
        errors.append(exc)
        return PlainTextResponse("broken", status_code=500)

    ocs_routes = routes([api], on_error)
    fallback = Starlette(routes=[*ocs_routes])
    fallback.state.runtime = None
    return OcsDispatcher(fallback, ocs_routes)


def _call(app: Any, method: str, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"ocs-apirequest", b"true")],
        "client": ("127.0.0.1", 1),
    }
    asyncio.run(app(scope, receive, send))
    start, body = sent[0], sent[1]
    return start["status"], dict(start["headers"]), body["body"]


def test_an_exception_in_an_endpoint_goes_to_the_error_handler_with_the_security_headers() -> None:
    api = Api()

    @api.get("/crash", auth=Auth.NONE)
    async def crash(ctx: Ctx) -> None:
        raise _Crash()

    errors: list[Exception] = []
    status, headers, body = _call(_app_with(api, errors), "GET", "/ocs/v2.php/crash")
    assert status == 500 and body == b"broken"
    assert isinstance(errors[0], _Crash)
    assert headers[b"content-security-policy"] == API_CSP.encode()

"""nc-py-api pointed at the test server, with every Talk response it receives checked against the
real server's OpenAPI description (as TalkClient does for the project's own requests)."""

from __future__ import annotations

import warnings
from typing import Any
from urllib.parse import urlsplit

from nc_py_api import AsyncNextcloud, Nextcloud

from tests.support import openapi
from tests.support.client import TALK_PREFIX
from tests.support.server import password_of


def _check(method: str, response: Any, checked: list[str]) -> None:
    path = urlsplit(str(response.url)).path
    if not path.startswith(TALK_PREFIX) or "json" not in response.headers.get("content-type", ""):
        return
    body = response.json()
    if isinstance(body, dict) and "ocs" in body:
        openapi.validate(path, method, response.status_code, body)
        checked.append(f"{method} {path}")


def nextcloud(base_url: str, user: str, password: str | None = None) -> tuple[Nextcloud, list[str]]:
    """A sync client and the list of the Talk responses validated so far."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        nc = Nextcloud(nextcloud_url=base_url, nc_auth_user=user, nc_auth_pass=password or password_of(user))
    checked: list[str] = []
    adapter = nc._session.adapter
    send = adapter.request

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        response = send(method, url, *args, **kwargs)
        _check(method, response, checked)
        return response

    adapter.request = request  # type: ignore[method-assign]
    return nc, checked


def async_nextcloud(base_url: str, user: str, password: str | None = None) -> tuple[AsyncNextcloud, list[str]]:
    nc = AsyncNextcloud(nextcloud_url=base_url, nc_auth_user=user, nc_auth_pass=password or password_of(user))
    checked: list[str] = []
    adapter = nc._session.adapter
    send = adapter.request

    async def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        response = await send(method, url, *args, **kwargs)
        _check(method, response, checked)
        return response

    adapter.request = request  # type: ignore[method-assign]
    return nc, checked

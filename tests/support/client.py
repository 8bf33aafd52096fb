"""An HTTP client for Talk's OCS API, as real clients call it, that checks every response
against the real server's OpenAPI description."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import openapi
from tests.support.server import password_of

OCS_HEADERS = {"OCS-APIRequest": "true", "Accept": "application/json"}
TALK_PREFIX = "/ocs/v2.php/apps/spreed/api/"


class TalkClient:
    """One actor: a user (Basic auth) or a guest (cookie jar only)."""

    def __init__(
        self, base_url: str, user: str | None = None, *, password: str | None = None, validate: bool = True
    ) -> None:
        auth = (user, password or password_of(user)) if user else None
        self.user = user
        self.validate = validate
        self.http = httpx.Client(base_url=base_url, auth=auth, headers=OCS_HEADERS, timeout=90)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, v: int = 2, **kwargs: Any) -> httpx.Response:
        if not path.startswith("/"):
            path = f"/ocs/v{v}.php/{path}"
        response = self.http.request(method, path, **kwargs)
        self._check(method, response)
        return response

    def _check(self, method: str, response: httpx.Response) -> None:
        path = response.request.url.path
        if not self.validate or not path.startswith(TALK_PREFIX):
            return
        if "json" not in response.headers.get("content-type", ""):
            return
        body = response.json()
        data = body.get("ocs") if isinstance(body, dict) else None
        if data is None:
            return
        openapi.validate(path, method, response.status_code, body)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)


def data(response: httpx.Response) -> Any:
    return response.json()["ocs"]["data"]


def meta(response: httpx.Response) -> dict[str, Any]:
    return dict(response.json()["ocs"]["meta"])

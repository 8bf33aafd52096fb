"""Errors the app answers itself, outside any endpoint."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request

from causerie.app import server_error


def _request(path: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "query_string": b"format=json", "headers": []})


def test_exhausted_database_pool_is_a_503_with_retry_after() -> None:
    response = asyncio.run(server_error(_request("/ocs/v2.php/apps/spreed/api/v1/chat/abc"), PoolTimeout("busy")))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert json.loads(bytes(response.body))["ocs"]["meta"]["statuscode"] == 503


def test_other_errors_stay_500() -> None:
    response = asyncio.run(server_error(_request("/ocs/v2.php/cloud/user"), RuntimeError("bug")))
    assert response.status_code == 500

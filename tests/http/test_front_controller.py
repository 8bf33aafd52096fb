"""Every page under /X and /index.php/X, as Nextcloud's front controller serves them; the
capability that tells clients so."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess


@pytest.fixture
def web(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 200),
        ("/apps/spreed", 303),
        ("/call/abcd1234", 200),
        ("/apps/spreed/img/app-dark.svg", 200),
        ("/settings/user/security", 303),
        ("/no-such-page", 404),
    ],
)
def test_pages_answer_the_same_behind_index_php(web: httpx.Client, path: str, status: int) -> None:
    plain, front = web.get(path), web.get(f"/index.php{path}")
    assert plain.status_code == front.status_code == status
    assert plain.headers.get("location") == front.headers.get("location")
    assert plain.headers.get("content-type") == front.headers.get("content-type")


def test_index_php_alone_is_the_root(web: httpx.Client) -> None:
    assert web.get("/index.php").headers["location"] == web.get("/").headers["location"] == "/login"
    assert web.get("/index.php/").headers["location"] == "/login"


def test_ocs_is_not_served_behind_index_php(web: httpx.Client) -> None:
    assert web.get("/index.php/ocs/v2.php/cloud/capabilities", headers={"OCS-APIRequest": "true"}).status_code == 404


def test_the_capability_says_short_links_work(alice: TalkClient) -> None:
    assert data(alice.get("cloud/capabilities"))["capabilities"]["core"]["mod-rewrite-working"] is True

"""Users' and guests' avatars as the Talk apps load them (``/index.php/avatar/…``): generated
initials at the sizes clients ask for, caching, uploads and their refusals, removal."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from tests.support import pictures
from tests.support.client import TalkClient
from tests.support.server import ServerProcess


@pytest.fixture
def newcomer(server: ServerProcess, make_client: Callable[..., TalkClient]) -> TalkClient:
    uid = f"face-{uuid.uuid4().hex[:8]}"
    password = {"OC_PASS": "a-long-pass-1"}
    server.occ("user:add", "--password-from-env", "--display-name", "Nora Newton", uid, env=password)
    return make_client(uid, password="a-long-pass-1")


def test_generated_avatars_at_the_sizes_clients_ask_for(server: ServerProcess) -> None:
    base = server.base_url
    small = httpx.get(f"{base}/index.php/avatar/alice/64")
    assert small.status_code == 200 and small.headers["content-type"] == "image/png"
    assert small.headers["x-nc-iscustomavatar"] == "0"
    assert small.headers["cache-control"] == "private, max-age=86400, immutable"
    assert pictures.size_of(small.content) == (64, 64)
    assert pictures.size_of(httpx.get(f"{base}/avatar/alice/32").content) == (64, 64)
    assert pictures.size_of(httpx.get(f"{base}/index.php/avatar/alice/145").content) == (512, 512)
    dark = httpx.get(f"{base}/index.php/avatar/alice/64/dark")
    assert dark.status_code == 200 and dark.content != small.content
    # Another user gets another picture (other initials, another colour).
    assert httpx.get(f"{base}/index.php/avatar/bob/64").content != small.content
    # A versioned URL may be kept for a month.
    assert "max-age=2592000" in httpx.get(f"{base}/index.php/avatar/alice/64?v=3").headers["cache-control"]


def test_etag_revalidation_answers_304(server: ServerProcess) -> None:
    url = f"{server.base_url}/index.php/avatar/alice/64"
    first = httpx.get(url)
    again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_unknown_users_and_guests(server: ServerProcess) -> None:
    base = server.base_url
    missing = httpx.get(f"{base}/index.php/avatar/nobody-{uuid.uuid4().hex[:6]}/64")
    assert missing.status_code == 404 and missing.json() == []
    fallback = httpx.get(f"{base}/index.php/avatar/nobody-x/64", params={"guestFallback": "true"})
    assert fallback.status_code == 201 and fallback.headers["content-type"] == "image/png"
    guest = httpx.get(f"{base}/index.php/avatar/guest/Jane%20Doe/512")
    assert guest.status_code == 201 and pictures.size_of(guest.content) == (512, 512)
    assert guest.headers["cache-control"] == "private, max-age=1800, immutable"
    assert httpx.get(f"{base}/index.php/avatar/guest/Jane%20Doe/512/dark").content != guest.content


def _upload(client: TalkClient, data: bytes, name: str = "me.png", field: str = "files[]") -> httpx.Response:
    return client.http.post("/index.php/avatar/", files={field: (name, data, "application/octet-stream")})


def test_upload_replaces_the_generated_avatar_until_removed(server: ServerProcess, newcomer: TalkClient) -> None:
    url = f"{server.base_url}/index.php/avatar/{newcomer.user}/512"
    generated = httpx.get(url)
    sent = _upload(newcomer, pictures.jpeg(900, 600))
    assert sent.status_code == 200 and sent.json() == {"status": "success"}
    custom = httpx.get(url)
    assert custom.headers["x-nc-iscustomavatar"] == "1" and custom.headers["content-type"] == "image/jpeg"
    assert custom.headers["etag"] != generated.headers["etag"]
    # The centre square is kept, at most 512 pixels; smaller sizes are scaled from it.
    assert pictures.size_of(custom.content) == (512, 512)
    assert pictures.size_of(httpx.get(url.replace("/512", "/64")).content) == (64, 64)
    # PNG stays PNG; the field name without brackets works as well.
    assert _upload(newcomer, pictures.png(100, 100), field="files").status_code == 200
    assert httpx.get(url).headers["content-type"] == "image/png"

    removed = newcomer.http.delete("/index.php/avatar/")
    assert removed.status_code == 200 and removed.json() == []
    assert httpx.get(url).headers["x-nc-iscustomavatar"] == "0"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pictures.SVG, "Unknown filetype"),
        (pictures.gif(16, 16), "Unknown filetype"),
        (b"\x89PNG\r\n\x1a\nnot really", "Invalid image"),
        (pictures.bomb(), "Invalid image"),
    ],
    ids=["svg", "gif", "broken", "decompression-bomb"],
)
def test_uploads_that_are_no_usable_picture(newcomer: TalkClient, data: bytes, message: str) -> None:
    refused = _upload(newcomer, data)
    assert refused.status_code == 400 and refused.json() == {"data": {"message": message}}


def test_upload_needs_a_file_and_a_user(server: ServerProcess, newcomer: TalkClient) -> None:
    empty = newcomer.http.post("/index.php/avatar/", data={"nothing": "here"})
    assert empty.status_code == 400 and empty.json() == {"data": {"message": "No image or file provided"}}
    anonymous = httpx.post(f"{server.base_url}/index.php/avatar/", files={"files[]": ("a.png", pictures.png(8, 8))})
    assert anonymous.status_code == 401
    assert httpx.delete(f"{server.base_url}/index.php/avatar/").status_code == 401

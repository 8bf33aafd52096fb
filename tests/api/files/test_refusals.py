"""Bad input gets a clear error and stores nothing half; guests reach files of public
conversations they are in, and nobody else does."""

from __future__ import annotations

import socket
import struct
import zlib
from urllib.parse import urlsplit

from tests.api.files.helpers import CHAT, DAV, ROOM, UPLOADS, dav, file_message, room, share, unique, upload
from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess


def _absent(client: TalkClient, path: str) -> bool:
    return dav(client, "PROPFIND", path, headers={"Depth": "0"}).status_code == 404


def test_names_that_escape_or_break_are_refused(alice: TalkClient) -> None:
    for raw in ("Talk/%2e%2e/escape.txt", "Talk/..%2Fescape.txt", "Talk/a%00b.txt", "Talk/a%2Fb.txt"):
        response = dav(alice, "PUT", f"{DAV}/alice/{raw}", content=b"x")
        assert response.status_code == 400, (raw, response.text)
        assert b"<s:message>" in response.content
    listing = dav(alice, "PROPFIND", f"{DAV}/alice/", headers={"Depth": "1"}).text
    assert "escape" not in listing and "a%2Fb" not in listing


def test_depth_infinity_and_other_users_trees(alice: TalkClient) -> None:
    assert dav(alice, "PROPFIND", f"{DAV}/alice/", headers={"Depth": "infinity"}).status_code == 403
    assert dav(alice, "PROPFIND", f"{DAV}/bob/", headers={"Depth": "0"}).status_code == 404
    name = unique("mine", "txt")
    upload(alice, name, b"mine")
    moved = dav(alice, "MOVE", f"{DAV}/alice/Talk/{name}", headers={"Destination": f"{DAV}/bob/Talk/{name}"})
    assert moved.status_code == 403
    assert dav(alice, "GET", f"{DAV}/alice/Talk/{name}").content == b"mine"


def test_over_the_upload_limit_and_over_quota(alice: TalkClient, server: ServerProcess) -> None:
    # A client announcing more than the limit is refused before a byte is read.
    host = urlsplit(server.base_url)
    with socket.create_connection((host.hostname, host.port)) as sock:
        auth = alice.http.auth._auth_header  # type: ignore[union-attr]
        sock.sendall(
            f"PUT {DAV}/alice/Talk/huge.bin HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n"
            f"Content-Length: {2**50}\r\n\r\n".encode()
        )
        assert sock.recv(200).split(b" ")[1] == b"413"
    server.occ("user:setting", "dave", "files", "quota", "1 KB")
    try:
        dave = TalkClient(server.base_url, "dave")
        name = unique("big", "bin")
        refused = dav(dave, "PUT", f"{DAV}/dave/Talk/{name}", content=b"x" * 4096)
        assert refused.status_code == 507
        assert _absent(dave, f"{DAV}/dave/Talk/{name}")
        chunked = f"{UPLOADS}/dave/{unique('up', 'x')}"
        assert dav(dave, "MKCOL", chunked).status_code == 201
        assert dav(dave, "PUT", f"{chunked}/1", content=b"x" * 4096).status_code == 507
        free = data(dave.get("cloud/user"))["quota"]
        assert free["quota"] == 1024 and free["free"] == 1024
    finally:
        server.occ("user:setting", "dave", "files", "quota", "none")
    assert data(alice.get("cloud/user"))["quota"]["free"] > 0


def test_truncated_chunked_upload_makes_no_file(alice: TalkClient) -> None:
    folder = f"{UPLOADS}/alice/{unique('trunc', 'x')}"
    name = unique("trunc", "bin")
    assert dav(alice, "MKCOL", folder).status_code == 201
    assert dav(alice, "PUT", f"{folder}/{0:016d}-{10:016d}", content=b"a" * 10).status_code == 201
    assert dav(alice, "PUT", f"{folder}/{20:016d}-{30:016d}", content=b"c" * 10).status_code == 201
    moved = dav(alice, "MOVE", f"{folder}/.file", headers={"Destination": f"{DAV}/alice/Talk/{name}"})
    assert moved.status_code == 400
    assert _absent(alice, f"{DAV}/alice/Talk/{name}")
    short = dav(alice, "MOVE", f"{folder}/.file",
                headers={"Destination": f"{DAV}/alice/Talk/{name}", "OC-Total-Length": "30"})  # fmt: skip
    assert short.status_code == 400 and _absent(alice, f"{DAV}/alice/Talk/{name}")
    assert dav(alice, "DELETE", folder).status_code == 204


def _bomb() -> bytes:
    """A PNG header promising 100,000 × 100,000 pixels, a few hundred bytes long."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def test_fake_and_hostile_images_get_no_preview_and_are_served_inertly(alice: TalkClient, bob: TalkClient) -> None:
    token = room(alice)
    for name, content in ((unique("page", "png"), b"<html><script>alert(1)</script></html>"),
                          (unique("bomb", "png"), _bomb()), (unique("empty", "png"), b"")):  # fmt: skip
        upload(alice, name, content)
        assert share(alice, token, name).status_code == 200
        listed = data(bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}))
        message = next(
            m for m in listed if m["messageParameters"] and m["messageParameters"].get("file", {}).get("name") == name
        )
        param = message["messageParameters"]["file"]
        assert param["preview-available"] == "no" and "width" not in param
        preview = dav(bob, "GET", "/index.php/core/preview", params={"fileId": param["id"], "x": 64, "y": 64})
        assert preview.status_code == 404
        got = dav(bob, "GET", f"{DAV}/bob/{param['path']}")
        assert got.status_code == 200 and got.content == content
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in got.headers["content-security-policy"]
    svg = unique("vector", "svg")
    upload(alice, svg, b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    got = dav(alice, "GET", f"{DAV}/alice/Talk/{svg}")
    assert got.headers["content-type"].startswith("text/plain")
    assert got.headers["content-disposition"].startswith("attachment")


def test_guests_of_the_public_room_and_nobody_else(alice: TalkClient, make_client) -> None:  # type: ignore[no-untyped-def]
    token = room(alice, public=True, invite=())
    name = unique("public", "jpg")
    from tests.api.files.helpers import jpeg

    content = jpeg(120, 80)
    upload(alice, name, content)
    guest, stranger = make_client(), make_client()
    assert guest.post(f"{ROOM}/{token}/participants/active", json={}).status_code == 200
    assert share(alice, token, name).status_code == 200
    param = file_message(guest, token)["messageParameters"]["file"]
    assert param["path"] == name and "/index.php/s/" in param["link"]
    share_token = param["link"].rsplit("/", 1)[1]
    assert dav(guest, "GET", f"/index.php/apps/files_sharing/publicpreview/{share_token}",
               params={"x": -1, "y": 384, "a": 1}).status_code == 200  # fmt: skip
    download = dav(guest, "GET", f"/index.php/s/{share_token}/download")
    assert download.content == content and download.headers["content-disposition"].startswith("attachment")
    ranged = dav(guest, "GET", f"/index.php/s/{share_token}/download/{name}", headers={"Range": "bytes=-5"})
    assert ranged.status_code == 206 and ranged.content == content[-5:]
    # A guest of no conversation, or a wrong token: 404.
    assert dav(stranger, "GET", f"/index.php/s/{share_token}/download").status_code == 404
    assert dav(guest, "GET", "/index.php/s/AAAAAAAAAAAAAAA/download").status_code == 404
    # A guest who left is no participant any more (Talk removes guests when they leave).
    assert guest.delete(f"{ROOM}/{token}/participants/active").status_code == 200
    assert dav(guest, "GET", f"/index.php/s/{share_token}/download").status_code == 404
    # Guests cannot upload at all.
    assert dav(guest, "PUT", f"{DAV}/alice/Talk/{unique('g', 'txt')}", content=b"x").status_code == 401

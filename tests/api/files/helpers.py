"""Shared pieces of the files tests: images made on the spot, WebDAV requests as the apps send
them, conversations with a file in them."""

from __future__ import annotations

import io
import json
import secrets
from typing import Any

import httpx
from PIL import Image

from tests.support.client import TalkClient, data

ROOM = "apps/spreed/api/v4/room"
CHAT = "apps/spreed/api/v1/chat"
SHARES = "apps/files_sharing/api/v1/shares"
DAV = "/remote.php/dav/files"
UPLOADS = "/remote.php/dav/uploads"


def jpeg(width: int = 400, height: int = 300, *, orientation: int = 1) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    for x in range(0, width, 20):
        for y in range(0, height, 20):
            image.putpixel((x, y), (0, 0, 255))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def unique(stem: str, ext: str) -> str:
    return f"{stem}-{secrets.token_hex(4)}.{ext}"


def dav(client: TalkClient, method: str, path: str, **kw: Any) -> httpx.Response:
    return client.http.request(method, path, **kw)


def room(client: TalkClient, *, public: bool = False, invite: tuple[str, ...] = ("bob",)) -> str:
    body: dict[str, Any] = {"roomType": 3 if public else 2, "roomName": "Files"}
    if invite:
        body["participants"] = {"users": list(invite)}
    response = client.post(ROOM, json=body)
    assert response.status_code in (200, 201), response.text
    return str(data(response)["token"])


def upload(client: TalkClient, name: str, content: bytes) -> httpx.Response:
    response = dav(client, "PUT", f"{DAV}/{client.user}/Talk/{name}", content=content)
    assert response.status_code in (201, 204), response.text
    return response


def share(client: TalkClient, token: str, name: str, **meta: Any) -> httpx.Response:
    body: dict[str, Any] = {"shareType": 10, "shareWith": token, "path": f"/Talk/{name}"}
    if meta:
        body["talkMetaData"] = json.dumps(meta)
    return client.post(SHARES, json=body)


def history(client: TalkClient, token: str) -> list[dict[str, Any]]:
    response = client.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, "limit": 50})
    assert response.status_code == 200, response.text
    return list(data(response))


def file_message(client: TalkClient, token: str) -> dict[str, Any]:
    found = [m for m in history(client, token) if "file" in (m["messageParameters"] or {})]
    assert found, history(client, token)
    return found[0]

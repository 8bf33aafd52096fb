"""Each app's upload-and-share sequence (files.md §2) with its own headers, then what a recipient
does: sees the file message, fetches the preview, downloads the same bytes, seeks with Range; and
what a removed participant or a stranger gets: 404."""

from __future__ import annotations

import hashlib
import time

from tests.api.files.helpers import (
    CHAT,
    DAV,
    ROOM,
    SHARES,
    UPLOADS,
    dav,
    file_message,
    jpeg,
    room,
    share,
    unique,
    upload,
)  # fmt: skip
from tests.support.client import TalkClient, data

NEXTCLOUDKIT_PROPFIND = (
    '<?xml version="1.0" encoding="UTF-8"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" '
    'xmlns:nc="http://nextcloud.org/ns"><d:prop><d:getlastmodified/><d:getetag/><d:getcontenttype/>'
    "<d:resourcetype/><oc:fileid/><oc:permissions/><oc:size/></d:prop></d:propfind>"
)
IOS_HEADERS = {"Accept": "application/json", "OCS-APIRequest": "true",
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip


def _recipient_checks(bob: TalkClient, token: str, name: str, content: bytes) -> dict[str, object]:
    """What the second user sees and can do with the file; returns its ``file`` parameter."""
    message = file_message(bob, token)
    param = message["messageParameters"]["file"]
    for key in ("id", "name", "size", "path", "link", "mimetype", "etag", "permissions", "preview-available"):
        assert isinstance(param[key], str), key
    assert param["name"] == name and param["size"] == str(len(content))
    assert param["path"].startswith("Talk/") and param["link"].endswith(f"/index.php/f/{param['id']}")
    got = dav(bob, "GET", f"{DAV}/bob/{param['path']}")
    assert got.status_code == 200 and got.content == content
    ranged = dav(bob, "GET", f"{DAV}/bob/{param['path']}", headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.content == content[10:20]
    assert ranged.headers["content-range"] == f"bytes 10-19/{len(content)}"
    return dict(param)


def test_web_and_desktop_upload_share_and_a_recipient_opens_it(alice: TalkClient, bob: TalkClient,
                                                               carol: TalkClient) -> None:  # fmt: skip
    token = room(alice)
    name = unique("photo", "jpg")
    content = jpeg(400, 300, orientation=6)
    path = f"{DAV}/alice/Talk/{name}"
    # The web's free-name probe: PROPFIND Depth 0 without a body; 404 means free.
    assert dav(alice, "PROPFIND", path, headers={"Depth": "0"}).status_code == 404
    put = dav(alice, "PUT", path, content=content, headers={"Content-Type": "image/jpeg", "X-OC-Mtime": "1700000000"})
    assert put.status_code == 201 and put.headers["OC-FileId"][:8].isdigit() and "date" in put.headers
    taken = dav(alice, "PROPFIND", path, headers={"Depth": "0"})
    assert taken.status_code == 207 and b"<d:getcontenttype>image/jpeg</d:getcontenttype>" in taken.content
    reference = hashlib.sha256(name.encode()).hexdigest()
    shared = alice.post(SHARES, json={"shareType": 10, "shareWith": token, "path": f"/Talk/{name}",
                                      "referenceId": reference, "talkMetaData": '{"caption":" Look "}'})  # fmt: skip
    assert shared.status_code == 200, shared.text
    assert data(shared)["share_type"] == 10 and data(shared)["share_with"] == token
    message = file_message(bob, token)
    assert message["message"] == "Look" and message["referenceId"] == reference
    assert message["messageType"] == "comment" and message["isReplyable"] is True
    param = _recipient_checks(bob, token, name, content)
    # EXIF orientation 6: the picture stands upright, 300 wide and 400 high.
    assert (param["width"], param["height"], param["preview-available"]) == ("300", "400", "yes")
    assert isinstance(param["blurhash"], str) and len(str(param["blurhash"])) > 6
    preview = dav(bob, "GET", "/index.php/core/preview", params={"fileId": param["id"], "x": -1, "y": 384, "a": 1})
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/jpeg"
    assert preview.content[:2] == b"\xff\xd8"
    assert dav(bob, "GET", f"/index.php/f/{param['id']}", follow_redirects=True).content == content
    # A stranger and then a removed participant get 404 everywhere.
    for stranger in (carol,):
        assert (
            dav(
                stranger, "GET", "/index.php/core/preview", params={"fileId": param["id"], "x": 64, "y": 64}
            ).status_code
            == 404
        )
        assert dav(stranger, "GET", f"/index.php/f/{param['id']}").status_code == 404
    bob_attendee = next(p for p in data(alice.get(f"{ROOM}/{token}/participants")) if p["actorId"] == "bob")
    assert (
        alice.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": bob_attendee["attendeeId"]}).status_code == 200
    )
    assert dav(bob, "GET", f"{DAV}/bob/{param['path']}").status_code == 404
    assert (
        dav(bob, "GET", "/index.php/core/preview", params={"fileId": param["id"], "x": 64, "y": 64}).status_code == 404
    )
    search = _search(bob, "bob", str(param["id"]))
    assert search.status_code == 207 and b"<d:response>" not in search.content


def test_android_chunked_upload_with_range_names(alice: TalkClient, bob: TalkClient) -> None:
    token = room(alice)
    name = unique("Talk recording", "mp3")
    content = bytes(range(256)) * 9000  # 2,304,000 bytes: three chunks of at most 1,024,000
    assert dav(alice, "HEAD", f"{DAV}/alice/Talk/{name}").status_code == 404
    folder = f"{UPLOADS}/alice/{hashlib.md5(content).hexdigest()}"
    assert dav(alice, "MKCOL", folder).status_code == 201
    assert dav(alice, "MKCOL", folder).status_code == 405  # Android accepts it: the folder is there
    assert dav(alice, "PROPFIND", folder, headers={"Depth": "1"}).status_code == 207
    for start in range(0, len(content), 1024000):
        end = min(start + 1024000, len(content))
        chunk = dav(alice, "PUT", f"{folder}/{start:016d}-{end:016d}", content=content[start:end],
                    headers={"Content-Type": "application/octet-stream"})  # fmt: skip
        assert chunk.status_code == 201, chunk.text
    dav(alice, "MKCOL", f"{DAV}/alice/Talk")  # errors ignored, as Android does
    moved = dav(
        alice, "MOVE", f"{folder}/.file", headers={"Destination": f"{alice.http.base_url}{DAV}/alice/Talk/{name}"}
    )
    assert moved.status_code == 201, moved.text
    assert dav(alice, "PROPFIND", folder, headers={"Depth": "1"}).status_code == 404
    form = {"shareType": "10", "shareWith": token, "path": f"/Talk/{name}", "referenceId": "a" * 32,
            "talkMetaData": '{"replyTo":"0","messageType":"voice-message","caption":""}'}  # fmt: skip
    assert alice.post(SHARES, data=form).status_code == 200
    message = file_message(bob, token)
    assert message["messageType"] == "voice-message" and message["message"] == "{file}"
    param = _recipient_checks(bob, token, name, content)
    assert param["mimetype"] == "audio/mpeg" and param["preview-available"] == "no"


def _search(client: TalkClient, uid: str, file_id: str) -> object:
    body = (
        '<?xml version="1.0"?><d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:basicsearch>'
        "<d:select><d:prop><d:displayname/><d:getlastmodified/><oc:fileid/><oc:size/></d:prop></d:select>"
        f"<d:from><d:scope><d:href>/files/{uid}</d:href><d:depth>infinity</d:depth></d:scope></d:from>"
        f"<d:where><d:eq><d:prop><oc:fileid/></d:prop><d:literal>{file_id}</d:literal></d:eq></d:where>"
        "</d:basicsearch></d:searchrequest>"
    )
    return dav(client, "SEARCH", "/remote.php/dav", content=body, headers={"Content-Type": "text/xml"})


def test_ios_upload_share_and_open_by_file_id(alice: TalkClient, bob: TalkClient) -> None:
    token = room(alice)
    name = unique("IMG", "jpg")
    content = jpeg(200, 100)
    path = f"{DAV}/alice/Talk/{name}"
    probe = dav(alice, "PROPFIND", path, content=NEXTCLOUDKIT_PROPFIND, headers={**IOS_HEADERS, "Depth": "0"})
    assert probe.status_code == 404
    put = dav(alice, "PUT", path, content=content, headers=IOS_HEADERS)
    assert put.status_code == 201 and put.headers["date"].endswith("GMT")
    form = {"shareType": "10", "shareWith": token, "path": f"/Talk/{name}", "referenceId": "b" * 64,
            "talkMetaData": '{"caption":"","silent":true,"replyTo":0}'}  # fmt: skip
    assert alice.post(SHARES, data=form).status_code == 200
    message = file_message(bob, token)
    assert message.get("silent") is True
    param = message["messageParameters"]["file"]
    found = _search(bob, "bob", param["id"])
    assert found.status_code == 207
    text = found.content.decode()
    for tag in ("<d:multistatus", "<d:href>", "<d:getlastmodified>", "<oc:size>", "<oc:fileid>"):
        assert tag in text
    href = text.split("<d:href>")[1].split("</d:href>")[0]
    assert href.startswith("/remote.php/dav/files/bob/")
    assert dav(bob, "GET", href).content == content
    preview = dav(bob, "GET", "/index.php/core/preview", params={"fileId": param["id"], "x": -1, "y": 360, "a": 1,
                                                                  "forceIcon": 1})  # fmt: skip
    assert preview.status_code == 200


def test_web_chunked_upload_numbered_and_assembled_once(alice: TalkClient) -> None:
    name = unique("video", "mp4")
    content = b"0123456789" * 300_000
    folder = f"{UPLOADS}/alice/web-file-upload-{time.time_ns():x}"
    target = f"{alice.http.base_url}{DAV}/alice/Talk/{name}"
    headers = {"Destination": target, "OC-Total-Length": str(len(content))}
    assert dav(alice, "MKCOL", folder, headers={"Destination": target}).status_code == 201
    parts = [content[i : i + 1_000_000] for i in range(0, len(content), 1_000_000)]
    for number, part in reversed(list(enumerate(parts, 1))):  # order of arrival does not matter
        assert dav(alice, "PUT", f"{folder}/{number}", content=part, headers=headers).status_code == 201
    assert dav(alice, "MOVE", f"{folder}/.file", headers=headers).status_code == 201
    assert dav(alice, "MOVE", f"{folder}/.file", headers=headers).status_code == 404
    assert dav(alice, "GET", f"{DAV}/alice/Talk/{name}").content == content
    assert dav(alice, "DELETE", folder).status_code == 404  # nc-py-api always deletes; harmless


def test_deleting_the_message_unshares_and_shared_items_list_it(alice: TalkClient, bob: TalkClient) -> None:
    token = room(alice)
    name = unique("doc", "pdf")
    upload(alice, name, b"%PDF-1.4 not really")
    assert share(alice, token, name).status_code == 200
    items = bob.get(f"{CHAT}/{token}/share", params={"objectType": "file"})
    assert items.status_code == 200 and len(data(items)) == 1
    overview = data(bob.get(f"{CHAT}/{token}/share/overview"))
    assert set(overview) >= {"audio", "file", "media", "voice", "other"} and len(overview["file"]) == 1
    message = file_message(bob, token)
    path = message["messageParameters"]["file"]["path"]
    assert dav(bob, "GET", f"{DAV}/bob/{path}").status_code == 200
    deleted = alice.delete(f"{CHAT}/{token}/{message['id']}")
    assert deleted.status_code == 200, deleted.text
    assert dav(bob, "GET", f"{DAV}/bob/{path}").status_code == 404
    assert data(bob.get(f"{CHAT}/{token}/share", params={"objectType": "file"})) == []


def test_sharing_twice_is_refused_but_posted(alice: TalkClient, bob: TalkClient) -> None:
    token = room(alice)
    name = unique("twice", "txt")
    upload(alice, name, b"hello")
    assert share(alice, token, name).status_code == 200
    again = share(alice, token, name)
    assert again.status_code == 403
    files = [
        m
        for m in (data(bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0})))
        if "file" in (m["messageParameters"] or {})
    ]
    assert len(files) == 2
    assert share(bob, token, "nothing-here.txt").status_code == 404
    assert share(alice, "notaroom", name).status_code == 404

"""Conversation pictures (``room/{token}/avatar``, the ``avatar`` feature): what each kind of
conversation shows by default, uploads, emoji pictures, removal, and who may do what."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.support import pictures
from tests.support.client import TalkClient, data
from tests.support.talk import CHAT, ROOM, group_room, history, join, public_room

AVATAR = "apps/spreed/api/v1/room/{}/avatar"


def avatar(client: TalkClient, token: str, suffix: str = "") -> httpx.Response:
    return client.get(AVATAR.format(token) + suffix)


def upload(client: TalkClient, token: str, content: bytes) -> httpx.Response:
    return client.post(AVATAR.format(token), files={"file": ("picture.png", content, "image/png")})


def system_messages(client: TalkClient, token: str) -> list[str]:
    return [m["systemMessage"] for m in history(client, token)]


def test_defaults_by_kind(alice: TalkClient, bob: TalkClient) -> None:
    group = group_room(alice, "bob", name="Plain group")
    shown = avatar(bob, group)
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("image/svg+xml")
    assert shown.headers["cache-control"] == "private, max-age=86400, immutable"
    assert "#6B6B6B" in shown.text and "#3B3B3B" in avatar(bob, group, "/dark").text
    # A name that starts with an emoji shows that emoji.
    party = group_room(alice, name="🎉 Party")
    assert "🎉" in avatar(alice, party).text
    room = data(alice.get(f"{ROOM}/{party}"))
    plain = data(alice.get(f"{ROOM}/{group}"))
    assert room["isCustomAvatar"] is False and room["avatarVersion"] != plain["avatarVersion"]
    # A one-to-one shows the other user's avatar.
    one = data(alice.post(ROOM, json={"roomType": 1, "invite": "bob"}))["token"]
    mine = avatar(alice, one)
    assert mine.headers["content-type"] == "image/png"
    assert mine.content == httpx.get(f"{alice.http.base_url}/index.php/avatar/bob/512").content


def test_who_may_see_it(alice: TalkClient, carol: TalkClient, make_client: Callable[..., TalkClient]) -> None:
    private = group_room(alice, name="Private picture")
    assert avatar(carol, private).status_code == 404
    listed = group_room(alice, name="Listed picture")
    assert alice.put(f"{ROOM}/{listed}/listable", json={"scope": 1}).status_code == 200
    assert avatar(carol, listed).status_code == 200
    open_room = public_room(alice, name="Open picture")
    stranger = make_client()
    assert avatar(stranger, open_room).status_code == 404
    join(stranger, open_room)
    assert avatar(stranger, open_room).status_code == 200


def test_upload_and_remove(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob", name="Uploaded picture")
    before = data(alice.get(f"{ROOM}/{token}"))["avatarVersion"]
    sent = upload(alice, token, pictures.png(300, 300))
    assert sent.status_code == 200
    room = data(sent)
    assert room["isCustomAvatar"] is True and room["avatarVersion"] != before
    shown = avatar(bob, token)
    assert shown.headers["content-type"] == "image/png" and shown.headers["x-nc-iscustomavatar"] == "1"
    assert pictures.size_of(shown.content) == (300, 300)
    assert "avatar_set" in system_messages(alice, token)
    assert data(bob.get(f"{ROOM}/{token}"))["isCustomAvatar"] is True

    removed = alice.delete(AVATAR.format(token))
    assert removed.status_code == 200 and data(removed)["isCustomAvatar"] is False
    assert data(removed)["avatarVersion"] == before
    assert avatar(bob, token).headers["content-type"].startswith("image/svg+xml")
    assert "avatar_removed" in system_messages(alice, token)


def test_uploads_refused(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob", name="Refused picture")
    cases = [
        (pictures.png(300, 200), "Avatar image is not square"),
        (pictures.SVG, "Unknown filetype"),
        (pictures.gif(20, 20), "Unknown filetype"),
        (b"\x89PNG\r\n\x1a\nbroken", "Invalid image"),
        (pictures.bomb(), "Invalid image"),
    ]
    for content, message in cases:
        refused = upload(alice, token, content)
        assert refused.status_code == 400 and data(refused) == {"message": message}, message
    missing = alice.post(AVATAR.format(token), data={"nothing": "here"})
    assert missing.status_code == 400 and data(missing) == {"message": "No image file provided"}
    assert upload(bob, token, pictures.png(10, 10)).status_code == 403  # not a moderator
    one = data(alice.post(ROOM, json={"roomType": 1, "invite": "bob"}))["token"]
    refused = upload(alice, one, pictures.png(10, 10))
    assert refused.status_code == 400
    assert data(refused) == {"message": "One-to-one rooms always need to show the other users avatar"}
    assert data(alice.get(f"{ROOM}/{token}"))["isCustomAvatar"] is False


def test_emoji_pictures(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob", name="Emoji picture")
    coloured = alice.post(AVATAR.format(token) + "/emoji", json={"emoji": "🦄", "color": "ff00AA"})
    assert coloured.status_code == 200 and data(coloured)["isCustomAvatar"] is True
    shown = avatar(bob, token)
    assert shown.headers["content-type"].startswith("image/svg+xml") and "🦄" in shown.text and "#ff00AA" in shown.text
    # Without a colour the picture follows the theme.
    assert alice.post(AVATAR.format(token) + "/emoji", json={"emoji": "👩🏽‍💻"}).status_code == 200
    assert "#6B6B6B" in avatar(bob, token).text and "#3B3B3B" in avatar(bob, token, "/dark").text
    for body, message in [
        ({"emoji": "ab"}, "Invalid emoji character"),
        ({"emoji": "🦄🦄"}, "Invalid emoji character"),
        ({"emoji": "<b>"}, "Invalid emoji character"),
        ({"emoji": "🦄", "color": "red"}, "Invalid background color"),
    ]:
        refused = alice.post(AVATAR.format(token) + "/emoji", json=body)
        assert refused.status_code == 400 and data(refused) == {"message": message}
    assert bob.post(AVATAR.format(token) + "/emoji", json={"emoji": "🦄"}).status_code == 403
    assert alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 200

"""nc-py-api's avatar calls (users' and guests' avatars, conversation pictures behind the ``avatar``
feature) against a real Causerie process."""

from __future__ import annotations

import io

from nc_py_api.talk import ConversationType
from PIL import Image

from tests.support import pictures
from tests.support.nc_py_api import nextcloud
from tests.support.server import ServerProcess


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_user_and_guest_avatars(server: ServerProcess) -> None:
    nc, _ = nextcloud(server.base_url, "alice")
    own = nc.users.get_avatar()
    assert _size(own) == (512, 512)
    assert _size(nc.users.get_avatar("bob", size=64)) == (64, 64)
    assert nc.users.get_avatar("bob", size=64, dark=True) != nc.users.get_avatar("bob", size=64)
    assert _size(nc.users.get_avatar("Jane Doe", size=64, guest=True)) == (64, 64)


def test_conversation_pictures(server: ServerProcess) -> None:
    nc, checked = nextcloud(server.base_url, "alice")
    conversation = nc.talk.create_conversation(ConversationType.GROUP, "team", "groups", room_name="Pictures")
    default = nc.talk.get_conversation_avatar(conversation)
    assert default.lstrip().startswith(b"<svg") or default.startswith(b"<?xml")

    uploaded = nc.talk.set_conversation_avatar(conversation, pictures.png(128, 128))
    assert uploaded.is_custom_avatar is True
    assert _size(nc.talk.get_conversation_avatar(conversation)) == (128, 128)

    emoji = nc.talk.set_conversation_avatar(conversation, ("🌻", "ffcc00"))
    assert emoji.is_custom_avatar is True and emoji.avatar_version != uploaded.avatar_version
    assert "🌻".encode() in nc.talk.get_conversation_avatar(conversation, dark=True)

    removed = nc.talk.delete_conversation_avatar(conversation)
    assert removed.is_custom_avatar is False
    assert checked  # the room objects were checked against the OpenAPI description

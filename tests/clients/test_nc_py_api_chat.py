"""nc-py-api's send / reactions / delete-message scenario (its ``test_message_send_delete_reactions``),
re-expressed against a real Causerie process."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from nc_py_api import Nextcloud
from nc_py_api.talk import ConversationType

from tests.support.server import ServerProcess, password_of


@pytest.fixture
def nc(server: ServerProcess) -> Iterator[Nextcloud]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client = Nextcloud(nextcloud_url=server.base_url, nc_auth_user="alice", nc_auth_pass=password_of("alice"))
    # Without the spreed capability every upstream scenario would silently skip.
    assert client.talk.available is True
    yield client


def test_message_send_delete_reactions(nc: Nextcloud) -> None:
    conversation = nc.talk.create_conversation(ConversationType.GROUP, room_name="nc-py-api chat")
    try:
        msg = nc.talk.send_message("There are one reaction to this message", conversation)
        assert msg.token == conversation.token and msg.message == "There are one reaction to this message"
        reactions = nc.talk.react_to_message(msg, "❤️")
        assert len(reactions) == 1 and "❤️" in reactions
        reaction = reactions["❤️"][0]
        assert reaction.actor_id == nc.user == "alice"
        assert reaction.actor_type == "users" and reaction.actor_display_name == "Alice Adams"
        assert reaction.timestamp > 0
        # Any short string is a reaction: this is U+261D with two variation selectors.
        reactions2 = nc.talk.react_to_message(msg, "☝️️")
        assert len(reactions2) == 2
        assert reactions2 == nc.talk.get_message_reactions(msg)
        assert list(nc.talk.get_message_reactions(msg, "☝️️")) == ["☝️️"]
        assert list(nc.talk.delete_reaction(msg, "❤️")) == ["☝️️"]
        assert not nc.talk.delete_reaction(msg, "☝️️")
        assert not nc.talk.get_message_reactions(msg)
        result = nc.talk.delete_message(msg)
        assert result.system_message == "message_deleted"
        messages = nc.talk.receive_messages(conversation)
        deleted = [m for m in messages if m.system_message == "message_deleted"]
        assert deleted and str(deleted[0]).find("time=") != -1
        stub = next(m for m in messages if m.message_id == msg.message_id)
        assert stub.message_type == "comment_deleted"
    finally:
        nc.talk.delete_conversation(conversation)

"""nc-py-api 0.30 against Causerie: the conversation scenarios of nc-py-api's own Talk tests
(create/delete, modifiedSince, rename/description/favorite/read-only/public/password/notification
level/get by token), re-expressed. Every Talk response nc-py-api receives is validated against the
real server's OpenAPI description."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from nc_py_api import Nextcloud, NextcloudException, talk

from tests.support.nc_py_api import async_nextcloud, nextcloud
from tests.support.server import ServerProcess

# A user of its own, so that no other test's rooms show up in its modifiedSince listings.
USER = "ncpy-user"
PASSWORD = "ncpy-password-1"
GROUP = "ncpy-group"


@pytest.fixture(scope="module")
def ncpy_user(server: ServerProcess) -> Iterator[str]:
    server.occ(
        "user:add",
        USER,
        "--password-from-env",
        "--display-name",
        "Py Client",
        "--group",
        GROUP,
        env={"OC_PASS": PASSWORD},
    )
    yield USER


@pytest.fixture
def nc(server: ServerProcess, ncpy_user: str) -> Iterator[Nextcloud]:
    client, checked = nextcloud(server.base_url, ncpy_user, PASSWORD)
    assert client.talk.available is True, "capabilities must carry spreed, or every scenario would skip"
    yield client
    assert checked, "nc-py-api made no Talk request that was validated"
    client._session.adapter.close()


def test_conversation_create_delete(nc: Nextcloud, reset_bruteforce: None) -> None:
    conversation = nc.talk.create_conversation(talk.ConversationType.GROUP, GROUP)
    try:
        assert isinstance(conversation.conversation_id, int)
        assert isinstance(conversation.token, str) and len(conversation.token) == 8
        assert conversation.conversation_type == talk.ConversationType.GROUP
        # Created from a group invitation without a name: named after the group.
        assert conversation.name == GROUP.capitalize() or conversation.name == GROUP
        assert conversation.display_name == conversation.name
        assert conversation.description == ""
        assert conversation.participant_type == talk.ParticipantType.OWNER
        assert isinstance(conversation.attendee_id, int) and conversation.attendee_id > 0
        assert isinstance(conversation.attendee_pin, str)
        assert conversation.actor_type == "users" and conversation.actor_id == USER
        assert isinstance(conversation.permissions, talk.AttendeePermissions)
        assert conversation.permissions == 254
        assert conversation.attendee_permissions == talk.AttendeePermissions.DEFAULT
        assert conversation.call_permissions == talk.AttendeePermissions.DEFAULT
        assert conversation.default_permissions == talk.AttendeePermissions.DEFAULT
        assert conversation.participant_flags == talk.InCallFlags.DISCONNECTED
        assert conversation.read_only is False
        assert conversation.listable == talk.ListableScope.PARTICIPANTS_ONLY
        assert conversation.message_expiration == 0
        assert conversation.has_password is False
        assert conversation.has_call is False
        assert conversation.call_flag == talk.InCallFlags.DISCONNECTED
        assert conversation.can_start_call is True
        assert conversation.can_delete_conversation is True
        assert conversation.can_leave_conversation is True
        assert isinstance(conversation.last_activity, int) and conversation.last_activity > 0
        assert conversation.is_favorite is False
        assert conversation.notification_level == talk.NotificationLevel.NOTIFY_ON_MENTION
        assert conversation.lobby_state == talk.WebinarLobbyStates.NO_LOBBY
        assert conversation.lobby_timer == 0
        assert conversation.sip_enabled == talk.SipEnabledStatus.DISABLED
        assert conversation.can_enable_sip is False
        assert conversation.unread_messages_count == 0
        assert conversation.unread_mention is False and conversation.unread_mention_direct is False
        assert isinstance(conversation.last_read_message, int)
        assert isinstance(conversation.last_common_read_message, int)
        assert conversation.breakout_room_mode == talk.BreakoutRoomMode.NOT_CONFIGURED
        assert conversation.breakout_room_status == talk.BreakoutRoomStatus.STOPPED
        assert isinstance(conversation.avatar_version, str) and conversation.avatar_version
        assert conversation.is_custom_avatar is False
        assert conversation.call_start_time == 0
        assert conversation.recording_status == talk.CallRecordingStatus.NO_RECORDING
        last = conversation.last_message
        assert isinstance(last, talk.TalkMessage)
        # The group invitation is the newest event of the new conversation.
        assert last.system_message == "group_added"
        assert isinstance(last.message_id, int) and last.token == conversation.token
        assert last.actor_type == "users" and last.actor_id == USER
        assert isinstance(last.timestamp, int) and isinstance(last.expiration_timestamp, int)
        assert last.message_type == "system" and last.is_replyable is False
        assert last.reference_id == "" and isinstance(last.message, str)
        assert isinstance(last.message_parameters, dict)
        assert last.parent == [] and last.reactions == {} and last.reactions_self == []
        participants = nc.talk.list_participants(conversation)
        assert {p.actor_id for p in participants} == {USER, GROUP}
        for participant in participants:
            assert isinstance(participant.attendee_id, int) and isinstance(participant.display_name, str)
            assert isinstance(participant.last_ping, int) and participant.session_ids == []
    finally:
        nc.talk.delete_conversation(conversation)
    with pytest.raises(NextcloudException) as gone:
        nc.talk.get_conversation_by_token(conversation)
    assert gone.value.status_code == 404


def test_get_conversations_modified_since(nc: Nextcloud) -> None:
    conversation = nc.talk.create_conversation(talk.ConversationType.GROUP, GROUP)
    try:
        conversations = nc.talk.get_user_conversations()
        assert conversation.token in {c.token for c in conversations}
        assert nc.talk.modified_since > 0
        nc.talk.modified_since += 2  # nothing changes in the next two seconds
        assert nc.talk.get_user_conversations(modified_since=True) == []
        assert nc.talk.get_user_conversations(modified_since=9992708529, no_status_update=False) == []
    finally:
        nc.talk.delete_conversation(conversation)


def test_get_conversations_modified_since_async(server: ServerProcess, ncpy_user: str) -> None:
    async def scenario() -> None:
        anc, checked = async_nextcloud(server.base_url, ncpy_user, PASSWORD)
        assert await anc.talk.available is True
        conversation = await anc.talk.create_conversation(talk.ConversationType.GROUP, GROUP)
        try:
            assert conversation.token in {c.token for c in await anc.talk.get_user_conversations()}
            anc.talk.modified_since += 2
            assert await anc.talk.get_user_conversations(modified_since=True) == []
        finally:
            await anc.talk.delete_conversation(conversation)
        assert checked

    asyncio.run(scenario())


def test_rename_description_favorite_get_conversation(nc: Nextcloud) -> None:
    conversation = nc.talk.create_conversation(talk.ConversationType.GROUP, GROUP)
    try:
        nc.talk.rename_conversation(conversation, "new era")
        assert conversation.is_favorite is False
        nc.talk.set_conversation_description(conversation, "the description")
        nc.talk.set_conversation_fav(conversation, True)
        nc.talk.set_conversation_readonly(conversation, True)
        nc.talk.set_conversation_public(conversation, True)
        nc.talk.set_conversation_notify_lvl(conversation, talk.NotificationLevel.NEVER_NOTIFY)
        nc.talk.set_conversation_password(conversation, "zJf4aLafv8941nvs")
        conversation = nc.talk.get_conversation_by_token(conversation)
        assert conversation.display_name == "new era"
        assert conversation.description == "the description"
        assert conversation.is_favorite is True
        assert conversation.read_only is True
        assert conversation.conversation_type == talk.ConversationType.PUBLIC
        assert conversation.notification_level == talk.NotificationLevel.NEVER_NOTIFY
        assert conversation.has_password is True
        nc.talk.set_conversation_fav(conversation, False)
        nc.talk.set_conversation_readonly(conversation, False)
        nc.talk.set_conversation_password(conversation, "")
        nc.talk.set_conversation_public(conversation, False)
        conversation = nc.talk.get_conversation_by_token(conversation.token)
        assert conversation.is_favorite is False
        assert conversation.read_only is False
        assert conversation.has_password is False
        assert conversation.conversation_type == talk.ConversationType.GROUP
        # Passwords belong to public conversations only.
        with pytest.raises(NextcloudException):
            nc.talk.set_conversation_password(conversation, "zJf4aLafv8941nvs")
    finally:
        nc.talk.delete_conversation(conversation)


def test_one_to_one_participants_and_leaving(nc: Nextcloud, reset_bruteforce: None) -> None:
    conversation = nc.talk.create_conversation(talk.ConversationType.ONE_TO_ONE, "bob")
    assert conversation.conversation_type == talk.ConversationType.ONE_TO_ONE
    assert conversation.name == "bob" and conversation.display_name == "Bob Brown"
    assert nc.talk.create_conversation(talk.ConversationType.ONE_TO_ONE, "bob").token == conversation.token
    listed = nc.talk.get_user_conversations(include_status=True, modified_since=9992708529)
    assert conversation.token in {c.token for c in listed}
    assert {p.actor_id for p in nc.talk.list_participants(conversation)} == {USER, "bob"}
    # One-to-one conversations cannot be deleted, only left.
    with pytest.raises(NextcloudException):
        nc.talk.delete_conversation(conversation)
    nc.talk.leave_conversation(conversation)
    with pytest.raises(NextcloudException) as gone:
        nc.talk.get_conversation_by_token(conversation)
    assert gone.value.status_code == 404

"""The chat API over HTTP: sending, history, read markers, mentions, edits and deletes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.client import TalkClient, data, meta
from tests.support.server import ServerProcess
from tests.support.talk import CHAT, ROOM, group_room, history, join, public_room, room, send

MESSAGE_KEYS = [
    "id",
    "token",
    "actorType",
    "actorId",
    "actorDisplayName",
    "timestamp",
    "message",
    "messageParameters",
    "systemMessage",
    "messageType",
    "isReplyable",
    "referenceId",
    "reactions",
    "expirationTimestamp",
    "markdown",
]


def test_send_with_a_mention_answers_201_with_the_rich_message(alice: TalkClient) -> None:
    token = group_room(alice, "bob")
    response = alice.post(f"{CHAT}/{token}", json={"message": "hello @bob"})
    assert response.status_code == 201
    assert response.headers["X-Chat-Last-Common-Read"].isdigit()
    message = data(response)
    assert list(message) == MESSAGE_KEYS
    assert message["token"] == token and message["actorType"] == "users" and message["actorId"] == "alice"
    assert message["actorDisplayName"] == "Alice Adams" and message["messageType"] == "comment"
    assert message["message"] == "hello {mention-user1}"
    assert message["messageParameters"] == {
        "mention-user1": {"type": "user", "id": "bob", "name": "Bob Brown", "mention-id": "bob"}
    }
    assert message["systemMessage"] == "" and message["referenceId"] == "" and message["reactions"] == {}
    assert message["isReplyable"] is True and message["markdown"] is True and message["expirationTimestamp"] == 0


def test_plain_message_has_php_empty_parameters(alice: TalkClient) -> None:
    token = group_room(alice)
    response = alice.post(f"{CHAT}/{token}", data={"message": "form encoded"})
    assert response.status_code == 201
    assert data(response)["messageParameters"] == [] and data(response)["message"] == "form encoded"


def test_reply_embeds_the_parent_and_refuses_bad_parents(alice: TalkClient) -> None:
    token = group_room(alice, "bob")
    parent = send(alice, token, "question @bob")
    reply = send(alice, token, "a reply", replyTo=parent["id"])
    assert reply["parent"] == parent
    system = history(alice, token)[-1]
    assert system["systemMessage"] == "conversation_created"
    refused = alice.post(f"{CHAT}/{token}", json={"message": "x", "replyTo": system["id"]})
    assert refused.status_code == 400 and data(refused) == {"error": "reply-to"}
    other = group_room(alice)
    elsewhere = alice.post(f"{CHAT}/{other}", json={"message": "x", "replyTo": parent["id"]})
    assert elsewhere.status_code == 400


def test_reference_id_is_cut_and_silent_is_kept(alice: TalkClient) -> None:
    token = group_room(alice)
    message = send(alice, token, "tagged", referenceId="r" * 70, silent=True)
    assert message["referenceId"] == "r" * 64 and message["silent"] is True
    assert "silent" not in send(alice, token, "loud", silent=False)


@pytest.mark.parametrize(
    ("message", "status"),
    [("", 400), ("  \n\t", 400), ("x" * 32001, 413)],
)
def test_bad_messages(alice: TalkClient, message: str, status: int) -> None:
    token = group_room(alice)
    response = alice.post(f"{CHAT}/{token}", json={"message": message})
    assert response.status_code == status and data(response) == {"error": "message"}


def test_longest_message_is_accepted(alice: TalkClient) -> None:
    token = group_room(alice)
    assert len(send(alice, token, "y" * 32000)["message"]) == 32000


def test_ocs_v1_maps_statuses_into_the_envelope(alice: TalkClient) -> None:
    token = group_room(alice)
    empty = alice.post(f"{CHAT}/{token}", json={"message": ""}, v=1)
    assert empty.status_code == 200 and meta(empty)["statuscode"] == 400
    sent = alice.post(f"{CHAT}/{token}", json={"message": "via v1"}, v=1)
    assert sent.status_code == 200 and meta(sent) | {"message": ""} == {
        "status": "failure",
        "statuscode": 201,
        "message": "",
        "totalitems": "",
        "itemsperpage": "",
    }


def test_non_participants_get_404(alice: TalkClient, carol: TalkClient, reset_bruteforce: None) -> None:
    token = group_room(alice, "bob")
    for response in (
        carol.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}),
        carol.post(f"{CHAT}/{token}", json={"message": "intruder"}),
        carol.get(f"{CHAT}/{token}/mentions", params={"search": ""}),
        carol.post(f"{CHAT}/{token}/read"),
    ):
        assert response.status_code == 404 and data(response) == []
    assert all(m["message"] != "intruder" for m in history(alice, token))


def test_history_pages_newest_first(alice: TalkClient) -> None:
    token = group_room(alice)
    ids = [send(alice, token, f"m{i}")["id"] for i in range(5)]
    first = alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, "limit": 2})
    assert [m["id"] for m in data(first)] == [ids[4], ids[3]]
    assert first.headers["X-Chat-Last-Given"] == str(ids[3])
    second = alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, "limit": 2, "lastKnownMessageId": ids[3]})
    assert [m["id"] for m in data(second)] == [ids[2], ids[1]]
    inclusive = history(alice, token, limit=2, lastKnownMessageId=ids[3], includeLastKnown=1)
    assert [m["id"] for m in inclusive] == [ids[3], ids[2]]
    future = alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 1, "lastKnownMessageId": ids[1], "limit": 2})
    assert [m["id"] for m in data(future)] == [ids[2], ids[3]]
    assert future.headers["X-Chat-Last-Given"] == str(ids[3])
    assert len(history(alice, token, limit=0)) == 1


def test_history_to_the_end_answers_304(alice: TalkClient) -> None:
    token = group_room(alice)
    oldest = history(alice, token)[-1]["id"]
    response = alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, "lastKnownMessageId": oldest})
    assert response.status_code == 304 and response.content == b""


def test_system_messages_are_worded_for_the_viewer(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    mine = {m["systemMessage"]: m for m in history(alice, token)}
    theirs = {m["systemMessage"]: m for m in history(bob, token)}
    assert mine["conversation_created"]["message"] == "You created the conversation"
    assert theirs["conversation_created"]["message"] == "{actor} created the conversation"
    assert theirs["conversation_created"]["messageParameters"]["actor"] == {
        "type": "user",
        "id": "alice",
        "name": "Alice Adams",
        "mention-id": "alice",
    }
    assert mine["user_added"]["message"] == "You added {user}"
    assert theirs["user_added"]["message"] == "{actor} added you"
    assert mine["user_added"]["messageParameters"]["user"]["id"] == "bob"
    assert mine["user_added"]["isReplyable"] is False and mine["user_added"]["markdown"] is False


def test_read_marker_and_unread_counters(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    first = send(alice, token, "one")
    send(alice, token, "two @bob")
    last = send(alice, token, "three")
    seen = room(bob, token)
    assert seen["unreadMessages"] == 3 and seen["unreadMention"] is True and seen["unreadMentionDirect"] is True
    assert seen["lastMessage"]["id"] == last["id"]
    marked = bob.post(f"{CHAT}/{token}/read", json={"lastReadMessage": first["id"]})
    assert marked.status_code == 200 and "X-Chat-Last-Common-Read" in marked.headers
    after = data(marked)
    assert after["lastReadMessage"] == first["id"] and after["unreadMessages"] == 2
    everything = data(bob.post(f"{CHAT}/{token}/read"))
    assert everything["lastReadMessage"] == last["id"] and everything["unreadMessages"] == 0
    assert everything["unreadMention"] is False
    unread = bob.delete(f"{CHAT}/{token}/read")
    assert unread.status_code == 200 and data(unread)["unreadMessages"] == 1
    assert data(unread)["lastReadMessage"] < last["id"]
    assert room(alice, token)["lastCommonReadMessage"] == data(unread)["lastReadMessage"]


def test_group_and_all_mentions_mark_the_room_but_not_as_direct(alice: TalkClient, carol: TalkClient) -> None:
    token = group_room(alice, "carol")
    data(carol.post(f"{CHAT}/{token}/read"))
    sent = send(alice, token, 'hey @"group/team" and @all')
    assert sent["message"] == "hey {mention-group1} and {mention-call1}"
    assert sent["messageParameters"]["mention-group1"]["type"] == "user-group"
    assert sent["messageParameters"]["mention-call1"]["type"] == "call"
    seen = room(carol, token)
    assert seen["unreadMention"] is True and seen["unreadMentionDirect"] is False


def test_guest_sends_with_a_display_name_and_reads(alice: TalkClient, guest: TalkClient) -> None:
    token = public_room(alice)
    me = join(guest, token)
    message = send(guest, token, "hi from a guest", actorDisplayName="Golden Guest")
    assert message["actorType"] == "guests" and message["actorId"] == me["actorId"]
    assert message["actorDisplayName"] == "Golden Guest"
    seen = history(guest, token)
    assert seen[0]["id"] == message["id"]
    assert seen[-1]["message"] == "{actor} created the conversation"
    mention = send(alice, token, f'thanks @"guest/{me["actorId"]}"')
    assert mention["messageParameters"]["mention-guest1"] == {
        "type": "guest",
        "id": f"guest/{me['actorId']}",
        "name": "Golden Guest",
        "mention-id": f"guest/{me['actorId']}",
    }
    assert guest.post(f"{CHAT}/{token}/read").status_code == 404


def test_guest_mention_spam_is_limited(
    alice: TalkClient, guest: TalkClient, server: ServerProcess, reset_bruteforce: None
) -> None:
    token = public_room(alice)
    join(guest, token)
    for _ in range(50):
        send(guest, token, "ping @alice")
    blocked = guest.post(f"{CHAT}/{token}", json={"message": "ping @alice"})
    assert blocked.status_code == 429 and data(blocked) == {"error": "mentions"}
    # Messages without mentions still go through.
    send(guest, token, "no mention")


def test_read_only_rooms_refuse_messages(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob", readOnly=1)
    assert bob.post(f"{CHAT}/{token}", json={"message": "x"}).status_code == 403
    assert alice.post(f"{CHAT}/{token}", json={"message": "x"}).status_code == 403


def test_without_chat_permission_no_messages(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = group_room(alice, "bob")
    server.sql(
        "UPDATE attendees SET permissions = 127 WHERE actor_id = 'bob' AND room_id = "
        "(SELECT id FROM rooms WHERE token = :token)",
        token=token,
    )
    assert bob.post(f"{CHAT}/{token}", json={"message": "x"}).status_code == 403
    assert history(bob, token)


def test_mention_suggestions(alice: TalkClient) -> None:
    token = group_room(alice, "bob", "dave", name="Planning")
    response = alice.get(f"{CHAT}/{token}/mentions", params={"search": "bo", "limit": 20})
    assert response.status_code == 200
    assert data(response) == [{"id": "bob", "label": "Bob Brown", "source": "users", "mentionId": "bob"}]
    everyone = data(alice.get(f"{CHAT}/{token}/mentions", params={"search": ""}))
    assert everyone[0] == {
        "id": "all",
        "label": "Planning",
        "source": "calls",
        "mentionId": "all",
        "details": "All 3 participants",
    }
    assert [e["id"] for e in everyone[1:]] == ["bob", "dave"]
    assert len(data(alice.get(f"{CHAT}/{token}/mentions", params={"search": "", "limit": 1}))) == 1


def test_edit_returns_the_system_message_with_the_edited_parent(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    original = send(bob, token, "typo", referenceId="ref-1")
    response = bob.put(f"{CHAT}/{token}/{original['id']}", json={"message": "fixed @alice"})
    assert response.status_code == 200 and "X-Chat-Last-Common-Read" in response.headers
    edited = data(response)
    assert edited["systemMessage"] == "message_edited" and edited["message"] == "You edited a message"
    parent = edited["parent"]
    assert parent["id"] == original["id"] and parent["message"] == "fixed {mention-user1}"
    assert parent["referenceId"] == "ref-1" and parent["lastEditActorId"] == "bob"
    assert parent["lastEditActorType"] == "users" and parent["lastEditActorDisplayName"] == "Bob Brown"
    assert parent["lastEditTimestamp"] >= original["timestamp"]
    seen_by_alice = {m["id"]: m for m in history(alice, token)}
    assert seen_by_alice[edited["id"]]["message"] == "{actor} edited a message"
    assert seen_by_alice[original["id"]]["message"] == "fixed {mention-user1}"


def test_edit_rules(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = group_room(alice, "bob")
    alices = send(alice, token, "by alice")
    assert bob.put(f"{CHAT}/{token}/{alices['id']}", json={"message": "no"}).status_code == 403
    bobs = send(bob, token, "by bob")
    # A moderator may edit someone else's message in a group room.
    assert alice.put(f"{CHAT}/{token}/{bobs['id']}", json={"message": "moderated"}).status_code == 200
    system = history(alice, token)[-1]
    assert alice.put(f"{CHAT}/{token}/{system['id']}", json={"message": "x"}).status_code == 405
    assert alice.put(f"{CHAT}/{token}/999999999", json={"message": "x"}).status_code == 404
    empty = alice.put(f"{CHAT}/{token}/{alices['id']}", json={"message": " "})
    assert empty.status_code == 400 and data(empty) == {"error": "message"}
    server.sql("UPDATE messages SET created_at = created_at - 86401 WHERE id = :id", id=alices["id"])
    old = alice.put(f"{CHAT}/{token}/{alices['id']}", json={"message": "too late"})
    assert old.status_code == 400 and data(old) == {"error": "age"}


def test_delete_leaves_a_stub(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    message = send(bob, token, "oops", referenceId="ref-2")
    assert alice.delete(f"{CHAT}/{token}/{message['id']}").status_code == 200
    seen_by_bob = {m["id"]: m for m in history(bob, token)}
    stub = seen_by_bob[message["id"]]
    assert stub["messageType"] == "comment_deleted" and stub["deleted"] is True
    assert stub["message"] == "Message deleted by {actor}" and stub["messageParameters"]["actor"]["id"] == "alice"
    assert stub["referenceId"] == "ref-2" and stub["isReplyable"] is False
    own = send(bob, token, "mine")
    response = bob.delete(f"{CHAT}/{token}/{own['id']}")
    deleted = data(response)
    assert deleted["systemMessage"] == "message_deleted" and deleted["message"] == "You deleted a message"
    assert deleted["parent"]["message"] == "Message deleted by you" and deleted["parent"]["deleted"] is True
    assert {m["id"]: m for m in history(alice, token)}[own["id"]]["message"] == "Message deleted by author"
    assert bob.delete(f"{CHAT}/{token}/{own['id']}").status_code == 405
    system = history(alice, token)[-1]
    assert alice.delete(f"{CHAT}/{token}/{system['id']}").status_code == 405


def test_one_to_one_moderators_cannot_delete_others(alice: TalkClient, bob: TalkClient) -> None:
    created = alice.post(ROOM, json={"roomType": 1, "invite": "bob"})
    token = data(created)["token"]
    message = send(bob, token, "private")
    assert alice.delete(f"{CHAT}/{token}/{message['id']}").status_code == 403


def test_room_last_message_skips_reaction_and_edit_notices(alice: TalkClient) -> None:
    token = group_room(alice)
    message = send(alice, token, "keep me")
    alice.put(f"{CHAT}/{token}/{message['id']}", json={"message": "kept"})
    last: dict[str, Any] = room(alice, token)["lastMessage"]
    assert last["id"] == message["id"] and last["message"] == "kept" and "parent" not in last


def test_expiring_messages(alice: TalkClient, server: ServerProcess) -> None:
    token = group_room(alice, messageExpiration=3600)
    kept = send(alice, token, "kept")
    assert kept["expirationTimestamp"] == kept["timestamp"] + 3600
    gone = send(alice, token, "gone")
    server.sql("UPDATE messages SET expire_at = 1 WHERE id = :id", id=gone["id"])
    response = alice.get(
        f"{CHAT}/{token}", params={"lookIntoFuture": 1, "lastKnownMessageId": kept["id"], "timeout": 0}
    )
    # Expired messages are not shown, but the offset still moves past them.
    assert response.status_code == 200 and data(response) == []
    assert response.headers["X-Chat-Last-Given"] == str(gone["id"])
    assert gone["id"] not in [m["id"] for m in history(alice, token)]


def test_a_send_answers_the_common_read_marker_after_the_sender_has_read_its_message(
    alice: TalkClient, bob: TalkClient
) -> None:
    token = group_room(alice, "bob")

    def common_read_after(client: TalkClient, text: str) -> tuple[int, int]:
        response = client.post(f"{CHAT}/{token}", json={"message": text})
        assert response.status_code == 201
        return data(response)["id"], int(response.headers["X-Chat-Last-Common-Read"])

    first, common = common_read_after(alice, "first")
    assert common < first  # Bob has not read it
    second, common = common_read_after(bob, "second")
    assert common == first  # Alice has read up to her own message
    third, common = common_read_after(alice, "third")
    assert common == second
    assert common_read_after(bob, "fourth")[1] == third
    solo = group_room(alice)
    response = alice.post(f"{CHAT}/{solo}", json={"message": "alone"})
    assert response.headers["X-Chat-Last-Common-Read"] == str(data(response)["id"])


def test_changed_common_read_marker_turns_an_empty_poll_into_200(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    last = send(alice, token, "read me")
    common = int(alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).headers["X-Chat-Last-Common-Read"])
    assert common < last["id"]
    bob.post(f"{CHAT}/{token}/read")
    query = {"lookIntoFuture": 1, "lastKnownMessageId": last["id"], "timeout": 0, "lastCommonReadId": common}
    response = alice.get(f"{CHAT}/{token}", params=query)
    assert response.status_code == 200 and data(response) == []
    assert response.headers["X-Chat-Last-Common-Read"] == str(last["id"])
    query["lastCommonReadId"] = last["id"]
    assert alice.get(f"{CHAT}/{token}", params=query).status_code == 304


def test_lobby_keeps_non_moderators_out_of_the_chat(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob", lobbyState=1)
    assert bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 412
    assert bob.post(f"{CHAT}/{token}", json={"message": "let me in"}).status_code == 412
    assert send(alice, token, "moderators talk")["message"] == "moderators talk"


def test_guest_long_poll_sees_new_messages(alice: TalkClient, guest: TalkClient) -> None:
    token = public_room(alice)
    join(guest, token)
    last = history(guest, token)[0]["id"]
    sent = send(alice, token, "welcome")
    response = guest.get(f"{CHAT}/{token}", params={"lookIntoFuture": 1, "lastKnownMessageId": last, "timeout": 5})
    assert response.status_code == 200 and [m["id"] for m in data(response)] == [sent["id"]]


def test_absurd_ids_are_not_found(alice: TalkClient) -> None:
    token = group_room(alice)
    huge = "9" * 30
    assert alice.delete(f"{CHAT}/{token}/{huge}").status_code == 404
    assert alice.put(f"{CHAT}/{token}/{huge}", json={"message": "x"}).status_code == 404
    assert alice.get(f"apps/spreed/api/v1/reaction/{token}/{huge}").status_code == 404
    assert alice.post(f"{CHAT}/{token}", json={"message": "x", "replyTo": int(huge)}).status_code == 400
    response = alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 1, "timeout": 0, "lastKnownMessageId": huge})
    assert response.status_code == 304


def test_moderators_clear_the_history(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    message = send(bob, token, "soon gone @alice")
    assert bob.delete(f"{CHAT}/{token}").status_code == 403
    response = alice.delete(f"{CHAT}/{token}")
    assert response.status_code == 200
    cleared = data(response)
    assert cleared["systemMessage"] == "history_cleared"
    assert cleared["message"] == "You cleared the history of the conversation"
    seen = history(bob, token)
    assert [m["id"] for m in seen] == [cleared["id"]] and cleared["id"] > message["id"]
    assert seen[0]["message"] == "{actor} cleared the history of the conversation"
    after = room(alice, token)
    assert after["unreadMention"] is False and after["lastMessage"]["id"] == cleared["id"]


def test_remembered_credentials_stop_working_at_once_for_sends_and_polls(
    alice: TalkClient, server: ServerProcess, make_client: Any, reset_bruteforce: None
) -> None:
    # Sends and polls confirm remembered credentials inside their own transaction (with the room's
    # statement): a reset password or a deleted user is refused on the very next request, even for
    # a room that does not exist (401, not 404), and nothing is stored.
    for uid in ("hana", "ivan", "juno", "kato"):
        server.occ("user:add", "--password-from-env", uid, env={"OC_PASS": f"{uid}-first-pw"})
    token = group_room(alice, "hana", "ivan", "juno", "kato")
    hana, ivan, juno, kato = (make_client(uid, password=f"{uid}-first-pw") for uid in ("hana", "ivan", "juno", "kato"))
    send(hana, token, "hello from hana")
    send(ivan, token, "hello from ivan")
    send(kato, token, "hello from kato")
    assert juno.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 200
    for uid in ("hana", "juno", "kato"):
        server.occ("user:resetpassword", "--password-from-env", uid, env={"OC_PASS": f"{uid}-second-pw"})
    server.occ("user:delete", "ivan")
    assert hana.post(f"{CHAT}/{token}", json={"message": "old password"}).status_code == 401
    assert ivan.post(f"{CHAT}/{token}", json={"message": "deleted"}).status_code == 401
    assert juno.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 401
    assert kato.post(f"{CHAT}/no-such-room", json={"message": "old password"}).status_code == 401
    assert (
        make_client("hana", password="hana-second-pw").post(f"{CHAT}/{token}", json={"message": "new"}).status_code
        == 201
    )
    texts = [m["message"] for m in history(alice, token)]
    assert "new" in texts and "old password" not in texts and "deleted" not in texts

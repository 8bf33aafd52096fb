"""``chat/{token}/{messageId}/context``: what the web app and Desktop load when a conversation
opens (the messages around the last one read), with Talk's limits, headers and refusals."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.client import TalkClient, data
from tests.support.talk import CHAT, ROOM, group_room, join, public_room, send


def context(client: TalkClient, token: str, message_id: int, **query: object) -> tuple[int, list[int], dict[str, str]]:
    response = client.get(f"{CHAT}/{token}/{message_id}/context", params=query)
    if response.status_code != 200:
        return response.status_code, [], dict(response.headers)
    return 200, [m["id"] for m in data(response)], dict(response.headers)


def test_messages_before_and_after_in_order(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob", name="Context")
    ids = [send(alice, token, f"message {n}")["id"] for n in range(10)]
    status, found, headers = context(bob, token, ids[4], limit=2)
    assert status == 200 and found == ids[3:7]
    assert headers["x-chat-last-given"] == str(ids[6])
    # bob has not read anything: the common read marker is the conversation's start, not a message.
    assert int(headers["x-chat-last-common-read"]) < ids[0]
    # Without a limit: 50 on each side, so the whole short conversation from the given message on.
    status, found, _ = context(bob, token, ids[4])
    assert found[-6:] == ids[4:] and found[-10:] == ids
    # The last message read has nothing after it.
    assert context(bob, token, ids[-1], limit=3)[1] == ids[-3:]
    # The full message shape, as in the chat's pages.
    entry = data(bob.get(f"{CHAT}/{token}/{ids[0]}/context", params={"limit": 1}))[0]
    assert (entry["message"], entry["actorId"], entry["token"]) == ("message 0", "alice", token)


def test_limit_is_clamped_between_one_before_and_a_hundred(alice: TalkClient) -> None:
    token = group_room(alice, name="Long context")
    ids = [send(alice, token, f"line {n}")["id"] for n in range(103)]
    # limit=0 still reads the message itself, and nothing after it.
    assert context(alice, token, ids[50], limit=0)[1] == [ids[50]]
    assert context(alice, token, ids[50], limit=-5)[1] == [ids[50]]
    _, found, headers = context(alice, token, ids[1], limit=500)
    assert found[-101:] == ids[1:102]  # the message and at most 100 after it
    assert headers["x-chat-last-given"] == str(ids[101])


def test_nothing_to_show_answers_304(alice: TalkClient) -> None:
    token = group_room(alice, name="Context 304")
    response = alice.get(f"{CHAT}/{token}/0/context")
    assert response.status_code == 304 and response.content == b""


def test_refusals(alice: TalkClient, bob: TalkClient, carol: TalkClient, reset_bruteforce: None) -> None:
    token = group_room(alice, "bob", name="Context refusals")
    message = send(alice, token, "hello")["id"]
    assert context(carol, token, message)[0] == 404  # not a participant
    assert context(alice, "nosuchroom", message)[0] == 404
    assert alice.get(f"{CHAT}/{token}/abc/context").status_code == 404  # Talk's route wants digits
    assert alice.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 1}).status_code == 200
    assert context(bob, token, message)[0] == 412
    assert context(alice, token, message)[0] == 200  # moderators pass the lobby


def test_a_guest_of_a_public_conversation(alice: TalkClient, make_client: Callable[..., TalkClient]) -> None:
    token = public_room(alice, name="Open context")
    ids = [send(alice, token, f"public {n}")["id"] for n in range(4)]
    stranger = make_client()
    assert context(stranger, token, ids[1])[0] == 404  # not joined yet
    join(stranger, token)
    status, found, headers = context(stranger, token, ids[1], limit=1)
    assert status == 200 and found == ids[1:3]
    assert headers["x-chat-last-given"] == str(ids[2])
    assert "x-chat-last-common-read" in headers

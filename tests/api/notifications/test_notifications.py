"""Talk's notifications through the notifications app's API, as Talk Desktop polls them and the
mobile apps read them after a push: who is notified of what, the exact objects, the list's ETag,
and notifications going away when the chat is read, a message is deleted or the call is answered."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.support.client import TalkClient, data, meta
from tests.support.notifying import (
    CALL,
    CHAT,
    NOTIFICATIONS,
    ROOM,
    group_room,
    jobs_done,
    notifications_of,
    send,
)
from tests.support.server import ServerProcess

Fresh = Callable[[str], TalkClient]


def test_a_mention_notifies_the_mentioned_user_as_talk_does(server: ServerProcess, fresh_user: Fresh) -> None:
    alice, bob, carol = fresh_user("Alice"), fresh_user("Bob"), fresh_user("Carol")
    room = group_room(alice, "Project X", bob, carol)
    token = room["token"]
    sent = send(alice, token, f"Hi @{bob.user}, can you check?")
    jobs_done(server)

    [found] = notifications_of(bob, token)
    base = server.base_url
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", found.pop("datetime"))
    notification_id = found.pop("notification_id")
    icon_url = found["subjectRichParameters"]["call"]["icon-url"]
    assert icon_url.startswith(f"{base}/ocs/v2.php/apps/spreed/api/v1/room/{token}/avatar")
    assert found == {
        "app": "spreed",
        "user": bob.user,
        "object_type": "chat",
        "object_id": f"{token}/{sent['id']}",
        "subject": "Alice mentioned you in conversation Project X",
        "subjectRich": "{user} mentioned you in conversation {call}",
        "subjectRichParameters": {
            "user": {"type": "user", "id": alice.user, "name": "Alice"},
            "call": {
                "type": "call",
                "id": str(room["id"]),
                "name": "Project X",
                "call-type": "group",
                "icon-url": icon_url,
            },
        },
        "message": "Hi @Bob, can you check?",
        "messageRich": "Hi {mention-user1}, can you check?",
        "messageRichParameters": {
            "mention-user1": {"type": "user", "id": bob.user, "name": "Bob", "mention-id": bob.user}
        },
        "link": f"{base}/call/{token}#message_{sent['id']}",
        "icon": f"{base}/apps/spreed/img/app-dark.svg",
        "shouldNotify": True,
        "actions": [
            {"label": "View chat", "link": f"{base}/call/{token}#message_{sent['id']}", "type": "WEB", "primary": False}
        ],
    }
    one = bob.get(f"{NOTIFICATIONS}/{notification_id}")
    assert one.status_code == 200 and data(one)["object_id"] == f"{token}/{sent['id']}"
    # Nobody else: not the author, not Carol (mentions only, the default of a group conversation).
    assert notifications_of(alice, token) == [] and notifications_of(carol, token) == []
    # Another user's notification is not there for Alice.
    assert alice.get(f"{NOTIFICATIONS}/{notification_id}").status_code == 404
    # The icon the notification names is served.
    assert alice.http.get(found["icon"]).headers["content-type"].startswith("image/svg+xml")


def test_who_is_notified_follows_talks_rules(server: ServerProcess, fresh_user: Fresh) -> None:
    alice, bob, carol, dave = fresh_user("Alice"), fresh_user("Bob"), fresh_user("Carol"), fresh_user("Dave")
    token = group_room(alice, "Rules", bob, carol, dave)["token"]
    # Dave wants every message, Carol never wants anything.
    assert dave.post(f"{ROOM}/{token}/notify", json={"level": 1}).status_code == 200
    assert carol.post(f"{ROOM}/{token}/notify", json={"level": 3}).status_code == 200
    bobs = send(bob, token, "a question from Bob")
    send(alice, token, "an answer", replyTo=bobs["id"])
    send(alice, token, "@all meeting now")
    send(alice, token, f"@{alice.user} note to myself")
    send(alice, token, f"@{bob.user} quietly", silent=True)
    jobs_done(server)

    subjects = {
        who.user: sorted(n["subjectRich"] for n in notifications_of(who, token)) for who in (alice, bob, carol, dave)
    }
    assert subjects[bob.user] == [
        "{user} mentioned everyone in conversation {call}",
        "{user} replied to your message in conversation {call}",
    ]
    assert subjects[carol.user] == []  # never, not even for @all
    # Dave hears of every message of others once: Bob's as a message, the @all as a mention.
    assert subjects[dave.user] == [
        "{user} mentioned everyone in conversation {call}",
        "{user} sent a message in conversation {call}",
        "{user} sent a message in conversation {call}",
        "{user} sent a message in conversation {call}",
    ]
    assert subjects[alice.user] == []  # own messages, own mention


def test_group_mentions_notify_the_members_of_a_group_in_the_conversation(
    server: ServerProcess, alice: TalkClient, carol: TalkClient
) -> None:
    room = group_room(alice, "Team talk")
    token = room["token"]
    assert (
        alice.post(f"{ROOM}/{token}/participants", json={"newParticipant": "team", "source": "groups"}).status_code
        == 200
    )
    send(alice, token, 'Hello @"group/team"')
    jobs_done(server)
    [found] = notifications_of(carol, token)
    assert found["subjectRich"] == "{user} mentioned group {group} in conversation {call}"
    assert found["subjectRichParameters"]["group"] == {"type": "user-group", "id": "team", "name": "team"}


def test_one_to_one_messages_notify_unless_the_other_is_in_the_chat(server: ServerProcess, fresh_user: Fresh) -> None:
    alice, bob = fresh_user("Alice"), fresh_user("Bob")
    token = data(alice.post(ROOM, json={"roomType": 1, "invite": bob.user}))["token"]
    first = send(alice, token, "hello there")
    jobs_done(server)
    [found] = notifications_of(bob, token)
    assert (found["subject"], found["message"]) == ("Alice sent you a private message", "hello there")
    assert found["subjectRichParameters"]["call"]["call-type"] == "one2one"
    assert found["subjectRichParameters"]["call"]["name"] == "Alice"

    # Bob opens the conversation: while his session is alive, messages are no news to him.
    assert bob.post(f"{ROOM}/{token}/participants/active", json={"force": True}).status_code == 200
    send(alice, token, "are you reading this?")
    send(alice, token, f"@{bob.user} but a mention still notifies")
    jobs_done(server)
    subjects = [n["subjectRich"] for n in notifications_of(bob, token)]
    assert subjects == ["{user} mentioned you in a private conversation", "{user} sent you a private message"]
    assert [n["object_id"] for n in notifications_of(bob, token)][-1] == f"{token}/{first['id']}"


def test_desktop_polls_with_an_etag(server: ServerProcess, fresh_user: Fresh) -> None:
    alice, bob = fresh_user("Alice"), fresh_user("Bob")
    token = group_room(alice, "Polling", bob)["token"]
    send(alice, token, f"@{bob.user} first")
    jobs_done(server)

    first = bob.get(NOTIFICATIONS)
    assert first.status_code == 200 and len(data(first)) == 1
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first.headers["X-Nextcloud-User-Status"] == "online"

    unchanged = bob.get(NOTIFICATIONS, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["ETag"] == etag

    send(alice, token, f"@{bob.user} second")
    jobs_done(server)
    changed = bob.get(NOTIFICATIONS, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    newest, older = data(changed)
    assert newest["notification_id"] > older["notification_id"] and newest["message"].endswith("second")
    # Desktop holds back call pop-ups for a user who does not want to be disturbed.
    bob.put("apps/user_status/api/v1/user_status/status", json={"statusType": "dnd"})
    assert bob.get(NOTIFICATIONS).headers["X-Nextcloud-User-Status"] == "dnd"


def test_reading_the_chat_dismisses_its_notifications(server: ServerProcess, fresh_user: Fresh) -> None:
    alice, bob = fresh_user("Alice"), fresh_user("Bob")
    token = group_room(alice, "Reading", bob)["token"]
    one = send(alice, token, f"@{bob.user} one")
    two = send(alice, token, f"@{bob.user} two")
    jobs_done(server)
    assert len(notifications_of(bob, token)) == 2
    # Reading up to the first message dismisses the notification about it, not the newer one.
    assert bob.post(f"{CHAT}/{token}/read", json={"lastReadMessage": one["id"]}).status_code == 200
    assert [n["object_id"] for n in notifications_of(bob, token)] == [f"{token}/{two['id']}"]
    # Polling the chat (Talk's markNotificationsAsRead) dismisses the rest.
    polled = bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 1, "lastKnownMessageId": two["id"], "timeout": 0})
    assert polled.status_code == 304
    assert notifications_of(bob, token) == []


def test_opening_a_conversation_at_its_context_dismisses_its_notifications(
    server: ServerProcess, fresh_user: Fresh
) -> None:
    alice, bob = fresh_user("Alice"), fresh_user("Bob")
    token = group_room(alice, "Context", bob)["token"]
    mention = send(alice, token, f"@{bob.user} look")
    jobs_done(server)
    assert len(notifications_of(bob, token)) == 1
    # limit=0 reads no messages after the given one, so nothing counts as seen (as in Talk).
    assert bob.get(f"{CHAT}/{token}/{mention['id']}/context", params={"limit": 0}).status_code == 200
    assert len(notifications_of(bob, token)) == 1
    # What the web app does when it opens the conversation.
    assert bob.get(f"{CHAT}/{token}/{mention['id']}/context", params={"limit": 50}).status_code == 200
    assert notifications_of(bob, token) == []


def test_a_deleted_message_takes_its_notification_along(server: ServerProcess, fresh_user: Fresh) -> None:
    alice, bob = fresh_user("Alice"), fresh_user("Bob")
    token = group_room(alice, "Deleting", bob)["token"]
    sent = send(alice, token, f"@{bob.user} oops")
    jobs_done(server)
    [found] = notifications_of(bob, token)
    assert alice.delete(f"{CHAT}/{token}/{sent['id']}").status_code == 200
    assert notifications_of(bob, token) == []
    assert bob.get(f"{NOTIFICATIONS}/{found['notification_id']}").status_code == 404


def test_deleting_and_checking_notifications(server: ServerProcess, fresh_user: Fresh) -> None:
    alice, bob = fresh_user("Alice"), fresh_user("Bob")
    token = group_room(alice, "Cleaning", bob)["token"]
    for text in ("one", "two", "three"):
        send(alice, token, f"@{bob.user} {text}")
    jobs_done(server)
    ids = [n["notification_id"] for n in notifications_of(bob)]
    assert len(ids) == 3
    assert data(bob.delete(f"{NOTIFICATIONS}/{ids[0]}")) == []
    assert data(bob.delete(f"{NOTIFICATIONS}/{ids[0]}")) == []  # already gone: still fine
    assert data(bob.post(f"{NOTIFICATIONS}/exists", json={"ids": [*ids, 999999]})) == sorted(ids[1:])
    too_many = bob.post(f"{NOTIFICATIONS}/exists", json={"ids": list(range(1, 202))})
    assert too_many.status_code == 400
    assert data(bob.delete(NOTIFICATIONS)) == []
    assert notifications_of(bob) == []
    assert meta(bob.get(f"{NOTIFICATIONS}/0"))["statuscode"] == 404


def test_a_started_call_notifies_who_is_not_in_it(server: ServerProcess, fresh_user: Fresh) -> None:
    alice, bob, carol, dave = fresh_user("Alice"), fresh_user("Bob"), fresh_user("Carol"), fresh_user("Dave")
    one_to_one = data(alice.post(ROOM, json={"roomType": 1, "invite": bob.user}))["token"]
    group = group_room(alice, "Standup", carol, dave)["token"]
    assert dave.post(f"{ROOM}/{group}/notify-calls", json={"level": 0}).status_code == 200
    for token in (one_to_one, group):
        assert alice.post(f"{ROOM}/{token}/participants/active", json={"force": True}).status_code == 200
        assert alice.post(f"{CALL}/{token}", json={"flags": 3}).status_code == 200
    jobs_done(server)

    base = server.base_url
    [ringing] = notifications_of(bob, one_to_one)
    assert (ringing["object_type"], ringing["object_id"]) == ("call", one_to_one)
    assert (ringing["subject"], ringing["subjectRich"]) == (
        "Alice would like to talk with you",
        "{user} would like to talk with you",
    )
    assert ringing["subjectRichParameters"]["user"] == {"type": "user", "id": alice.user, "name": "Alice"}
    assert ringing["subjectRichParameters"]["call"]["call-type"] == "one2one"
    assert ringing["actions"] == [
        {"label": "Answer call", "link": f"{base}/call/{one_to_one}#direct-call", "type": "WEB", "primary": True}
    ]
    assert (ringing["message"], ringing["messageRich"], ringing["messageRichParameters"]) == ("", "", [])
    [started] = notifications_of(carol, group)
    assert started["subject"] == "A group call has started in Standup"
    assert started["actions"][0]["label"] == "Join call"
    assert notifications_of(dave, group) == []  # call notifications off
    assert notifications_of(alice) == []  # the caller

    # Carol answers: her notification goes. Alice hangs up on Bob: his becomes a missed call.
    assert carol.post(f"{ROOM}/{group}/participants/active", json={"force": True}).status_code == 200
    assert carol.post(f"{CALL}/{group}", json={"flags": 3}).status_code == 200
    assert notifications_of(carol, group) == []
    assert alice.delete(f"{CALL}/{one_to_one}").status_code == 200
    [missed] = notifications_of(bob, one_to_one)
    assert missed["subject"] == "You missed a call from Alice"
    assert missed["actions"] == [
        {"label": "Call back", "link": f"{base}/call/{one_to_one}", "type": "WEB", "primary": True}
    ]

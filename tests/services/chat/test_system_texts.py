"""System messages put into Talk's words for each viewer."""

from __future__ import annotations

from typing import Any

import pytest

from causerie.services.chat.format import actor_param
from causerie.services.chat.system_texts import TextContext, duration, render

NAMES = {"alice": "Alice Adams", "bob": "Bob Brown", "carol": "Carol Clark", "dave": "Dave Davis", "eve": "Eve"}


def ctx(viewer: str | None, actor: str = "alice", *, room_type: int = 2, actor_type: str = "users") -> TextContext:
    def user(uid: str) -> dict[str, Any]:
        return {"type": "user", "id": uid, "name": NAMES[uid], "mention-id": uid}

    return TextContext(
        actor=actor_param(actor_type, actor, NAMES.get(actor, "")),
        viewer_type="users" if viewer else None,
        viewer_id=viewer,
        room_type=room_type,
        room_name='["alice","bob"]',
        room_token="abcd2345",
        silent=False,
        user=user,
        group=lambda gid: {"type": "group", "id": gid, "name": gid, "mention-id": f"user-group/{gid}"},
        guest=lambda t, i: actor_param(t, i, ""),
    )


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (45, "0:45"), (1823, "30:23"), (3723, "1:02:03")])
def test_duration(seconds: int, text: str) -> None:
    assert duration(seconds) == text


def test_you_someone_and_you_as_object() -> None:
    assert render("user_added", {"user": "bob"}, ctx("alice"))[0] == "You added {user}"
    assert render("user_added", {"user": "bob"}, ctx("bob"))[0] == "{actor} added you"
    assert render("user_added", {"user": "bob"}, ctx("carol"))[0] == "{actor} added {user}"
    assert render("user_removed", {"user": "alice"}, ctx("bob"))[0] == "{actor} left the conversation"
    text, params, name = render("conversation_renamed", {"oldName": "a", "newName": "b"}, ctx("alice"))
    assert (text, list(params), name) == ('You renamed the conversation from "a" to "b"', ["actor"], name)


def test_cli_actor_reads_as_an_administrator() -> None:
    cli = ctx("bob", "cli", actor_type="guests")
    assert render("read_only", {}, cli)[0] == "An administrator locked the conversation"
    assert cli.actor == {"type": "guest", "id": "guest/cli", "name": "Administration", "mention-id": "guest/cli"}


def test_call_ended_lists_users_and_guests() -> None:
    text, params, _ = render("call_ended", {"users": ["bob", "alice"], "guests": 0, "duration": 5}, ctx("alice"))
    assert text == "Call with {user1} and {user2} ended (Duration 0:05)"
    assert params["user1"]["id"] == "alice" and params["user2"]["id"] == "bob"
    text, _, _ = render("call_ended", {"users": ["alice"], "guests": 2, "duration": 61}, ctx("bob"))
    assert text == "Call with {user1} and 2 guests ended (Duration 1:01)"
    many = {"users": ["alice", "bob", "carol", "dave", "eve"], "guests": 1, "duration": 0}
    text, params, _ = render("call_ended", many, ctx("bob"))
    assert text == "Call with {user1}, {user2}, {user3}, {user4} and 2 others ended (Duration 0:00)"
    assert "user5" not in params
    text, _, _ = render("call_ended_everyone", {"users": ["alice", "bob"], "guests": 0, "duration": 0}, ctx("bob"))
    assert text == "{actor} ended the call with {user1} (Duration 0:00)"
    assert render("call_ended", many, ctx("bob", room_type=1))[0] == "Call ended (Duration 0:00)"


def test_one_to_one_calls_and_missed_calls() -> None:
    assert render("call_started", {}, ctx("alice", room_type=1))[0] == "Outgoing call"
    assert render("call_started", {}, ctx("bob", room_type=1))[0] == "Incoming call"
    assert render("call_started", {}, ctx("bob"))[0] == "{actor} started a call"
    text, params, name = render("call_missed", {"users": ["alice"]}, ctx("bob", room_type=1))
    assert (text, name, params["user"]["id"]) == ("Missed call", "call_missed", "alice")
    text, params, name = render("call_missed", {"users": ["alice"]}, ctx("alice", room_type=1))
    assert (text, name, params["user"]["id"]) == ("Unanswered call", "call_tried", "bob")

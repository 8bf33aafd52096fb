"""Export of a conversation (JSON, Markdown, HTML) for its participants, and ``occ talk:import``
of the JSON on another server: the round trip gives the same document back."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fresh_postgres_database
from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess
from tests.support.server import test_database_kind as database_kind
from tests.support.talk import CHAT, REACTION, ROOM, group_room, join, public_room, send

EXPORT = "apps/causerie/api/v1/room/{}/export/{}"


def exported(client: TalkClient, token: str, kind: str = "json") -> dict[str, Any]:
    response = client.get(EXPORT.format(token, kind))
    assert response.status_code == 200, response.text
    return dict(data(response))


def busy_conversation(alice: TalkClient, bob: TalkClient, guest: TalkClient) -> str:
    """A conversation with a bit of everything: mentions, a reply, reactions, an edit, a deletion,
    a guest who wrote and left, system messages."""
    token = public_room(alice, "bob", name="Launch <planning>")
    first = send(alice, token, "hello @bob, is **it** ready? <script>alert(1)</script>")
    reply = send(bob, token, "yes & more", replyTo=first["id"])
    assert bob.post(f"{REACTION}/{token}/{first['id']}", json={"reaction": "👍"}).status_code == 201
    assert alice.post(f"{REACTION}/{token}/{reply['id']}", json={"reaction": "🎉"}).status_code == 201
    edited = send(alice, token, "a tpyo")
    assert alice.put(f"{CHAT}/{token}/{edited['id']}", json={"message": "a typo, fixed"}).status_code == 200
    gone = send(bob, token, "never mind")
    assert bob.delete(f"{CHAT}/{token}/{gone['id']}").status_code == 200
    join(guest, token)
    assert guest.post(f"apps/spreed/api/v1/guest/{token}/name", json={"displayName": "Gina"}).status_code == 200
    send(guest, token, "a guest was here")
    assert guest.delete(f"{ROOM}/{token}/participants/active").status_code == 200
    return token


def normalised(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its server-given ids replaced by their order: what an import keeps."""
    order = {m["id"]: n for n, m in enumerate(document["messages"])}
    copy = json.loads(json.dumps(document))
    copy["conversation"]["token"] = "TOKEN"
    for message in copy["messages"]:
        message["id"] = order[message["id"]]
        message["parentId"] = order.get(message["parentId"], message["parentId"])
    for reaction in copy["reactions"]:
        reaction["messageId"] = order[reaction["messageId"]]
    return copy


def test_the_json_document_keeps_everything(alice: TalkClient, bob: TalkClient, guest: TalkClient) -> None:
    token = busy_conversation(alice, bob, guest)
    answer = exported(alice, token)
    assert answer["filename"] == f"conversation-{token}.json" and answer["mimetype"] == "application/json"
    document = answer["content"]
    assert document["format"] == "causerie-conversation" and document["version"] == 1
    assert document["conversation"]["name"] == "Launch <planning>" and document["conversation"]["type"] == 3
    assert [(p["actorType"], p["actorId"], p["participantType"]) for p in document["participants"]] == [
        ("users", "alice", 1),
        ("users", "bob", 3),
    ]
    by_text = {m["message"]: m for m in document["messages"]}
    first = by_text["hello {mention-user1}, is **it** ready? <script>alert(1)</script>"]
    assert first["parameters"]["mention-user1"]["id"] == "bob"
    assert by_text["yes & more"]["parentId"] == first["id"]
    assert by_text["a typo, fixed"]["lastEdit"]["actorId"] == "alice"
    assert by_text["a guest was here"]["actorType"] == "guests"
    assert any(m["messageType"] == "comment_deleted" for m in document["messages"])
    assert {m["systemMessage"] for m in document["messages"]} >= {
        "conversation_created", "user_added", "reaction", "message_edited", "message_deleted",
    }  # fmt: skip
    assert sorted((r["reaction"], r["actorId"]) for r in document["reactions"]) == [("🎉", "alice"), ("👍", "bob")]


def test_markdown_and_html_are_readable_and_escaped(alice: TalkClient, bob: TalkClient, guest: TalkClient) -> None:
    token = busy_conversation(alice, bob, guest)
    markdown = exported(alice, token, "markdown")
    assert markdown["mimetype"].startswith("text/markdown")
    text = markdown["content"]
    assert text.startswith("# Launch &lt;planning&gt;\n")
    assert "**Alice Adams** ·" in text and "**Gina (guest)** ·" in text
    assert r"hello @Bob Brown, is \*\*it\*\* ready? &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text
    assert "👍 1" in text and "a typo, fixed" in text and "a tpyo" not in text
    assert "*Alice Adams created the conversation*" in text
    page = exported(alice, token, "html")["content"]
    assert page.startswith("<!DOCTYPE html>") and "<title>Launch &lt;planning&gt;</title>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "yes &amp; more" in page and '<div class="reply">Alice Adams: hello @Bob Brown' in page


def test_only_participants_export(alice: TalkClient, carol: TalkClient) -> None:
    token = group_room(alice)
    assert carol.get(EXPORT.format(token, "json")).status_code == 404
    assert alice.get(EXPORT.format(token, "pdf")).status_code == 400
    assert alice.get(EXPORT.format("nosuchroom", "json")).status_code == 404


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    if database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        yield from fresh_postgres_database()


def test_round_trip_through_a_fresh_server(
    alice: TalkClient, bob: TalkClient, guest: TalkClient, server: ServerProcess, fresh_database: str,
    tmp_path: Path, make_client: Callable[..., TalkClient],
) -> None:  # fmt: skip
    token = busy_conversation(alice, bob, guest)
    original = exported(alice, token)["content"]
    saved = tmp_path / "export.json"
    # What an operator does: occ on the old server, occ on the new one.
    saved.write_text(server.occ("talk:export", token).stdout)
    assert json.loads(saved.read_text()) == original
    (tmp_path / "fresh").mkdir()
    fresh = ServerProcess(tmp_path / "fresh", fresh_database)
    fresh.seed()
    imported = fresh.occ("talk:import", str(saved))
    new_token = imported.stdout.strip().rsplit(" ", 1)[-1]
    # Nobody was left out (occ's only other line on stderr names the database it used).
    assert new_token != token and "Not a participant" not in imported.stderr
    fresh.start()
    try:
        there = TalkClient(fresh.base_url, "alice")
        again = exported(there, new_token)["content"]
        assert normalised(again) == normalised(original)
        # The imported history is a conversation like any other: listed, searchable, readable.
        assert new_token in [r["token"] for r in data(there.get(ROOM))]
        found = data(there.get("search/providers/talk-message/search", params={"term": "typo"}))["entries"]
        assert [e["attributes"]["conversation"] for e in found] == [new_token]
        assert exported(there, new_token, "markdown")["content"] == exported(alice, token, "markdown")["content"]
        there.close()
    finally:
        fresh.stop()


def test_unknown_users_keep_their_messages_but_do_not_join(
    alice: TalkClient, server: ServerProcess, tmp_path: Path
) -> None:
    document = {
        "format": "causerie-conversation",
        "version": 1,
        "conversation": {"token": "elsewhere", "type": 2, "name": "From afar", "createdAt": 1700000000},
        "participants": [
            {"actorType": "users", "actorId": "alice", "displayName": "Alice Adams", "participantType": 1,
             "permissions": 0},
            {"actorType": "users", "actorId": "zoe", "displayName": "Zoe Zed", "participantType": 3,
             "permissions": 0},
        ],
        "messages": [
            {"id": 7, "actorType": "users", "actorId": "zoe", "actorDisplayName": "Zoe Zed", "messageType": "comment",
             "systemMessage": "", "message": "hi from zoe", "parameters": {}, "parentId": None, "referenceId": "",
             "silent": False, "createdAt": 1700000001, "expireAt": None, "lastEdit": None},
        ],
        "reactions": [],
    }  # fmt: skip
    path = tmp_path / "afar.json"
    path.write_text(json.dumps(document))
    result = server.occ("talk:import", str(path))
    token = result.stdout.strip().rsplit(" ", 1)[-1]
    assert "users/zoe" in result.stderr
    [message] = [m for m in data(alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}))]
    assert (message["actorId"], message["actorDisplayName"], message["message"]) == ("zoe", "Zoe Zed", "hi from zoe")
    participants = data(alice.get(f"{ROOM}/{token}/participants"))
    assert [p["actorId"] for p in participants] == ["alice"]


def test_import_refuses_what_is_not_an_export(server: ServerProcess, tmp_path: Path) -> None:
    for content in (
        "not json",
        "[]",
        json.dumps({"format": "other"}),
        json.dumps({"format": "causerie-conversation", "version": 9}),
    ):
        path = tmp_path / "bad.json"
        path.write_text(content)
        result = server.occ("talk:import", str(path), check=False)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr

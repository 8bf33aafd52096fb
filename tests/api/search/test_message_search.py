"""Talk's unified search providers over HTTP: what a user finds, in which order and pages, and
what stays hidden (other people's conversations, ones the user left or was removed from, deleted
and edited-away text, system messages)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess
from tests.support.talk import CHAT, ROOM, group_room, send

SEARCH = "search/providers/{}/search"
ALL = "talk-message"
CURRENT = "talk-message-current"
ENTRY_KEYS = ["thumbnailUrl", "title", "subline", "resourceUrl", "icon", "rounded", "attributes"]


def word() -> str:
    """A word no other test's messages hold (the server and its database are shared)."""
    return "w" + uuid.uuid4().hex[:12]


def search(client: TalkClient, term: str, provider: str = ALL, **query: Any) -> dict[str, Any]:
    response = client.get(SEARCH.format(provider), params={"term": term, **query})
    assert response.status_code == 200, response.text
    return dict(data(response))


def found_ids(client: TalkClient, term: str, provider: str = ALL, **query: Any) -> list[int]:
    return [int(e["attributes"]["messageId"]) for e in search(client, term, provider, **query)["entries"]]


def test_a_message_is_found_with_nextclouds_result_shape(
    alice: TalkClient, bob: TalkClient, server: ServerProcess
) -> None:
    token = group_room(alice, "bob", name="Deploys")
    key = word()
    sent = send(bob, token, f"the deploy {key} is done, can you check?")
    result = search(alice, key, limit=5)
    assert result["name"] == "Messages" and result["isPaginated"] is True and result["cursor"] == 5
    [entry] = result["entries"]
    assert list(entry) == ENTRY_KEYS
    base = server.base_url.rstrip("/")
    assert entry == {
        "thumbnailUrl": f"{base}/avatar/bob/512",
        "title": "Bob Brown in Deploys",
        "subline": f"the deploy {key} is done, can you check?",
        "resourceUrl": f"{base}/call/{token}#message_{sent['id']}",
        "icon": "icon-talk",
        "rounded": True,
        "attributes": {
            "conversation": token,
            "messageId": str(sent["id"]),
            "actorType": "users",
            "actorId": "bob",
            "timestamp": str(sent["timestamp"]),
        },
    }


def test_words_match_whole_in_any_case_and_order_the_last_as_a_prefix(alice: TalkClient) -> None:
    token = group_room(alice)
    key = word()
    sent = send(alice, token, f"Release notes for {key.upper()} are ready")
    send(alice, token, "release without the key")
    assert found_ids(alice, f"RELEASE {key[:8]}") == [sent["id"]]
    assert found_ids(alice, f"{key} release") == [sent["id"]]
    assert found_ids(alice, f"relea {key}") == []
    assert found_ids(alice, f"{key} absentword") == []


def test_mentions_are_found_by_name_and_placeholders_are_not_words(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    key = word()
    sent = send(alice, token, f"@bob look at {key}")
    assert found_ids(alice, f"{key} brown", CURRENT, **{"from": f"/call/{token}"}) == [sent["id"]]
    assert found_ids(alice, f"{key} mention", CURRENT, **{"from": f"/call/{token}"}) == []
    [entry] = search(alice, key)["entries"]
    assert entry["subline"] == f"@Bob Brown look at {key}"


def test_a_long_text_is_cut_before_the_match(alice: TalkClient) -> None:
    token = group_room(alice)
    key = word()
    send(alice, token, f"{'a lot of words before it, ' * 3}then {key} at last")
    [entry] = search(alice, key)["entries"]
    assert entry["subline"] == f"… it, then {key} at last"


def test_strangers_never_find_a_conversations_messages(alice: TalkClient, carol: TalkClient) -> None:
    token = group_room(alice)
    key = word()
    send(alice, token, f"secret {key}")
    assert found_ids(alice, key) != []
    assert found_ids(carol, key) == []
    assert search(carol, key, CURRENT, **{"from": f"/call/{token}"}) == {
        "name": "Messages in current conversation",
        "isPaginated": False,
        "entries": [],
        "cursor": None,
    }


def test_leaving_or_being_removed_hides_the_conversation(alice: TalkClient, bob: TalkClient, carol: TalkClient) -> None:
    token = group_room(alice, "bob", "carol")
    key = word()
    send(alice, token, f"before anyone left {key}")
    assert len(found_ids(bob, key)) == 1 and len(found_ids(carol, key)) == 1
    assert bob.delete(f"{ROOM}/{token}/participants/self").status_code == 200
    participants = data(alice.get(f"{ROOM}/{token}/participants"))
    carol_attendee = next(p["attendeeId"] for p in participants if p["actorId"] == "carol")
    removed = alice.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": carol_attendee})
    assert removed.status_code == 200, removed.text
    assert found_ids(bob, key) == [] and found_ids(carol, key) == []
    assert search(bob, key, CURRENT, **{"from": f"/call/{token}"})["entries"] == []
    assert len(found_ids(alice, key)) == 1


def test_deleted_and_edited_away_text_is_gone_and_new_text_is_found(alice: TalkClient) -> None:
    token = group_room(alice)
    old, new, gone = word(), word(), word()
    edited = send(alice, token, f"first draft {old}")
    deleted = send(alice, token, f"regrettable {gone}")
    assert alice.put(f"{CHAT}/{token}/{edited['id']}", json={"message": f"second draft {new}"}).status_code == 200
    assert alice.delete(f"{CHAT}/{token}/{deleted['id']}").status_code == 200
    assert found_ids(alice, old) == []
    assert found_ids(alice, new) == [edited["id"]]
    assert found_ids(alice, gone) == []


def test_clearing_the_history_empties_the_results(alice: TalkClient) -> None:
    token = group_room(alice)
    key = word()
    send(alice, token, f"soon cleared {key}")
    assert alice.delete(f"{CHAT}/{token}").status_code == 200
    assert found_ids(alice, key) == []


def test_system_messages_are_not_searched(alice: TalkClient) -> None:
    name = word()
    group_room(alice, name=name)  # "You created the conversation" names it
    assert found_ids(alice, name) == []


def test_results_are_paged_by_cursor_best_first(alice: TalkClient) -> None:
    token = group_room(alice)
    key = word()
    ids = [send(alice, token, f"{key} number {n} with some padding words")["id"] for n in range(4)]
    best = send(alice, token, f"{key} {key}")["id"]
    first = search(alice, key, limit=2)
    assert first["cursor"] == 2
    second = search(alice, key, limit=2, cursor=first["cursor"])
    third = search(alice, key, limit=2, cursor=second["cursor"])
    pages = [int(e["attributes"]["messageId"]) for r in (first, second, third) for e in r["entries"]]
    # The message that is all key ranks first; the others, alike, newest first.
    assert pages == [best, *reversed(ids)]
    assert third["cursor"] == 6 and len(third["entries"]) == 1


def test_current_conversation_alone_and_left_out_of_the_global_search(alice: TalkClient) -> None:
    here, there = group_room(alice), group_room(alice)
    key = word()
    in_here = send(alice, here, f"here {key}")["id"]
    in_there = send(alice, there, f"there {key}")["id"]
    assert found_ids(alice, key, CURRENT, **{"from": f"/call/{here}"}) == [in_here]
    assert found_ids(alice, key, CURRENT, **{"from": f"/index.php/call/{there}?x=1"}) == [in_there]
    assert found_ids(alice, key, ALL, **{"from": f"/call/{here}"}) == [in_there]
    assert sorted(found_ids(alice, key)) == sorted([in_here, in_there])
    [entry] = search(alice, key, CURRENT, **{"from": f"/call/{here}"})["entries"]
    assert entry["title"] == "Alice Adams"


def test_a_conversation_behind_the_lobby_is_not_searched(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    key = word()
    send(alice, token, f"behind the lobby {key}")
    assert alice.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 1}).status_code == 200
    assert found_ids(bob, key) == []
    assert len(found_ids(alice, key)) == 1


@pytest.mark.parametrize("term", ["", "   "])
def test_a_blank_term_is_refused(alice: TalkClient, term: str) -> None:
    response = alice.get(SEARCH.format(ALL), params={"term": term})
    assert response.status_code == 400


def test_hostile_terms_find_nothing_and_fail_nothing(alice: TalkClient) -> None:
    for term in ['"', "'", "*", "a OR b", "NEAR(x y)", "x:*", "\\", "!!!", "é" * 300, "x" * 5000, "col:word"]:
        response = alice.get(SEARCH.format(ALL), params={"term": term})
        assert response.status_code == 200, (term, response.text)


def test_providers_are_listed(alice: TalkClient) -> None:
    listed = data(alice.get("search/providers", params={"from": "/call/abc"}))
    assert [p["id"] for p in listed] == [ALL, CURRENT]
    assert [p["id"] for p in data(alice.get("search/providers"))] == [ALL]


def test_unknown_provider_and_anonymous_callers(alice: TalkClient, guest: TalkClient) -> None:
    assert alice.get(SEARCH.format("files"), params={"term": "x"}).status_code == 404
    assert guest.get(SEARCH.format(ALL), params={"term": "x"}).status_code == 401


def test_paging_past_the_ranked_window_shows_every_match_once(alice: TalkClient) -> None:
    token = group_room(alice)
    key = word()
    # More matches than the relevance window (storage.search.messages.RANKED, 100) holds.
    sent = [send(alice, token, f"{key} {n}" + " filler" * (n % 3))["id"] for n in range(112)]
    seen: list[int] = []
    cursor = 0
    while True:
        page = search(alice, key, CURRENT, limit=25, cursor=cursor, **{"from": f"/call/{token}"})
        ids = [int(e["attributes"]["messageId"]) for e in page["entries"]]
        if not ids:
            break
        seen += ids
        cursor = page["cursor"]
    assert sorted(seen) == sorted(sent) and len(seen) == len(set(seen))
    # Beyond the window, the oldest matches come last, newest first.
    assert seen[-12:] == sorted(sent[:12], reverse=True)

"""Hostile request bodies, queries and paths get an OCS answer, never a server error.

Each case here once answered 500: a legacy ``invite`` with an unknown ``source``, lone UTF-16
surrogates in JSON strings, nesting thousands of levels deep, and integers longer than Python's
4,300-digit conversion limit. They are answered by the parameter layer as PHP would read them
(``http/params.py``, ``services/client_json.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest

from tests.support.client import TalkClient, data, meta
from tests.support.server import ServerProcess, password_of
from tests.support.talk import CHAT, REACTION, ROOM, group_room, history, join, public_room, send

SIGNALING = "apps/spreed/api/v3/signaling"
HUGE = "7" * 5000  # past int()'s 4,300 digits
INVALID_JSON = "The request body is not valid JSON"
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def raw(make_client: Callable[..., TalkClient]) -> TalkClient:
    """Alice, without the OpenAPI check: Talk ignores a body it cannot decode, Causerie says so."""
    return make_client("alice", validate=False)


def _lone(text: str) -> bytes:
    """JSON text as written, its ``\\uXXXX`` escapes included."""
    return text.encode()


# --- legacy invite ----------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["bogus", "emails"])
def test_a_legacy_invite_names_a_group_whatever_the_source(alice: TalkClient, source: str) -> None:
    # Talk's createRoom: source "circles" invites a team, any other source the group ``invite``.
    response = alice.post(ROOM, json={"roomType": 2, "invite": "team", "source": source})
    assert response.status_code == 201, response.text
    room = data(response)
    assert room["name"] == "Team"
    members = {p["actorId"] for p in data(alice.get(f"{ROOM}/{room['token']}/participants"))}
    assert {"alice", "carol", "dave"} <= members


def test_a_legacy_invite_of_an_unknown_group_is_404_whatever_the_source(alice: TalkClient) -> None:
    response = alice.post(ROOM, json={"roomType": 2, "invite": "no-such-group", "source": "bogus"})
    assert response.status_code == 404
    assert data(response) == {"error": "invite"}


# --- lone surrogates ----------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_room_name_is_invalid_json(raw: TalkClient) -> None:
    for body in (r'{"roomType": 2, "roomName": "a\ud800b"}', r'{"roomType": 2, "roomName": "a\uDFFF"}'):
        response = raw.post(ROOM, content=_lone(body), headers=JSON)
        assert response.status_code == 400, body
        assert meta(response)["message"] == INVALID_JSON


def test_a_surrogate_encoded_as_utf8_bytes_is_invalid_json(raw: TalkClient) -> None:
    # Python's json.loads decodes bytes with "surrogatepass"; json_decode wants strict UTF-8.
    response = raw.post(ROOM, content=b'{"roomType": 2, "roomName": "a\xed\xa0\x80"}', headers=JSON)
    assert response.status_code == 400
    assert meta(response)["message"] == INVALID_JSON


def test_a_lone_surrogate_in_a_key_is_invalid_json(raw: TalkClient) -> None:
    response = raw.post(ROOM, content=_lone(r'{"roomType": 2, "roomName": "Keys", "\udfff": 1}'), headers=JSON)
    assert response.status_code == 400
    assert meta(response)["message"] == INVALID_JSON


def test_a_lone_surrogate_in_a_chat_message_or_a_rename_is_refused_and_nothing_changes(
    alice: TalkClient, raw: TalkClient
) -> None:
    token = group_room(alice, name="Surrogates")
    before = [m["id"] for m in history(alice, token)]
    sent = raw.post(f"{CHAT}/{token}", content=_lone(r'{"message": "hi \ud83d"}'), headers=JSON)
    assert sent.status_code == 400
    assert meta(sent)["message"] == INVALID_JSON
    renamed = raw.put(f"{ROOM}/{token}", content=_lone(r'{"roomName": "\udc00"}'), headers=JSON)
    assert renamed.status_code == 400
    assert [m["id"] for m in history(alice, token)] == before
    assert data(alice.get(f"{ROOM}/{token}"))["name"] == "Surrogates"


def test_a_surrogate_pair_is_one_character(alice: TalkClient) -> None:
    token = group_room(alice, name="Pairs")
    response = alice.post(f"{CHAT}/{token}", content=_lone(r'{"message": "hi \ud83d\ude00"}'), headers=JSON)
    assert response.status_code == 201, response.text
    assert data(response)["message"] == "hi \U0001f600"


def test_a_lone_surrogate_in_a_guest_name_is_refused(alice: TalkClient, guest: TalkClient) -> None:
    token = public_room(alice, name="Guests")
    join(guest, token)
    response = guest.http.post(
        f"/ocs/v2.php/apps/spreed/api/v1/guest/{token}/name",
        content=_lone(r'{"displayName": "G\ud800"}'),
        headers=JSON,
    )
    assert response.status_code == 400
    assert meta(response)["message"] == INVALID_JSON


def test_a_lone_surrogate_in_json_held_by_a_parameter_is_refused(raw: TalkClient) -> None:
    participants = json.dumps({"users": ["bob\ud800"]})  # as a form field, as some clients send it
    response = raw.post(
        ROOM, content=f"roomType=2&roomName=P&participants={quote(participants)}".encode(), headers=FORM
    )
    assert response.status_code == 400
    assert data(response) == {"error": "participants"}
    token = group_room(raw, name="Signals")
    messages = json.dumps([{"ev": "message", "fn": "{}", "sessionId": "\udfff"}])
    signal = raw.post(f"{SIGNALING}/{token}", content=f"messages={quote(messages)}".encode(), headers=FORM)
    assert signal.status_code == 400


# --- nesting ----------------------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_thousands_deep_is_invalid_json(raw: TalkClient) -> None:
    for body in (_nested(5000), '{"roomType": 2, "roomName": "Deep", "x": ' + _nested(3000) + "}"):
        response = raw.post(ROOM, content=body.encode(), headers=JSON)
        assert response.status_code == 400
        assert meta(response)["message"] == INVALID_JSON


def test_json_deeper_than_php_json_decode_is_invalid_and_512_levels_are_read(raw: TalkClient) -> None:
    def create(depth: int) -> httpx.Response:
        body = '{"roomType": 2, "roomName": "Depth", "x": ' + _nested(depth - 1) + "}"
        return raw.post(ROOM, content=body.encode(), headers=JSON)

    assert create(512).status_code == 201
    too_deep = create(513)
    assert too_deep.status_code == 400
    assert meta(too_deep)["message"] == INVALID_JSON


def test_form_and_query_variables_nested_past_64_levels_are_dropped(raw: TalkClient) -> None:
    token = group_room(raw, name="Nested signals")
    deep = "messages" + "[a]" * 3000 + "=1"
    # The variable is dropped, as PHP drops it: an empty list of messages, nothing to deliver.
    for response in (
        raw.post(f"{SIGNALING}/{token}", content=deep.encode(), headers=FORM),
        raw.post(f"{SIGNALING}/{token}?{deep}", content=b"", headers=FORM),
    ):
        assert response.status_code == 200, response.text
        assert data(response) == []


def test_a_variable_nested_past_64_levels_takes_its_earlier_values_with_it(raw: TalkClient) -> None:
    body = "roomType=2&roomName=Named&roomName" + "[a]" * 65 + "=1"
    response = raw.post(ROOM, content=body.encode(), headers=FORM)
    assert response.status_code == 400
    assert data(response) == {"error": "name"}


# --- integers past 4,300 digits -----------------------------------------------------------------------


def test_a_huge_json_number_is_cast_as_php_casts_it(raw: TalkClient) -> None:
    # Beyond a double, PHP's json_decode makes it INF and (int) INF is 0: no such room type.
    response = raw.post(ROOM, content=f'{{"roomType": {HUGE}, "roomName": "Huge"}}'.encode(), headers=JSON)
    assert response.status_code == 400
    assert data(response) == {"error": "type"}
    kept = raw.post(ROOM, content=f'{{"roomType": 2, "roomName": "Huge", "x": [{HUGE}]}}'.encode(), headers=JSON)
    assert kept.status_code == 201


def test_a_huge_number_in_a_form_field_is_cast_as_php_casts_it(raw: TalkClient) -> None:
    response = raw.post(ROOM, content=f"roomType={HUGE}&roomName=Huge".encode(), headers=FORM)
    assert response.status_code == 400
    assert data(response) == {"error": "type"}


def test_huge_numbers_in_the_query_string(alice: TalkClient) -> None:
    token = group_room(alice, name="Huge query")
    send(alice, token, "first")
    for name in ("limit", "lastKnownMessageId"):
        response = alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, name: HUGE})
        assert response.status_code in (200, 304), (name, response.text)


def test_a_huge_message_id_in_the_path_is_no_such_message(alice: TalkClient, server: ServerProcess) -> None:
    token = group_room(alice, name="Huge path")
    for method, path in (
        ("DELETE", f"{CHAT}/{token}/{HUGE}"),
        ("PUT", f"{CHAT}/{token}/{HUGE}"),
        ("GET", f"{REACTION}/{token}/{HUGE}"),
        ("POST", f"{REACTION}/{token}/{HUGE}"),
    ):
        response = alice.request(method, path, json={"message": "x", "reaction": "👍"})
        assert response.status_code == 404, (method, path, response.text)
        assert meta(response)["status"] == "failure"
    # Starlette's own router takes the same route parameters (here for HEAD).
    head = httpx.head(f"{server.base_url}/ocs/v2.php/{REACTION}/{token}/{HUGE}", auth=("alice", password_of("alice")))
    assert head.status_code < 500


# --- ids past the database columns (found by schemathesis on PostgreSQL) -------------------------------


@pytest.mark.parametrize("attendee_id", [2**31, 2**63 - 1, HUGE])
def test_an_attendee_id_past_the_column_names_no_attendee(alice: TalkClient, attendee_id: object) -> None:
    # Attendee ids are 32-bit columns on PostgreSQL, which refused the value (a 500) instead of
    # finding nothing; Talk answers as for any unknown attendee.
    token = group_room(alice, "bob", name="Attendees")
    removed = alice.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": attendee_id})
    assert removed.status_code == 404
    assert data(removed) == {"error": "participant"}
    for method in ("POST", "DELETE"):
        moderator = alice.request(method, f"{ROOM}/{token}/moderators", params={"attendeeId": attendee_id})
        assert moderator.status_code == 404, method
    permissions = alice.put(
        f"{ROOM}/{token}/attendees/permissions", json={"attendeeId": str(attendee_id), "permissions": 0}
    )
    assert permissions.status_code == 404
    assert data(permissions) == {"error": "participant"}


@pytest.mark.parametrize("bot_id", [2**31, 2**63 - 1, 2**63])
def test_a_bot_id_past_the_column_names_no_bot(alice: TalkClient, bot_id: int) -> None:
    token = group_room(alice, "bob", name="Bots")
    for method in ("POST", "DELETE"):
        answer = alice.request(method, f"apps/spreed/api/v1/bot/{token}/{bot_id}")
        assert answer.status_code == 400, (method, answer.text)
        assert data(answer) == {"error": "bot"}


@pytest.mark.parametrize("path", ["/s/%00/download/0", "/index.php/s/%00/download/0", "/s/%00", "/s/a%00b/preview"])
def test_a_nul_in_a_share_token_is_no_such_share(server: ServerProcess, path: str) -> None:
    assert httpx.get(server.base_url + path).status_code == 404

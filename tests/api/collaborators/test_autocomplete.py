"""``core/autocomplete/get`` as the Talk apps call it to find people for a new conversation or to
add to one: matching, ranking, the result shape, share types and what a conversation leaves out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess
from tests.support.talk import group_room, join, public_room

PATH = "core/autocomplete/get"


@dataclass
class People:
    tag: str
    exact: str
    by_uid: str
    by_name: str
    inside: str
    group: str


@pytest.fixture(scope="module")
def people(server: ServerProcess) -> People:
    """Users and a group that only this module's searches find: ``tag`` is the id of one, starts
    the id or display name of two others and sits inside the name of a fourth."""
    tag = "q" + uuid.uuid4().hex[:7]
    found = People(tag, tag, f"{tag}zz", f"x{tag}", f"y{tag}", f"{tag}grp")
    for uid, name in [
        (found.exact, "Zed Exact"),
        (found.by_uid, "Aaron Prefix"),
        (found.by_name, f"{tag.upper()}son Prefix"),
        (found.inside, f"Mid{tag.upper()}dle Person"),
    ]:
        server.occ("user:add", "--password-from-env", "--display-name", name, uid, env={"OC_PASS": "a-long-pass-1"})
    server.occ("group:add", "--display-name", f"The {tag} group", found.group)
    return found


def search(client: TalkClient, term: str, *types: int, **query: object) -> list[dict[str, object]]:
    params: list[tuple[str, object]] = [("search", term), *[("shareTypes[]", t) for t in types], *query.items()]
    response = client.get(PATH, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = data(response)
    return found


def ids(found: list[dict[str, object]]) -> list[object]:
    return [entry["id"] for entry in found]


def test_ranked_exact_then_name_prefix_then_id_prefix_then_substring_ignoring_case(
    alice: TalkClient, people: People
) -> None:
    expected = [people.exact, people.by_name, people.by_uid, people.inside]
    assert ids(search(alice, people.tag, 0)) == expected
    assert ids(search(alice, people.tag.upper(), 0)) == expected
    # A display name matches too, exactly and by its start.
    assert ids(search(alice, "zed exact", 0))[0] == people.exact
    assert people.by_uid in ids(search(alice, "aaron pre", 0))


def test_entries_have_the_shape_nextcloud_gives(alice: TalkClient, people: People) -> None:
    found = search(alice, people.tag, 0, 1)
    assert found[0] == {
        "id": people.exact,
        "label": "Zed Exact",
        "icon": "icon-user",
        "source": "users",
        "status": "",
        "subline": "",
        "shareWithDisplayNameUnique": people.exact,
    }
    assert found[-1] == {
        "id": people.group,
        "label": f"The {people.tag} group",
        "icon": "",
        "source": "groups",
        "status": "",
        "subline": "",
        "shareWithDisplayNameUnique": "",
    }


def test_share_types_limit_and_the_array_forms(server: ServerProcess, alice: TalkClient, people: People) -> None:
    assert ids(search(alice, people.tag)) == ids(search(alice, people.tag, 0))  # users by default
    assert ids(search(alice, people.tag, 1)) == [people.group]
    assert search(alice, people.tag, 4, 6, 7) == []
    assert ids(search(alice, people.tag, 0, limit=2)) == [people.exact, people.by_name]
    assert ids(search(alice, people.tag, 0, limit=2, offset=2)) == [people.by_uid, people.inside]
    # The plain repeated key some HTTP libraries send.
    plain = alice.get(PATH, params=[("search", people.tag), ("shareTypes", 1), ("shareTypes", 0)])
    assert ids(data(plain)) == [people.exact, people.by_name, people.by_uid, people.inside, people.group]
    # OCS v1 answers the same list.
    v1 = alice.get(PATH, v=1, params={"search": people.tag, "shareTypes[]": 1})
    assert v1.status_code == 200 and ids(data(v1)) == [people.group]


def test_the_caller_is_never_listed_and_strangers_are_refused(server: ServerProcess, alice: TalkClient) -> None:
    assert "alice" not in ids(search(alice, "alice", 0))
    assert "bob" in ids(search(alice, "bob", 0))
    anonymous = httpx.get(
        f"{server.base_url}/ocs/v2.php/{PATH}", params={"search": "bob"}, headers={"OCS-APIRequest": "true"}
    )
    assert anonymous.status_code == 401


def test_a_conversation_leaves_out_its_participants(
    alice: TalkClient, make_client: Callable[..., TalkClient], people: People
) -> None:
    token = group_room(alice, people.exact, name="Search room")
    alice.post(
        f"apps/spreed/api/v4/room/{token}/participants", json={"newParticipant": people.group, "source": "groups"}
    )
    in_room = search(alice, people.tag, 0, 1, itemType="call", itemId=token)
    assert people.exact not in ids(in_room) and people.group not in ids(in_room)
    assert people.by_uid in ids(in_room)
    # Creating a new conversation, or another app's item, leaves everyone in.
    assert people.exact in ids(search(alice, people.tag, 0, itemType="call", itemId="new"))
    assert people.exact in ids(search(alice, people.tag, 0, itemType="file", itemId=token))
    # Someone who is not in the conversation learns nothing about who is.
    outsider = make_client(people.by_uid, password="a-long-pass-1")
    assert people.exact in ids(search(outsider, people.tag, 0, itemType="call", itemId=token))

    # Users who joined a public conversation by themselves stay listed, so that they can be added.
    open_token = public_room(alice, name="Open search room")
    join(outsider, open_token)
    assert people.by_uid in ids(search(alice, people.tag, 0, itemType="call", itemId=open_token))


def test_a_users_status_comes_along(alice: TalkClient, make_client: Callable[..., TalkClient], people: People) -> None:
    person = make_client(people.inside, password="a-long-pass-1")
    person.put("apps/user_status/api/v1/user_status/status", json={"statusType": "away"})
    person.put("apps/user_status/api/v1/user_status/message/custom", json={"statusIcon": "🥪", "message": "At lunch"})
    entry = next(e for e in search(alice, people.tag, 0) if e["id"] == people.inside)
    assert entry["status"] == {"status": "away", "message": "At lunch", "icon": "🥪", "clearAt": None}
    assert entry["subline"] == "At lunch"

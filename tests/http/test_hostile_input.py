"""Hostile request bodies, queries and paths get an OCS answer, never a server error.

Each case here once answered 500: a legacy ``invite`` with an unknown ``source``.
"""

from __future__ import annotations

import pytest

from tests.api.chat_helpers import ROOM
from tests.support.client import TalkClient, data

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

"""The current user as Nextcloud's provisioning API gives it (``/cloud/user``)."""

from __future__ import annotations

from tests.support.client import TalkClient, data


def test_current_user(alice: TalkClient) -> None:
    response = alice.get("cloud/user")
    assert response.status_code == 200
    user = data(response)
    assert user["id"] == "alice" and user["displayname"] == "Alice Adams" and user["display-name"] == "Alice Adams"


def test_current_user_lists_groups(make_client) -> None:  # type: ignore[no-untyped-def]
    assert data(make_client("carol").get("cloud/user"))["groups"] == ["team"]

"""Nextcloud's provisioning API for accounts and groups: what admins and users may do."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import httpx
import pytest

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess


def _admin_group(server: ServerProcess) -> None:
    groups = server.occ("group:list").stdout
    if '"admin"' not in groups and "admin:" not in groups and "- admin" not in groups:
        server.occ("group:add", "admin")
        server.occ("group:adduser", "admin", "admin")


@pytest.fixture
def admin(make_client: Callable[..., TalkClient], server: ServerProcess) -> TalkClient:
    _admin_group(server)
    return make_client("admin")


def _new_user(admin: TalkClient, groups: list[str] | None = None) -> tuple[str, str]:
    uid, password = f"u{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    response = admin.post(
        "cloud/users", json={"userid": uid, "password": password, "displayName": "New Person", "groups": groups or []}
    )
    assert response.status_code == 200, response.text
    assert data(response) == {"id": uid}
    return uid, password


def test_admin_adds_a_user_who_can_then_log_in(admin: TalkClient, make_client: Callable[..., TalkClient]) -> None:
    # A group of its own: the seeded groups are what other tests' conversations are made of.
    group = f"g{secrets.token_hex(4)}"
    assert admin.post("cloud/groups", json={"groupid": group}).status_code == 200
    uid, password = _new_user(admin, [group])
    me = make_client(uid, password=password).get("cloud/user")
    assert me.status_code == 200 and data(me)["displayname"] == "New Person" and data(me)["groups"] == [group]
    assert uid in data(admin.get("cloud/users", params={"search": uid}))["users"]


def test_adding_an_existing_user_or_to_a_missing_group_fails(admin: TalkClient) -> None:
    taken = admin.post("cloud/users", json={"userid": "alice", "password": "x-long-enough"})
    assert taken.status_code == 400 and taken.json()["ocs"]["meta"]["message"] == "User already exists"
    missing = admin.post("cloud/users", json={"userid": "u-nogroup", "password": "pw", "groups": ["nope"]})
    assert missing.status_code == 400
    assert admin.get("cloud/users/u-nogroup").status_code == 404


def test_users_list_is_for_admins(alice: TalkClient, admin: TalkClient) -> None:
    assert alice.get("cloud/users").status_code == 403
    assert alice.post("cloud/users", json={"userid": "u-sneaky", "password": "pw"}).status_code == 403
    listed = data(admin.get("cloud/users", params={"limit": 2, "offset": 1}))["users"]
    assert listed == sorted(data(admin.get("cloud/users"))["users"])[1:3]


def test_user_details_to_owner_and_admin_only_name_to_others(
    alice: TalkClient, bob: TalkClient, admin: TalkClient
) -> None:
    assert data(alice.get("cloud/users/alice"))["enabled"] is True
    assert data(admin.get("cloud/users/alice"))["groups"] == []
    assert data(bob.get("cloud/users/alice")) == {
        "id": "alice",
        "displayname": "Alice Adams",
        "display-name": "Alice Adams",
    }
    assert alice.get("cloud/users/nobody-here").status_code == 404


def test_own_display_name_and_password(admin: TalkClient, make_client: Callable[..., TalkClient]) -> None:
    uid, password = _new_user(admin)
    me = make_client(uid, password=password)
    assert me.put(f"cloud/users/{uid}", json={"key": "displayname", "value": "Renamed"}).status_code == 200
    assert data(me.get("cloud/user"))["displayname"] == "Renamed"
    assert me.put(f"cloud/users/{uid}", json={"key": "password", "value": "new-secret-9"}).status_code == 200
    me = make_client(uid, password="new-secret-9")
    assert me.get("cloud/user").status_code == 200
    assert make_client(uid, password=password).get("cloud/user").status_code == 401
    assert me.put(f"cloud/users/{uid}", json={"key": "email", "value": "x@y"}).status_code == 400
    assert me.put(f"cloud/users/{uid}", json={"key": "password", "value": ""}).status_code == 400


def test_others_cannot_edit_but_admins_can(
    alice: TalkClient, admin: TalkClient, make_client: Callable[..., TalkClient]
) -> None:
    uid, _ = _new_user(admin)
    assert alice.put(f"cloud/users/{uid}", json={"key": "password", "value": "taken-over"}).status_code == 403
    assert admin.put(f"cloud/users/{uid}", json={"key": "password", "value": "reset-by-admin"}).status_code == 200
    assert make_client(uid, password="reset-by-admin").get("cloud/user").status_code == 200


def test_disabled_users_cannot_log_in_until_enabled(admin: TalkClient, make_client: Callable[..., TalkClient]) -> None:
    uid, password = _new_user(admin)
    me = make_client(uid, password=password)
    assert me.get("cloud/user").status_code == 200  # remembered from now on
    assert me.get("apps/spreed/api/v4/room").status_code == 200
    assert me.put(f"cloud/users/{uid}/disable").status_code == 403
    assert admin.put(f"cloud/users/{uid}/disable").status_code == 200
    assert data(admin.get(f"cloud/users/{uid}"))["enabled"] is False
    assert me.get("cloud/user").status_code == 401
    assert me.get("apps/spreed/api/v4/room").status_code == 401
    assert admin.put("cloud/users/admin/disable").status_code == 400
    assert admin.put(f"cloud/users/{uid}/enable").status_code == 200
    assert me.get("cloud/user").status_code == 200


def test_group_membership_and_groups(admin: TalkClient, alice: TalkClient) -> None:
    uid, _ = _new_user(admin)
    gid = f"g{secrets.token_hex(4)}"
    assert admin.post("cloud/groups", json={"groupid": gid}).status_code == 200
    assert admin.post("cloud/groups", json={"groupid": gid}).status_code == 400
    assert gid in data(admin.get("cloud/groups"))["groups"]
    assert admin.post(f"cloud/users/{uid}/groups", json={"groupid": gid}).status_code == 200
    assert data(admin.get(f"cloud/users/{uid}/groups")) == {"groups": [gid]}
    assert admin.post(f"cloud/users/{uid}/groups", json={"groupid": "no-such"}).status_code == 400
    assert admin.delete(f"cloud/users/{uid}/groups", params={"groupid": gid}).status_code == 200
    assert data(admin.get(f"cloud/users/{uid}/groups")) == {"groups": []}
    assert admin.delete("cloud/users/admin/groups", params={"groupid": "admin"}).status_code == 400
    assert alice.post("cloud/groups", json={"groupid": "mine"}).status_code == 403
    assert alice.get("cloud/groups").status_code == 403
    assert admin.delete(f"cloud/groups/{gid}").status_code == 200
    assert admin.delete(f"cloud/groups/{gid}").status_code == 400
    assert admin.delete("cloud/groups/admin").status_code == 400


def test_sign_out_everywhere_ends_browser_sessions(server: ServerProcess, admin: TalkClient) -> None:
    uid, password = _new_user(admin)
    browser = httpx.Client(base_url=server.base_url, timeout=90)
    try:
        form = browser.get("/login").text
        token = re.search(r'name="requesttoken" value="([^"]+)"', form)
        assert token is not None
        login = browser.post(
            "/login", data={"user": uid, "password": password, "requesttoken": token[1]}, follow_redirects=False
        )
        assert login.status_code in (302, 303), login.text
        headers = {"OCS-APIRequest": "true", "Accept": "application/json"}
        assert browser.get("/ocs/v2.php/cloud/user", headers=headers).status_code == 200
        ended = browser.post("/ocs/v2.php/apps/causerie/api/v1/account/sign-out-everywhere", headers=headers)
        assert ended.status_code == 200 and ended.json()["ocs"]["data"]["sessions"] >= 1
        assert browser.get("/ocs/v2.php/cloud/user", headers=headers).status_code == 401
    finally:
        browser.close()


def test_a_disabled_users_app_password_stops_working(
    admin: TalkClient, make_client: Callable[..., TalkClient], server: ServerProcess
) -> None:
    uid, password = _new_user(admin)
    made = data(make_client(uid, password=password).post("apps/causerie/api/v1/app-passwords", json={"name": "Phone"}))
    token = made["apppassword"]
    headers = {"OCS-APIRequest": "true", "Accept": "application/json"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=90) as http:
        assert http.get("/ocs/v2.php/cloud/user", auth=(uid, token)).status_code == 200
        bearer = {"Authorization": f"Bearer {token}"}
        assert http.get("/ocs/v2.php/cloud/user", headers=bearer).status_code == 200
        assert admin.put(f"cloud/users/{uid}/disable").status_code == 200
        assert http.get("/ocs/v2.php/cloud/user", auth=(uid, token)).status_code == 401
        assert http.get("/ocs/v2.php/cloud/user", headers=bearer).status_code == 401

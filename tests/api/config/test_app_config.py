"""Nextcloud's app config API for admins: occ config:app:set's validation, secrets never read back."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess

CONFIG = "apps/provisioning_api/api/v1/config/apps/spreed"


@pytest.fixture
def admin(make_client: Callable[..., TalkClient], server: ServerProcess) -> Iterator[TalkClient]:
    groups = server.occ("group:list").stdout
    if '"admin"' not in groups and "admin:" not in groups and "- admin" not in groups:
        server.occ("group:add", "admin")
        server.occ("group:adduser", "admin", "admin")
    client = make_client("admin")
    yield client
    for key in ("turn_servers", "stun_servers"):
        client.delete(f"{CONFIG}/{key}")


def test_only_admins(alice: TalkClient, admin: TalkClient) -> None:
    assert alice.post(f"{CONFIG}/stun_servers", json={"value": '["a.example:3478"]'}).status_code == 403
    assert alice.get(CONFIG).status_code == 403


def test_values_are_validated_as_occ_does(admin: TalkClient, server: ServerProcess) -> None:
    refused = admin.post(f"{CONFIG}/stun_servers", json={"value": "not json"})
    assert refused.status_code == 400 and refused.json()["ocs"]["meta"]["message"]
    assert admin.post(f"{CONFIG}/no_such_key", json={"value": "1"}).status_code == 400
    assert admin.post("apps/provisioning_api/api/v1/config/apps/core/x", json={"value": "1"}).status_code == 400
    assert admin.post(f"{CONFIG}/stun_servers", json={"value": '["b.example:3478"]'}).status_code == 200
    assert "b.example:3478" in server.occ("config:app:get", "spreed", "stun_servers").stdout


def test_secrets_are_not_read_back(admin: TalkClient) -> None:
    turn = '[{"schemes":"turn","server":"turn.example:3478","secret":"hush-hush","protocols":"udp,tcp"}]'
    saved = admin.post(f"{CONFIG}/turn_servers", json={"value": turn})
    assert saved.status_code == 200, saved.text
    shown = data(admin.get(CONFIG))["data"]
    assert shown["turn_servers"] == {"sensitive": True, "set": True}
    assert "hush-hush" not in admin.get(CONFIG).text

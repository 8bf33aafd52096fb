"""App passwords over OCS: obtained as Nextcloud's clients do, listed, renamed and revoked."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.support.client import OCS_HEADERS, TalkClient, data, meta
from tests.support.server import ServerProcess, password_of

LIST = "apps/causerie/api/v1/app-passwords"


def _client(server: ServerProcess, login: str, secret: str, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, auth=(login, secret), headers={**OCS_HEADERS, **headers}, timeout=60)


def _new_app_password(server: ServerProcess, uid: str, agent: str) -> str:
    with _client(server, uid, password_of(uid), **{"User-Agent": agent}) as http:
        response = http.get("/ocs/v2.php/core/getapppassword")
    assert response.status_code == 200, response.text
    return str(data(response)["apppassword"])


def test_a_login_password_is_turned_into_an_app_password_named_after_the_client(
    server: ServerProcess, make_client
) -> None:  # type: ignore[no-untyped-def]
    agent = f"Mozilla/5.0 (Android) Nextcloud Talk v22 {uuid.uuid4().hex[:6]}"
    secret = _new_app_password(server, "alice", agent)
    assert re.fullmatch(r"[A-Za-z0-9]{72}", secret)
    with _client(server, "alice", secret) as http:
        assert data(http.get("/ocs/v2.php/cloud/user"))["id"] == "alice"
    listed = data(make_client("alice").get(LIST))
    assert [item["name"] for item in listed].count(agent) == 1
    # An app password cannot mint further ones (a stolen device must not outlive its revocation).
    with _client(server, "alice", secret) as http:
        refused = http.get("/ocs/v2.php/core/getapppassword")
    assert refused.status_code == 403
    assert meta(refused)["message"] == "You cannot request an new apppassword with an apppassword"


def test_logging_out_revokes_the_app_password_in_use(server: ServerProcess) -> None:
    secret = _new_app_password(server, "bob", "Talk iOS logout test")
    with _client(server, "bob", secret) as http:
        assert http.get("/ocs/v2.php/cloud/user").status_code == 200
        assert http.delete("/ocs/v2.php/core/apppassword").status_code == 200
        assert http.get("/ocs/v2.php/cloud/user").status_code == 401
    server.reset_bruteforce()
    with _client(server, "bob", password_of("bob")) as http:
        response = http.delete("/ocs/v2.php/core/apppassword")
    assert response.status_code == 403 and meta(response)["message"] == "no app password in use"


def test_the_owner_lists_renames_and_revokes(server: ServerProcess, make_client, reset_bruteforce: None) -> None:  # type: ignore[no-untyped-def]
    carol: TalkClient = make_client("carol")
    made = data(carol.post(LIST, json={"name": "Laptop"}))
    assert made["name"] == "Laptop" and made["loginName"] == "carol"
    with _client(server, "carol", made["apppassword"]) as http:
        own = data(http.get(f"/ocs/v2.php/{LIST}"))
    entry = next(item for item in own if item["id"] == made["id"])
    # Used just now, and marked as the password of the asking device.
    assert entry["current"] is True and entry["lastUsed"] >= entry["created"]
    assert carol.put(f"{LIST}/{made['id']}", json={"name": "Work laptop"}).status_code == 200
    assert {item["name"] for item in data(carol.get(LIST)) if item["id"] == made["id"]} == {"Work laptop"}
    assert carol.put(f"{LIST}/{made['id']}", json={"name": "  "}).status_code == 400
    # Someone else's id is not found, and stays.
    assert make_client("dave").delete(f"{LIST}/{made['id']}").status_code == 404
    assert carol.delete(f"{LIST}/{made['id']}").status_code == 200
    assert made["id"] not in {item["id"] for item in data(carol.get(LIST))}
    with _client(server, "carol", made["apppassword"]) as http:
        assert http.get("/ocs/v2.php/cloud/user").status_code == 401
    assert carol.delete(f"{LIST}/{made['id']}").status_code == 404


def test_a_bearer_app_password_works_and_cannot_mint_another(server: ServerProcess) -> None:
    secret = _new_app_password(server, "dave", "bearer test")
    headers = {"Authorization": f"Bearer {secret}", "OCS-APIRequest": "true", "Accept": "application/json"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=60) as http:
        assert data(http.get("/ocs/v2.php/cloud/user"))["id"] == "dave"
        assert http.get("/ocs/v2.php/core/getapppassword").status_code == 403


@pytest.mark.parametrize("headers", [{"OCS-APIRequest": "true"}, {}], ids=["android", "ios"])
def test_a_onetime_token_is_exchanged_once_and_logs_in_nowhere(
    server: ServerProcess, reset_bruteforce: None, headers: dict[str, str]
) -> None:
    from tests.web.test_devices import onetime_token

    token = onetime_token(server, "alice")
    agent = {"User-Agent": "Alice's iPhone (Talk)", **headers}
    with httpx.Client(base_url=server.base_url, auth=("alice", token), headers=agent, timeout=60) as http:
        # Not a password: the token opens nothing but the exchange.
        assert http.get("/ocs/v2.php/cloud/user", headers={"OCS-APIRequest": "true"}).status_code == 401
        first = http.get("/ocs/v2.php/core/getapppassword-onetime", params={"format": "json"})
        assert first.status_code == 200, first.text
        permanent = first.json()["ocs"]["data"]["apppassword"]
        again = http.get("/ocs/v2.php/core/getapppassword-onetime", params={"format": "json"})
        assert again.status_code == 401
    with _client(server, "alice", permanent) as http:
        assert data(http.get("/ocs/v2.php/cloud/user"))["id"] == "alice"
        names = [item["name"] for item in data(http.get(f"/ocs/v2.php/{LIST}"))]
    assert "Alice's iPhone (Talk)" in names


def test_a_onetime_token_of_someone_else_or_expired_is_refused(server: ServerProcess, reset_bruteforce: None) -> None:
    from tests.web.test_devices import onetime_token

    token = onetime_token(server, "bob")
    with httpx.Client(base_url=server.base_url, auth=("alice", token), timeout=60) as http:
        assert http.get("/ocs/v2.php/core/getapppassword-onetime").status_code == 401
    server.sql("UPDATE app_passwords SET expires_at = 1 WHERE expires_at IS NOT NULL AND uid = 'bob'")
    with httpx.Client(base_url=server.base_url, auth=("bob", token), timeout=60) as http:
        assert http.get("/ocs/v2.php/core/getapppassword-onetime").status_code == 401


def test_rotating_swaps_the_secret_and_keeps_the_entry(server: ServerProcess, reset_bruteforce: None) -> None:
    old = _new_app_password(server, "carol", "rotate test")
    with _client(server, "carol", old) as http:
        before = [item for item in data(http.get(f"/ocs/v2.php/{LIST}")) if item["current"]]
        rotated = http.post("/ocs/v2.php/core/apppassword/rotate")
        assert rotated.status_code == 200
        new = data(rotated)["apppassword"]
        assert http.get("/ocs/v2.php/cloud/user").status_code == 401
    assert new != old and re.fullmatch(r"[A-Za-z0-9]{72}", new)
    with _client(server, "carol", new) as http:
        after = [item for item in data(http.get(f"/ocs/v2.php/{LIST}")) if item["current"]]
    assert (
        [(i["id"], i["name"]) for i in after]
        == [(i["id"], i["name"]) for i in before]
        == [(before[0]["id"], "rotate test")]
    )
    server.reset_bruteforce()
    with _client(server, "carol", password_of("carol")) as http:
        assert http.post("/ocs/v2.php/core/apppassword/rotate").status_code == 403

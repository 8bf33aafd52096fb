"""The OCS layer as clients meet it: envelopes, formats, CSRF, authentication, errors."""

from __future__ import annotations

import httpx

from tests.support.client import TalkClient, meta
from tests.support.server import ServerProcess


def test_capabilities_carry_spreed(alice: TalkClient) -> None:
    response = alice.get("cloud/capabilities", v=1, params={"format": "json"})
    assert response.status_code == 200
    body = response.json()["ocs"]
    assert body["meta"] == {"status": "ok", "statuscode": 100, "message": "OK", "totalitems": "", "itemsperpage": ""}
    spreed = body["data"]["capabilities"]["spreed"]
    assert spreed["config"]["chat"]["max-length"] == 32000
    assert "chat-v2" in spreed["features"]
    assert body["data"]["version"]["major"] >= 28


def test_xml_is_the_default_format(server: ServerProcess) -> None:
    response = httpx.get(f"{server.base_url}/ocs/v2.php/cloud/capabilities", headers={"OCS-APIRequest": "true"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0"?>\n<ocs>\n <meta>\n  <status>ok</status>')


def test_format_parameter_beats_accept(server: ServerProcess) -> None:
    response = httpx.get(
        f"{server.base_url}/ocs/v2.php/cloud/capabilities",
        params={"format": "xml"},
        headers={"OCS-APIRequest": "true", "Accept": "application/json"},
    )
    assert response.headers["content-type"].startswith("application/xml")


def test_missing_ocs_header_fails_the_csrf_check(server: ServerProcess) -> None:
    response = httpx.get(
        f"{server.base_url}/ocs/v2.php/cloud/capabilities?format=json", auth=("alice", "alice-password-1")
    )
    assert response.status_code == 412
    assert response.json() == {"message": "CSRF check failed"}


def test_wrong_password_is_401(make_client, reset_bruteforce: None) -> None:  # type: ignore[no-untyped-def]
    client = make_client("alice", password="wrong")
    response = client.get("cloud/user")
    assert response.status_code == 401
    assert meta(response)["message"] == "Current user is not logged in"
    v1 = client.get("cloud/user", v=1)
    assert v1.status_code == 401 and meta(v1)["statuscode"] == 997


def test_anonymous_user_endpoint_is_401(guest: TalkClient) -> None:
    assert guest.get("cloud/user").status_code == 401


def test_unknown_route_is_an_ocs_404(alice: TalkClient) -> None:
    response = alice.get("apps/spreed/api/v4/nothing-here")
    assert response.status_code == 404
    assert meta(response)["status"] == "failure"
    v1 = alice.get("apps/spreed/api/v4/nothing-here", v=1)
    assert v1.status_code == 200 and meta(v1)["statuscode"] == 404


def test_wrong_method_is_an_ocs_405(alice: TalkClient) -> None:
    response = alice.delete("cloud/capabilities")
    assert response.status_code == 405
    assert meta(response)["status"] == "failure"


def test_malformed_json_body_is_400(alice: TalkClient) -> None:
    response = alice.post("cloud/capabilities", content=b"{broken", headers={"Content-Type": "application/json"})
    # The route only takes GET; a body on a GET route is parsed before dispatch.
    assert response.status_code in (400, 405)
    response = alice.get("cloud/capabilities", content=b"{broken", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert meta(response)["message"] == "The request body is not valid JSON"


def test_oversized_body_is_413(alice: TalkClient) -> None:
    response = alice.get(
        "cloud/capabilities",
        content=b"a=" + b"x" * (5 * 1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_status_php(server: ServerProcess) -> None:
    body = httpx.get(f"{server.base_url}/status.php").json()
    assert body["installed"] is True and body["maintenance"] is False and body["versionstring"]


def test_api_responses_forbid_framing(alice: TalkClient) -> None:
    response = alice.get("cloud/capabilities")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"

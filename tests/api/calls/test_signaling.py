"""Signaling settings (STUN, TURN, tickets, JWT) and the external signaling server's backend API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess

SETTINGS = "apps/spreed/api/v3/signaling/settings"
BACKEND = "apps/spreed/api/v3/signaling/backend"
TICKET = re.compile(r"^[A-Za-z0-9+/]{16}:(\d+):([^:]*):([0-9a-f]{64})$")

# The standalone signaling server's documented checksum example (docs/standalone-signaling-api-v1.md,
# "Backend requests"): this body, random and secret give this checksum.
DOC_BODY = b'{"type":"auth","auth":{"version":"1.0","params":{"hello":"world"}}}'
DOC_RANDOM = "afb6b872ab03e3376b31bf0af601067222ff7990335ca02d327071b73c0119c6"
DOC_SECRET = "MySecretValue"
DOC_CHECKSUM = "3c4a69ff328299803ac2879614b707c807b4758cf19450755c60656cac46e3bc"


@pytest.fixture
def spreed_config(server: ServerProcess) -> Iterator[Callable[[str, Any], None]]:
    """Set spreed app config through occ for one test; the keys are deleted afterwards."""
    touched: list[str] = []

    def set_value(key: str, value: Any) -> None:
        text = value if isinstance(value, str) else json.dumps(value)
        server.occ("config:app:set", "spreed", key, "--value", text)
        touched.append(key)

    yield set_value
    for key in touched:
        server.occ("config:app:delete", "spreed", key)


def coturn_accepts(secret: str, username: str, credential: str, now: float) -> bool:
    """coturn's use-auth-secret check (TURN REST API, draft-uberti-behave-turn-rest-00 section 2.2),
    written from its documentation: the user name starts with the expiry time, the password is
    base64(HMAC-SHA1(secret, user name))."""
    expiry = int(username.split(":", 1)[0])
    expected = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return expiry > now and hmac.compare_digest(expected, credential)


def test_coturn_check_matches_the_published_check_value() -> None:
    assert coturn_accepts("secret", "1700086400:abcdefghijklmnop", "He2e8zDWMJAz6l+fdDXCCb/BblA=", 1700000000)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_es256(token: str, public_pem: str) -> dict[str, Any]:
    """Check a JWT the way the signaling server does, with the key from the capabilities."""
    header, payload, signature = token.split(".")
    assert json.loads(_b64url(header)) == {"typ": "JWT", "alg": "ES256"}
    key = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    raw = _b64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    claims: dict[str, Any] = json.loads(_b64url(payload))
    return claims


def token_key(client: TalkClient) -> str:
    spreed = data(client.get("cloud/capabilities"))["capabilities"]["spreed"]
    key: str = spreed["config"]["signaling"]["hello-v2-token-key"]
    return key


# --- settings -----------------------------------------------------------------------------------


def test_user_settings_with_internal_signaling(alice: TalkClient, server: ServerProcess) -> None:
    before = int(time.time())
    response = alice.get(SETTINGS)
    assert response.status_code == 200
    settings = data(response)
    assert settings["signalingMode"] == "internal"
    assert settings["userId"] == "alice"
    assert settings["server"] == "" and settings["hideWarning"] is False
    assert settings["federation"] is None and settings["sipDialinInfo"] == ""
    assert settings["stunservers"] == [] and settings["turnservers"] == []
    match = TICKET.match(settings["ticket"])
    assert match and match.group(2) == "alice" and int(match.group(1)) >= before
    assert settings["helloAuthParams"]["1.0"] == {"userid": "alice", "ticket": settings["ticket"]}

    claims = verify_es256(settings["helloAuthParams"]["2.0"]["token"], token_key(alice))
    assert claims["iss"] == f"{server.base_url}/"
    assert claims["exp"] == claims["iat"] + 60 and claims["iat"] >= before
    assert claims["sub"] == "alice" and claims["userdata"] == {"displayname": "Alice Adams"}


def test_guest_settings_have_no_user(guest: TalkClient, alice: TalkClient) -> None:
    settings = data(guest.get(SETTINGS))
    assert settings["userId"] is None
    assert settings["helloAuthParams"]["1.0"]["userid"] is None
    match = TICKET.match(settings["ticket"])
    assert match and match.group(2) == ""
    claims = verify_es256(settings["helloAuthParams"]["2.0"]["token"], token_key(alice))
    assert "sub" not in claims and "userdata" not in claims


def test_tokens_are_signed_by_the_published_key_only(alice: TalkClient) -> None:
    token = data(alice.get(SETTINGS))["helloAuthParams"]["2.0"]["token"]
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with pytest.raises(InvalidSignature):
        verify_es256(token, pem)


def test_stun_and_turn_servers_from_config(
    make_client: Callable[..., TalkClient], spreed_config: Callable[[str, Any], None]
) -> None:
    spreed_config("stun_servers", ["stun.example.org:3478", "stun2.example.org:443"])
    spreed_config(
        "turn_servers",
        [
            {"schemes": "turn,turns", "server": "turn.example.org:3478", "secret": "s3cret", "protocols": "udp,tcp"},
            {"server": "turn2.example.org:443", "secret": "other", "protocols": "tcp"},
        ],
    )
    # The OpenAPI file types a TURN credential as an object; Talk (transcript step 76) and every
    # WebRTC client use a string. The response is checked by hand here.
    client = make_client("alice", validate=False)
    now = time.time()
    settings = data(client.get(SETTINGS))
    assert settings["stunservers"] == [{"urls": ["stun:stun.example.org:3478", "stun:stun2.example.org:443"]}]
    first, second = settings["turnservers"]
    assert first["urls"] == [
        "turn:turn.example.org:3478?transport=udp",
        "turn:turn.example.org:3478?transport=tcp",
        "turns:turn.example.org:3478?transport=udp",
        "turns:turn.example.org:3478?transport=tcp",
    ]
    assert second["urls"] == ["turn:turn2.example.org:443?transport=tcp"]  # schemes default to turn
    assert coturn_accepts("s3cret", first["username"], first["credential"], now)
    assert coturn_accepts("other", second["username"], second["credential"], now)
    assert not coturn_accepts("wrong", first["username"], first["credential"], now)
    expiry = int(first["username"].split(":")[0])
    assert now + 86400 - 5 <= expiry <= now + 86400 + 60  # valid for 24 hours


def test_turn_credentials_expire(
    make_client: Callable[..., TalkClient], spreed_config: Callable[[str, Any], None], guest: TalkClient
) -> None:
    spreed_config(
        "turn_servers", [{"schemes": "turn", "server": "turn.example.org:3478", "secret": "s3cret", "protocols": "udp"}]
    )
    turn = data(make_client(validate=False).get(SETTINGS))["turnservers"][0]
    expiry = int(turn["username"].split(":")[0])
    assert coturn_accepts("s3cret", turn["username"], turn["credential"], expiry - 1)
    assert not coturn_accepts("s3cret", turn["username"], turn["credential"], expiry + 1)
    # Moving the expiry forward in the user name breaks the HMAC: the lifetime cannot be stretched.
    stretched = f"{expiry + 86400}:{turn['username'].split(':', 1)[1]}"
    assert not coturn_accepts("s3cret", stretched, turn["credential"], expiry - 1)


def test_static_turn_credentials_are_passed_through(
    make_client: Callable[..., TalkClient], spreed_config: Callable[[str, Any], None]
) -> None:
    spreed_config(
        "turn_servers",
        [{"server": "turn.example.org:3478", "username": "fixed", "password": "pw", "protocols": "udp"}],
    )
    turn = data(make_client("bob", validate=False).get(SETTINGS))["turnservers"][0]
    assert (turn["username"], turn["credential"]) == ("fixed", "pw")


@pytest.mark.parametrize(
    ("key", "value", "complaint"),
    [
        ("stun_servers", '["stun:stun.example.org:3478"]', "host:port"),
        ("stun_servers", '"stun.example.org:3478"', "JSON array"),
        ("turn_servers", '[{"server": "turn.example.org:3478", "protocols": "udp"}]', "shared secret"),
        ("turn_servers", '[{"server": "turn.example.org", "secret": "x", "protocols": "udp"}]', "host:port"),
        ("turn_servers", '[{"server": "t.example.org:1", "secret": "x", "protocols": "sctp"}]', "protocols"),
        (
            "turn_servers",
            '[{"server": "t.example.org:1", "secret": "x", "protocols": "udp", "schemes": "stun"}]',
            "schemes",
        ),
        ("signaling_servers", '{"servers": [{"server": "https://hpb.example.org", "verify": true}]}', "secret"),
        ("signaling_servers", '{"servers": [{"server": "hpb.example.org"}], "secret": "x"}', "URL"),
        ("signaling_servers", '["https://hpb.example.org"]', "JSON object"),
        ("signaling_token_alg", "HS256", "ES256"),
    ],
)
def test_occ_refuses_malformed_signaling_config(server: ServerProcess, key: str, value: str, complaint: str) -> None:
    result = server.occ("config:app:set", "spreed", key, "--value", value, check=False)
    assert result.returncode != 0
    assert complaint in result.stdout + result.stderr


def test_external_signaling_server(alice: TalkClient, spreed_config: Callable[[str, Any], None]) -> None:
    spreed_config(
        "signaling_servers",
        {"servers": [{"server": "https://hpb.example.org/standalone-signaling", "verify": True}], "secret": "hpb"},
    )
    settings = data(alice.get(SETTINGS))
    assert settings["signalingMode"] == "external"
    assert settings["server"] == "https://hpb.example.org/standalone-signaling"
    assert settings["hideWarning"] is True
    spreed = data(alice.get("cloud/capabilities"))["capabilities"]["spreed"]
    assert spreed["config"]["signaling"]["mode"] == "external"


def test_capabilities_name_the_internal_mode(alice: TalkClient) -> None:
    spreed = data(alice.get("cloud/capabilities"))["capabilities"]["spreed"]
    assert spreed["config"]["signaling"]["mode"] == "internal"


def test_hide_signaling_warning(alice: TalkClient, spreed_config: Callable[[str, Any], None]) -> None:
    spreed_config("hide_signaling_warning", "yes")
    assert data(alice.get(SETTINGS))["hideWarning"] is True


def test_recording_requests_are_refused_and_throttled(
    guest: TalkClient, server: ServerProcess, reset_bruteforce: None
) -> None:
    response = guest.get(SETTINGS, headers={"Talk-Recording-Random": "r" * 32, "Talk-Recording-Checksum": "00"})
    assert response.status_code == 401
    attempts = json.loads(server.occ("security:bruteforce:attempts", "127.0.0.1", "talkRecordingSecret").stdout)
    assert attempts["attempts"] == 1


# --- backend ------------------------------------------------------------------------------------


def backend_post(server: ServerProcess, body: bytes, random: str, checksum: str) -> httpx.Response:
    """A request as the standalone signaling server sends it (raw body, checksum headers)."""
    return httpx.post(
        f"{server.base_url}/ocs/v2.php/{BACKEND}",
        content=body,
        headers={
            "OCS-APIRequest": "true",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Spreed-Signaling-Random": random,
            "Spreed-Signaling-Checksum": checksum,
            "Spreed-Signaling-Backend": server.base_url,
        },
    )


def signed(server: ServerProcess, message: dict[str, Any], secret: str = DOC_SECRET) -> dict[str, Any]:
    body = json.dumps(message).encode()
    random = "x" * 16 + base64.b16encode(time.time_ns().to_bytes(8, "big")).decode().lower()
    checksum = hmac.new(secret.encode(), random.encode() + body, hashlib.sha256).hexdigest()
    response = backend_post(server, body, random, checksum)
    assert response.status_code == 200
    reply: dict[str, Any] = response.json()["ocs"]["data"]
    return reply


@pytest.fixture
def hpb(spreed_config: Callable[[str, Any], None]) -> None:
    spreed_config(
        "signaling_servers",
        {"servers": [{"server": "https://hpb.example.org", "verify": True}], "secret": DOC_SECRET},
    )


def test_documented_checksum_example_is_accepted(server: ServerProcess, hpb: None) -> None:
    response = backend_post(server, DOC_BODY, DOC_RANDOM, DOC_CHECKSUM)
    assert response.status_code == 200
    # Authenticated, so the server looked at the ticket (there is none in the example).
    assert response.json()["ocs"]["data"]["error"]["code"] == "invalid_ticket"
    # Talk compares the checksum lower-cased.
    upper = backend_post(server, DOC_BODY, DOC_RANDOM, DOC_CHECKSUM.upper())
    assert upper.json()["ocs"]["data"]["error"]["code"] == "invalid_ticket"


@pytest.mark.parametrize(
    ("body", "random", "checksum"),
    [
        (DOC_BODY, DOC_RANDOM, "0" + DOC_CHECKSUM[1:]),  # wrong checksum
        (DOC_BODY + b" ", DOC_RANDOM, DOC_CHECKSUM),  # body changed after signing
        (
            DOC_BODY,
            DOC_RANDOM[:31],
            hmac.new(b"MySecretValue", DOC_RANDOM[:31].encode() + DOC_BODY, hashlib.sha256).hexdigest(),
        ),
        (DOC_BODY, DOC_RANDOM, ""),
    ],
    ids=["wrong-checksum", "tampered-body", "short-random", "no-checksum"],
)
def test_bad_checksums_are_refused_and_throttled(
    server: ServerProcess, hpb: None, reset_bruteforce: None, body: bytes, random: str, checksum: str
) -> None:
    response = backend_post(server, body, random, checksum)
    assert response.status_code == 200
    assert response.json()["ocs"]["data"] == {
        "type": "error",
        "error": {"code": "invalid_request", "message": "The request could not be authenticated."},
    }
    attempts = json.loads(server.occ("security:bruteforce:attempts", "127.0.0.1", "talkSignalingSecret").stdout)
    assert attempts["attempts"] == 1
    # The next backend request is delayed by that attempt, as Talk's BruteForceProtection does.
    again = backend_post(server, DOC_BODY, DOC_RANDOM, DOC_CHECKSUM)
    assert again.headers["X-Nextcloud-Bruteforce-Throttled"] == "200ms"


def test_without_a_configured_secret_nothing_is_authenticated(server: ServerProcess, reset_bruteforce: None) -> None:
    body = b'{"type":"ping","ping":{"roomid":"x","entries":[]}}'
    random = "r" * 32
    # An HMAC keyed with the empty string: anybody could compute it.
    checksum = hmac.new(b"", random.encode() + body, hashlib.sha256).hexdigest()
    assert backend_post(server, body, random, checksum).json()["ocs"]["data"]["error"]["code"] == "invalid_request"


def test_auth_with_a_users_ticket(server: ServerProcess, hpb: None, alice: TalkClient) -> None:
    ticket = data(alice.get(SETTINGS))["ticket"]
    reply = signed(
        server, {"type": "auth", "auth": {"version": "1.0", "params": {"userid": "alice", "ticket": ticket}}}
    )
    assert reply == {
        "type": "auth",
        "auth": {"version": "1.0", "userid": "alice", "user": {"displayname": "Alice Adams"}},
    }


def test_auth_with_a_guests_ticket(server: ServerProcess, hpb: None, guest: TalkClient) -> None:
    ticket = data(guest.get(SETTINGS))["ticket"]
    reply = signed(server, {"type": "auth", "auth": {"version": "1.0", "params": {"userid": "", "ticket": ticket}}})
    assert reply == {"type": "auth", "auth": {"version": "1.0"}}


def test_a_ticket_is_only_valid_for_its_user(server: ServerProcess, hpb: None, alice: TalkClient) -> None:
    ticket = data(alice.get(SETTINGS))["ticket"]
    for userid in ("bob", "", None):
        reply = signed(
            server, {"type": "auth", "auth": {"version": "1.0", "params": {"userid": userid, "ticket": ticket}}}
        )
        assert reply["error"]["code"] == "invalid_ticket", userid
    forged = ticket.replace(":alice:", ":bob:")
    reply = signed(server, {"type": "auth", "auth": {"version": "1.0", "params": {"userid": "bob", "ticket": forged}}})
    assert reply["error"]["code"] == "invalid_ticket"


def test_auth_for_a_deleted_user(server: ServerProcess, hpb: None, make_client: Callable[..., TalkClient]) -> None:
    server.occ("user:add", "--password-from-env", "erin", env={"OC_PASS": "erin-password-1"})
    try:
        ticket = data(make_client("erin").get(SETTINGS))["ticket"]
    finally:
        server.occ("user:delete", "erin")
    reply = signed(server, {"type": "auth", "auth": {"version": "1.0", "params": {"userid": "erin", "ticket": ticket}}})
    assert reply["error"] == {"code": "no_such_user", "message": "The given user does not exist."}


def test_unknown_backend_request_type(server: ServerProcess, hpb: None) -> None:
    reply = signed(server, {"type": "bogus"})
    assert reply["type"] == "error" and reply["error"]["code"] == "unknown_type"


# --- settings for a conversation ----------------------------------------------------------------

ROOM = "apps/spreed/api/v4/room"


def create_room(client: TalkClient, **body: Any) -> str:
    response = client.post(ROOM, json={"roomType": 2, "roomName": "Signaling room", **body})
    assert response.status_code == 201, response.text
    return str(data(response)["token"])


def join_room(client: TalkClient, token: str) -> str:
    response = client.post(f"{ROOM}/{token}/participants/active", json={"force": True})
    assert response.status_code == 200, response.text
    return str(data(response)["sessionId"])


def test_settings_for_a_conversation(alice: TalkClient, guest: TalkClient) -> None:
    group = create_room(alice)
    assert data(alice.get(SETTINGS, params={"token": group}))["userId"] == "alice"
    public = create_room(alice, roomType=3)
    # Guests may ask before joining a public conversation, as the web UI does.
    assert data(guest.get(SETTINGS, params={"token": public}))["userId"] is None


def test_settings_hide_other_conversations(
    alice: TalkClient, bob: TalkClient, guest: TalkClient, server: ServerProcess, reset_bruteforce: None
) -> None:
    group = create_room(alice)
    for client, token in ((bob, group), (guest, group), (bob, "nosuchroom")):
        response = client.get(SETTINGS, params={"token": token})
        assert response.status_code == 404
    attempts = json.loads(server.occ("security:bruteforce:attempts", "127.0.0.1", "talkRoomToken").stdout)
    assert attempts["attempts"] == 3


def test_the_server_is_the_same_for_everyone_in_a_conversation(
    alice: TalkClient, bob: TalkClient, spreed_config: Callable[[str, Any], None]
) -> None:
    servers = [{"server": f"https://hpb{i}.example.org", "verify": True} for i in range(3)]
    spreed_config("signaling_servers", {"servers": servers, "secret": "hpb"})
    spreed_config("signaling_mode", "conversation_cluster")
    token = create_room(alice, participants={"users": ["bob"]})
    mine = data(alice.get(SETTINGS, params={"token": token}))
    assert mine["signalingMode"] == "conversation_cluster"
    assert mine["server"] in {s["server"] for s in servers}
    assert data(bob.get(SETTINGS, params={"token": token}))["server"] == mine["server"]


# --- backend: room and ping ---------------------------------------------------------------------


def room_request(token: str, session_id: str = "", action: str = "join", **extra: Any) -> dict[str, Any]:
    request = {"version": "1.0", "roomid": token, "sessionid": session_id, "action": action, **extra}
    return {"type": "room", "room": request}


def test_room_join_of_a_joined_session(server: ServerProcess, hpb: None, alice: TalkClient, bob: TalkClient) -> None:
    token = create_room(alice, roomName="HPB room", description="About", participants={"users": ["bob"]})
    alice_session = join_room(alice, token)
    reply = signed(server, room_request(token, alice_session, userid="alice"))
    assert reply["type"] == "room"
    room = reply["room"]
    assert room["version"] == "1.0" and room["roomid"] == token
    assert room["permissions"] == ["publish-audio", "publish-video", "publish-screen", "control"]
    properties = room["properties"]
    assert properties["name"] == "HPB room" and properties["type"] == 2 and properties["description"] == "About"
    assert properties["lobby-state"] == 0 and properties["read-only"] == 0 and properties["active-since"] is None
    bob_session = join_room(bob, token)
    assert "control" not in signed(server, room_request(token, bob_session, userid="bob"))["room"]["permissions"]


def test_room_join_refuses_strangers_alike(server: ServerProcess, hpb: None, alice: TalkClient) -> None:
    token = create_room(alice)
    no_such_room = {"code": "no_such_room", "message": "The user is not invited to this room."}
    assert signed(server, room_request("nosuchroom", "s" * 255, userid="bob"))["error"] == no_such_room
    assert signed(server, room_request(token, "", userid="bob"))["error"] == no_such_room
    assert signed(server, room_request(token, "unknown-session"))["error"] == no_such_room


def test_room_join_with_a_new_session_of_an_actor(
    server: ServerProcess, hpb: None, alice: TalkClient, bob: TalkClient
) -> None:
    token = create_room(alice, participants={"users": ["bob"]})
    new_session = "n" * 64
    reply = signed(server, room_request(token, new_session, userid="bob", actorid="bob", actortype="users"))
    assert reply["type"] == "room"
    listed = {p["actorId"]: p for p in data(alice.get(f"{ROOM}/{token}/participants"))}
    assert listed["bob"]["sessionIds"] == [new_session]
    # The same session id for Alice in another conversation: taken.
    other = create_room(alice)
    taken = signed(server, room_request(other, new_session, userid="alice", actorid="alice", actortype="users"))
    assert taken["error"] == {"code": "duplicate_session", "message": "The given session is already in use."}


def test_room_join_in_call_and_leave(server: ServerProcess, hpb: None, alice: TalkClient, bob: TalkClient) -> None:
    token = create_room(alice, participants={"users": ["bob"]})
    bob_session = join_room(bob, token)
    reply = signed(server, room_request(token, bob_session, userid="bob", incall=3))
    assert reply["type"] == "room"
    seen = data(bob.get(f"{ROOM}/{token}"))
    assert seen["participantFlags"] == 3 and seen["hasCall"] is True
    assert reply["room"]["properties"]["active-since"]["timezone"] == "UTC"
    left = signed(server, room_request(token, bob_session, action="leave", userid="bob"))
    assert left["type"] == "room"
    after = data(alice.get(f"{ROOM}/{token}"))
    assert after["hasCall"] is False
    listed = {p["actorId"]: p for p in data(alice.get(f"{ROOM}/{token}/participants"))}
    assert listed["bob"]["sessionIds"] == []


def test_ping_keeps_sessions_alive(server: ServerProcess, hpb: None, alice: TalkClient) -> None:
    token = create_room(alice)
    session = join_room(alice, token)
    before = data(alice.get(f"{ROOM}/{token}"))["lastPing"]
    time.sleep(1.1)  # lastPing has a resolution of one second
    reply = signed(
        server, {"type": "ping", "ping": {"roomid": token, "entries": [{"sessionid": session}, {"sessionid": "0"}]}}
    )
    assert reply == {"type": "room", "room": {"version": "1.0"}}
    assert data(alice.get(f"{ROOM}/{token}"))["lastPing"] > before


def verify_token(token: str, alg: str, published: str) -> dict[str, Any]:
    """Verify a JWT with the published key the way the signaling server's libraries do."""
    header, payload, signature = token.split(".")
    assert json.loads(_b64url(header))["alg"] == alg
    message, raw = f"{header}.{payload}".encode(), _b64url(signature)
    if alg == "EdDSA":
        ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(published)).verify(raw, message)
    else:
        key = serialization.load_pem_public_key(published.encode())
        assert isinstance(key, rsa.RSAPublicKey)
        key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    claims: dict[str, Any] = json.loads(_b64url(payload))
    return claims


@pytest.mark.parametrize("alg", ["RS256", "EdDSA"])
def test_other_token_algorithms(alice: TalkClient, spreed_config: Callable[[str, Any], None], alg: str) -> None:
    spreed_config("signaling_token_alg", alg)
    token = data(alice.get(SETTINGS))["helloAuthParams"]["2.0"]["token"]
    assert verify_token(token, alg, token_key(alice))["sub"] == "alice"

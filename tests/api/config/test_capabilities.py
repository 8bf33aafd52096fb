"""The capabilities tell the truth: every announced feature is shown working by a request, the
announced versions are a pair that exists, and what the config block promises is there (the
signaling token key from the first answer on, the attachment folder, the defaults admins set)."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.calls.test_signaling import verify_es256
from tests.conftest import fresh_postgres_database
from tests.support.client import OCS_HEADERS, TalkClient, data
from tests.support.notifying import jobs_done
from tests.support.push_service import PushService
from tests.support.server import ServerProcess
from tests.support.server import test_database_kind as database_kind

ROOM = "apps/spreed/api/v4/room"
CHAT = "apps/spreed/api/v1/chat"
CALL = "apps/spreed/api/v4/call"
SIGNALING = "apps/spreed/api/v3/signaling"
REACTION = "apps/spreed/api/v1/reaction"
BOT = "apps/spreed/api/v1/bot"
LISTED = "apps/spreed/api/v4/listed-room"
CAPABILITIES = "cloud/capabilities"
FILES_SHARING = "apps/files_sharing/api/v1/shares"

# Talk's major version → the only Nextcloud major its appinfo/info.xml accepts.
NEXTCLOUD_OF_TALK = {20: 30, 21: 31, 22: 32, 23: 33}


# --- every feature, shown working ---------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One request as ``actor``; ``{group}``-style names in the path and body are filled in from
    the stage. ``method="SQL"`` runs ``path`` on the server's database instead, for a set-up no
    API offers (ageing a message)."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    actor: str = "alice"


# What must be true after the request for the feature to be there.
Check = Callable[["Stage", httpx.Response], bool]


def _answered(stage: Stage, response: httpx.Response) -> bool:
    return True


@dataclass(frozen=True)
class Probe:
    """The request that shows a feature working, what must be true after it, and its set-up."""

    request: Step
    check: Check = _answered
    status: int = 200
    before: tuple[Step, ...] = ()


class Stage:
    """Fresh conversations for one probe, made when a probe's steps first name them."""

    def __init__(self, server: ServerProcess, clients: dict[str, TalkClient]) -> None:
        self.server = server
        self.clients = clients
        self.made: dict[str, Any] = {}
        self.makers: dict[str, Callable[[], Any]] = {
            "group": lambda: self._room(roomType=2, roomName="Probe", participants={"users": ["bob"]}),
            "public": lambda: self._room(roomType=3, roomName="Open probe"),
            "one_to_one": lambda: self._room(roomType=1, invite="bob"),
            "message": lambda: self.send("alice", "hello from the probe")["id"],
            "alice_session": lambda: self.join("alice", self.value("group"))["sessionId"],
            "file_message": lambda: self.share_file("probe.txt", {})["id"],
            "probe_bot": self.install_bot,
        }
        # Every probe starts from a group room (Alice moderating, Bob in it) holding one message of
        # Alice's, so that messages a probe's set-up sends come after it.
        self.value("message")

    def value(self, name: str) -> Any:
        if name not in self.made:
            self.made[name] = self.makers[name]()
        return self.made[name]

    def fill(self, value: Any) -> Any:
        """Placeholders filled in; a string that is only a placeholder becomes its value (an int stays one)."""
        if isinstance(value, dict):
            return {key: self.fill(item) for key, item in value.items()}
        if not isinstance(value, str):
            return value
        names = "|".join(self.makers)
        whole = re.fullmatch(rf"\{{({names})\}}", value)
        if whole:
            return self.value(whole.group(1))
        return re.sub(rf"\{{({names})\}}", lambda m: str(self.value(m.group(1))), value)

    def run(self, step: Step) -> httpx.Response | None:
        if step.method == "SQL":
            self.server.sql(step.path, **self.fill(step.body or {}))
            return None
        client = self.clients[step.actor]
        path = self.fill(step.path)
        body = self.fill(step.body)
        if step.method == "GET":
            return client.get(path, params=body)
        return client.request(step.method, path, json=body)

    def _room(self, **body: Any) -> str:
        response = self.clients["alice"].post(ROOM, json=body)
        assert response.status_code in (200, 201), response.text
        return str(data(response)["token"])

    def send(self, actor: str, message: str, **body: Any) -> dict[str, Any]:
        response = self.clients[actor].post(f"{CHAT}/{self.value('group')}", json={"message": message, **body})
        assert response.status_code == 201, response.text
        return dict(data(response))

    def install_bot(self) -> int:
        """``occ talk:bot:install`` (a bot nobody enabled yet); its id."""
        url = f"https://bots.example/{uuid.uuid4().hex}"
        out = self.server.occ("talk:bot:install", "Probe bot", uuid.uuid4().hex * 2, url).stdout
        return int(out.split("ID: ")[1])

    def share_file(self, name: str, meta: dict[str, Any]) -> dict[str, Any]:
        """Alice uploads ``name`` over WebDAV and shares it into the group room; its message."""
        alice = self.clients["alice"]
        stored = f"{uuid.uuid4().hex[:8]}-{name}"
        put = alice.http.put(f"/remote.php/dav/files/alice/Talk/{stored}", content=b"probe")
        assert put.status_code == 201, put.text
        body = {"shareType": 10, "shareWith": self.value("group"), "path": f"/Talk/{stored}",
                "talkMetaData": json.dumps(meta)}  # fmt: skip
        assert alice.post(FILES_SHARING, json=body).status_code == 200
        return self.history()[0]

    def join(self, actor: str, token: str) -> dict[str, Any]:
        response = self.clients[actor].post(f"{ROOM}/{token}/participants/active", json={"force": True})
        assert response.status_code == 200, response.text
        return dict(data(response))

    def room(self, name: str = "group", actor: str = "alice") -> dict[str, Any]:
        response = self.clients[actor].get(f"{ROOM}/{self.value(name)}")
        assert response.status_code == 200, response.text
        return dict(data(response))

    def history(self, actor: str = "alice") -> list[dict[str, Any]]:
        response = self.clients[actor].get(f"{CHAT}/{self.value('group')}", params={"lookIntoFuture": 0})
        assert response.status_code == 200, response.text
        return list(data(response))

    def participants(self, room: str = "group") -> list[dict[str, Any]]:
        """Participants of a room of the stage (by name) or of any room (by token)."""
        token = self.value(room) if room in self.makers else room
        response = self.clients["alice"].get(f"{ROOM}/{token}/participants")
        assert response.status_code == 200, response.text
        return list(data(response))


JOIN_GROUP = Step("POST", f"{ROOM}/{{group}}/participants/active", {"force": True})
GUEST_JOINS_PUBLIC = Step("POST", f"{ROOM}/{{public}}/participants/active", {"force": True}, actor="guest")
# A signaling message from Alice's session to itself, so that her pull answers at once.
SIGNAL_TO_SELF = Step(
    "POST",
    f"{SIGNALING}/{{group}}",
    {
        "messages": json.dumps(
            [
                {
                    "ev": "message",
                    "sessionId": "{alice_session}",
                    "fn": json.dumps({"to": "{alice_session}", "type": "offer", "payload": {}}),
                }
            ]
        )
    },
)
AGED = {"age": 7 * 3600, "id": "{message}"}
NO_CHAT = 1 | 4  # custom permissions: join calls, but not 128 (chat)


def _in_call_flags(stage: Stage, response: httpx.Response) -> bool:
    return [p["inCall"] for p in stage.participants() if p["actorId"] == "alice"] == [3]


def _call_started_silently(stage: Stage, response: httpx.Response) -> bool:
    return [m.get("silent") for m in stage.history() if m["systemMessage"] == "call_started"] == [True]


def _read_up_to_the_end(stage: Stage, response: httpx.Response) -> bool:
    room = stage.room()
    return bool(room["lastReadMessage"] == stage.history()[0]["id"] and room["unreadMessages"] == 0)


def _listed_for_carol(stage: Stage, response: httpx.Response) -> bool:
    found = data(stage.clients["carol"].get(LISTED, params={"searchTerm": ""}))
    return stage.value("group") in [room["token"] for room in found]


def _read_only_refuses_messages(stage: Stage, response: httpx.Response) -> bool:
    refused = stage.clients["bob"].post(f"{CHAT}/{stage.value('group')}", json={"message": "still there?"})
    return refused.status_code == 403


# Every announced feature (features and features-local) needs an entry here, and every entry an
# announced feature. Flags that describe wire behaviour rather than an endpoint (no-ping,
# chat-read-last, the mention flags…) get a request that shows the behaviour. Not announced for want
# of one: rich-object-sharing (no POST chat/{token}/share), session-state (no participants/state),
# attachments.conversation-subfolders (files.md: not to be announced).
PROBES: dict[str, Probe] = {
    # calls
    "audio": Probe(
        Step("POST", f"{CALL}/{{group}}", {"flags": 3}),
        lambda s, r: s.room()["participantFlags"] == 3,
        before=(JOIN_GROUP,),
    ),
    "video": Probe(
        Step("POST", f"{CALL}/{{group}}", {"flags": 7}),
        lambda s, r: s.room()["participantFlags"] == 7,
        before=(JOIN_GROUP,),
    ),
    "in-call-flags": Probe(Step("POST", f"{CALL}/{{group}}", {"flags": 3}), _in_call_flags, before=(JOIN_GROUP,)),
    "conversation-call-flags": Probe(
        Step("POST", f"{CALL}/{{group}}", {"flags": 7}),
        lambda s, r: s.room()["callFlag"] == 7,
        before=(JOIN_GROUP,),
    ),
    "silent-call": Probe(
        Step("POST", f"{CALL}/{{group}}", {"flags": 3, "silent": True}), _call_started_silently, before=(JOIN_GROUP,)
    ),
    "start-call-flag": Probe(Step("GET", f"{ROOM}/{{group}}"), lambda s, r: data(r)["canStartCall"] is True),
    # conversations
    "conversation-v4": Probe(Step("GET", ROOM), lambda s, r: s.value("group") in [room["token"] for room in data(r)]),
    "empty-group-room": Probe(
        Step("POST", ROOM, {"roomType": 2, "roomName": "Nobody else"}),
        lambda s, r: [p["actorId"] for p in s.participants(data(r)["token"])] == ["alice"],
        status=201,
    ),
    "favorites": Probe(Step("POST", f"{ROOM}/{{group}}/favorite"), lambda s, r: data(r)["isFavorite"] is True),
    "last-room-activity": Probe(
        Step("GET", f"{ROOM}/{{group}}"),
        lambda s, r: data(r)["lastActivity"] >= s.history()[0]["timestamp"] > 0,
        before=(Step("POST", f"{CHAT}/{{group}}", {"message": "activity"}),),
    ),
    "notification-levels": Probe(
        Step("POST", f"{ROOM}/{{group}}/notify", {"level": 1}),
        lambda s, r: data(r)["notificationLevel"] == 1,
    ),
    "notification-calls": Probe(
        Step("POST", f"{ROOM}/{{group}}/notify-calls", {"level": 0}),
        lambda s, r: data(r)["notificationCalls"] == 0,
    ),
    # Talk's docs define it as adding groups to existing conversations; e-mail invitations are
    # answered 400 (source) until they are built.
    "invite-groups-and-mails": Probe(
        Step("POST", f"{ROOM}/{{group}}/participants", {"newParticipant": "team", "source": "groups"}),
        lambda s, r: {"carol", "dave"} <= {p["actorId"] for p in s.participants()},
    ),
    "locked-one-to-one-rooms": Probe(
        Step("POST", f"{ROOM}/{{one_to_one}}/participants", {"newParticipant": "carol", "source": "users"}),
        lambda s, r: data(r) == {"error": "room-type"},
        status=400,
    ),
    "read-only-rooms": Probe(
        Step("PUT", f"{ROOM}/{{group}}/read-only", {"state": 1}),
        _read_only_refuses_messages,
    ),
    "listable-rooms": Probe(
        Step("PUT", f"{ROOM}/{{group}}/listable", {"scope": 1}),
        _listed_for_carol,
    ),
    "room-description": Probe(
        Step("PUT", f"{ROOM}/{{group}}/description", {"description": "What this is about"}),
        lambda s, r: data(r)["description"] == "What this is about",
    ),
    "conversation-permissions": Probe(
        Step("PUT", f"{ROOM}/{{group}}/permissions/default", {"permissions": NO_CHAT}),
        lambda s, r: data(r)["defaultPermissions"] == NO_CHAT,
    ),
    "note-to-self": Probe(Step("GET", f"{ROOM}/note-to-self"), lambda s, r: data(r)["type"] == 6),
    "multi-room-users": Probe(
        Step("POST", f"{ROOM}/{{public}}/participants/active", {"force": True}),
        lambda s, r: "0" not in (s.room("group")["sessionId"], s.room("public")["sessionId"]),
        before=(JOIN_GROUP,),
    ),
    # guests
    "guest-signaling": Probe(
        Step("GET", f"{SIGNALING}/settings", {"token": "{public}"}, actor="guest"),
        lambda s, r: data(r)["userId"] is None and data(r)["ticket"] != "",
        before=(GUEST_JOINS_PUBLIC,),
    ),
    "guest-display-names": Probe(
        Step("POST", "apps/spreed/api/v1/guest/{public}/name", {"displayName": "Gina Guest"}, actor="guest"),
        lambda s, r: "Gina Guest" in [p["displayName"] for p in s.participants("public")],
        before=(GUEST_JOINS_PUBLIC,),
    ),
    # signaling
    "signaling-v3": Probe(
        Step("GET", f"{SIGNALING}/settings"),
        lambda s, r: isinstance(data(r)["stunservers"], list) and "2.0" in data(r)["helloAuthParams"],
    ),
    # The pull is what keeps a session alive: there is no ping endpoint.
    "no-ping": Probe(
        Step("GET", f"{SIGNALING}/{{group}}"),
        lambda s, r: s.room()["lastPing"] > 0,
        before=(
            SIGNAL_TO_SELF,
            Step("SQL", "UPDATE talk_sessions SET last_ping = 0 WHERE session_id = :s", {"s": "{alice_session}"}),
        ),
    ),
    # chat
    "chat-v2": Probe(
        Step("GET", f"{CHAT}/{{group}}", {"lookIntoFuture": 0}),
        lambda s, r: any("messageParameters" in m and m["id"] == s.value("message") for m in data(r)),
    ),
    "system-messages": Probe(
        Step("GET", f"{CHAT}/{{group}}", {"lookIntoFuture": 0}),
        lambda s, r: "conversation_created" in [m["systemMessage"] for m in data(r)],
    ),
    "delete-messages": Probe(
        Step("DELETE", f"{CHAT}/{{group}}/{{message}}"),
        lambda s, r: data(r)["parent"]["messageType"] == "comment_deleted",
    ),
    "delete-messages-unlimited": Probe(
        Step("DELETE", f"{CHAT}/{{group}}/{{message}}"),
        lambda s, r: data(r)["systemMessage"] == "message_deleted",
        before=(
            # Older than the six hours Talk allowed before this feature.
            Step("SQL", "UPDATE messages SET created_at = created_at - :age WHERE id = :id", AGED),
        ),
    ),
    "edit-messages": Probe(
        Step("PUT", f"{CHAT}/{{group}}/{{message}}", {"message": "edited"}),
        lambda s, r: data(r)["parent"]["message"] == "edited",
    ),
    "mention-flag": Probe(
        Step("GET", f"{ROOM}/{{group}}"),
        lambda s, r: (data(r)["unreadMention"], data(r)["unreadMentionDirect"]) == (True, False),
        before=(Step("POST", f"{CHAT}/{{group}}", {"message": "@all look"}, actor="bob"),),
    ),
    "direct-mention-flag": Probe(
        Step("GET", f"{ROOM}/{{group}}"),
        lambda s, r: data(r)["unreadMentionDirect"] is True,
        before=(Step("POST", f"{CHAT}/{{group}}", {"message": "@alice look"}, actor="bob"),),
    ),
    "chat-read-marker": Probe(
        Step("POST", f"{CHAT}/{{group}}/read", {"lastReadMessage": "{message}"}),
        lambda s, r: s.room()["lastReadMessage"] == s.value("message"),
        before=(Step("POST", f"{CHAT}/{{group}}", {"message": "after"}, actor="bob"),),
    ),
    "chat-read-last": Probe(
        Step("POST", f"{CHAT}/{{group}}/read"),
        _read_up_to_the_end,
        before=(Step("POST", f"{CHAT}/{{group}}", {"message": "unread"}, actor="bob"),),
    ),
    "avatar": Probe(
        Step("POST", "apps/spreed/api/v1/room/{group}/avatar/emoji", {"emoji": "🦄", "color": "123456"}),
        lambda s, r: s.room()["isCustomAvatar"] is True and s.room()["avatarVersion"] == data(r)["avatarVersion"],
    ),
    "chat-get-context": Probe(
        Step("GET", f"{CHAT}/{{group}}/{{message}}/context", {"limit": 1}),
        lambda s, r: s.value("message") in [m["id"] for m in data(r)] and int(r.headers["X-Chat-Last-Given"]) > 0,
    ),
    "chat-unread": Probe(
        Step("DELETE", f"{CHAT}/{{group}}/read"),
        lambda s, r: s.room()["unreadMessages"] == 1,
        before=(Step("POST", f"{CHAT}/{{group}}", {"message": "read"}),),
    ),
    "chat-read-status": Probe(
        Step("GET", f"{CHAT}/{{group}}", {"lookIntoFuture": 0}),
        lambda s, r: r.headers["X-Chat-Last-Common-Read"] == str(s.value("message")),
        before=(Step("POST", f"{CHAT}/{{group}}/read", {"lastReadMessage": "{message}"}, actor="bob"),),
    ),
    "chat-replies": Probe(
        Step("POST", f"{CHAT}/{{group}}", {"message": "an answer", "replyTo": "{message}"}),
        lambda s, r: data(r)["parent"]["id"] == s.value("message"),
        status=201,
    ),
    "chat-reference-id": Probe(
        Step("POST", f"{CHAT}/{{group}}", {"message": "tracked", "referenceId": "a" * 64}),
        lambda s, r: s.history()[0]["referenceId"] == "a" * 64,
        status=201,
    ),
    "chat-permission": Probe(
        Step("POST", f"{CHAT}/{{group}}", {"message": "may I?"}, actor="bob"),
        status=403,
        before=(Step("PUT", f"{ROOM}/{{group}}/permissions/default", {"permissions": NO_CHAT}),),
    ),
    "silent-send": Probe(
        Step("POST", f"{CHAT}/{{group}}", {"message": "quietly", "silent": True}),
        lambda s, r: data(r).get("silent") is True,
        status=201,
    ),
    "silent-send-state": Probe(
        Step("GET", f"{CHAT}/{{group}}", {"lookIntoFuture": 0}),
        lambda s, r: data(r)[0].get("silent") is True,
        before=(Step("POST", f"{CHAT}/{{group}}", {"message": "quietly", "silent": True}),),
    ),
    "reactions": Probe(
        Step("POST", f"{REACTION}/{{group}}/{{message}}", {"reaction": "👍"}),
        lambda s, r: [a["actorId"] for a in data(r)["👍"]] == ["alice"],
        status=201,
    ),
    # files in the chat
    "rich-object-list-media": Probe(
        Step("GET", f"{CHAT}/{{group}}/share/overview"),
        lambda s, r: [m["id"] for m in data(r)["file"]] == [s.value("file_message")],
        # A request whose parameter names the file message makes it first.
        before=(Step("GET", f"{ROOM}/{{group}}", {"made": "{file_message}"}),),
    ),
    "rich-object-delete": Probe(
        Step("DELETE", f"{CHAT}/{{group}}/{{file_message}}"),
        lambda s, r: (
            data(r)["parent"]["messageType"] == "comment_deleted"
            and data(s.clients["bob"].get(f"{CHAT}/{s.value('group')}/share", params={"objectType": "file"})) == []
        ),
    ),
    "media-caption": Probe(
        Step("GET", f"{CHAT}/{{group}}", {"lookIntoFuture": 0}),
        lambda s, r: s.share_file("caption.jpg", {"caption": "A caption"})["message"] == "A caption",
    ),
    "voice-message-sharing": Probe(
        Step("GET", f"{CHAT}/{{group}}", {"lookIntoFuture": 0}),
        lambda s, r: s.share_file("voice.mp3", {"messageType": "voice-message"})["messageType"] == "voice-message",
    ),
    "unified-search": Probe(
        Step("GET", "search/providers/talk-message-current/search", {"term": "probe", "from": "/call/{group}"}),
        lambda s, r: [e["attributes"]["messageId"] for e in data(r)["entries"]] == [str(s.value("message"))],
    ),
    # bots and reminders
    "bots-v1": Probe(
        Step("GET", f"{BOT}/{{group}}"),
        lambda s, r: {"id": s.value("probe_bot"), "name": "Probe bot", "description": None, "state": 0} in data(r),
        before=(Step("GET", f"{ROOM}/{{group}}", {"made": "{probe_bot}"}),),
    ),
    "remind-me-later": Probe(
        Step("POST", f"{CHAT}/{{group}}/{{message}}/reminder", {"timestamp": 4102444800}),
        lambda s, r: (
            data(s.clients["alice"].get(f"{CHAT}/{s.value('group')}/{s.value('message')}/reminder"))["timestamp"]
            == 4102444800
        ),
        status=201,
    ),
    "upcoming-reminders": Probe(
        Step("GET", f"{CHAT}/upcoming-reminders"),
        # Sooner than the reminders other tests leave (2100), so that it is among the next ten.
        lambda s, r: (s.value("message"), 4000000000) in [(i["messageId"], i["reminderTimestamp"]) for i in data(r)],
        before=(Step("POST", f"{CHAT}/{{group}}/{{message}}/reminder", {"timestamp": 4000000000}),),
    ),
    "clear-history": Probe(
        Step("DELETE", f"{CHAT}/{{group}}"),
        lambda s, r: [m["systemMessage"] for m in s.history()] == ["history_cleared"],
    ),
}


def _announced(client: TalkClient) -> set[str]:
    spreed = data(client.get(CAPABILITIES))["capabilities"]["spreed"]
    return set(spreed["features"]) | set(spreed["features-local"])


def test_no_feature_is_announced_without_a_probe(alice: TalkClient, guest: TalkClient) -> None:
    announced = _announced(alice) | _announced(guest)
    unproven = announced - set(PROBES)
    assert not unproven, f"announced without a probe showing it works: {sorted(unproven)}"
    stale = set(PROBES) - announced
    assert not stale, f"probes for features no longer announced: {sorted(stale)}"


def test_features_local_are_features(alice: TalkClient) -> None:
    spreed = data(alice.get(CAPABILITIES))["capabilities"]["spreed"]
    assert set(spreed["features-local"]) <= set(spreed["features"])


@pytest.mark.parametrize("feature", sorted(PROBES))
def test_the_feature_works(feature: str, server: ServerProcess, make_client: Callable[..., TalkClient]) -> None:
    clients = {name: make_client(name) for name in ("alice", "bob", "carol")} | {"guest": make_client()}
    assert feature in _announced(clients["alice"])
    stage = Stage(server, clients)
    probe = PROBES[feature]
    for step in probe.before:
        response = stage.run(step)
        assert response is None or response.status_code < 300, response.text
    response = stage.run(probe.request)
    assert response is not None
    assert response.status_code == probe.status, response.text
    assert "ocs" in response.json(), "not a Talk answer"
    assert probe.check(stage, response), f"{feature}: answered, but the behaviour it promises is not there"


# --- versions -----------------------------------------------------------------------------------


def test_status_and_capabilities_announce_one_pair_that_exists(alice: TalkClient, server: ServerProcess) -> None:
    status = httpx.get(f"{server.base_url}/status.php").json()
    announced = data(alice.get(CAPABILITIES))
    nextcloud = announced["version"]
    talk = announced["capabilities"]["spreed"]["version"]
    # The version official-clients.md is written against.
    assert talk == "22.0.10"
    assert nextcloud["major"] == NEXTCLOUD_OF_TALK[int(talk.split(".")[0])]
    assert nextcloud["string"] == f"{nextcloud['major']}.{nextcloud['minor']}.{nextcloud['micro']}"
    assert status["versionstring"] == nextcloud["string"]
    assert status["version"].rsplit(".", 1)[0] == nextcloud["string"]


# --- the config block ---------------------------------------------------------------------------


@pytest.fixture
def spreed_config(server: ServerProcess) -> Iterator[Callable[[str, str], None]]:
    """Set spreed app config through occ for one test; the keys are deleted afterwards."""
    touched: list[str] = []

    def set_value(key: str, value: str) -> None:
        server.occ("config:app:set", "spreed", key, "--value", value)
        touched.append(key)

    yield set_value
    for key in touched:
        server.occ("config:app:delete", "spreed", key)


def _config(client: TalkClient) -> dict[str, Any]:
    config: dict[str, Any] = data(client.get(CAPABILITIES))["capabilities"]["spreed"]["config"]
    return config


def test_users_get_their_attachment_folder_and_guests_none(
    alice: TalkClient, guest: TalkClient, spreed_config: Callable[[str, str], None]
) -> None:
    # Users upload into their attachment folder; guests cannot upload (as in Talk).
    assert _config(alice)["attachments"] == {"allowed": True, "folder": "/Talk"}
    assert _config(guest)["attachments"] == {"allowed": False}
    spreed_config("default_attachment_folder", "/Chat uploads")
    assert _config(alice)["attachments"]["folder"] == "/Chat uploads"


def test_the_attachment_folder_must_be_a_path(server: ServerProcess) -> None:
    for bad in ("Talk", "/Talk/../elsewhere"):
        refused = server.occ("config:app:set", "spreed", "default_attachment_folder", "--value", bad, check=False)
        assert refused.returncode != 0 and "starting with /" in refused.stdout + refused.stderr


def test_the_default_permissions_are_the_admins(
    alice: TalkClient, guest: TalkClient, spreed_config: Callable[[str, str], None]
) -> None:
    assert _config(alice)["permissions"]["default"] == 246
    spreed_config("default_permissions", "5")
    assert _config(alice)["permissions"]["default"] == 5 and _config(guest)["permissions"]["default"] == 5


def test_no_clean_up_of_inactive_conversations_is_promised(alice: TalkClient) -> None:
    conversations = _config(alice)["conversations"]
    assert [conversations[f"retention-{kind}"] for kind in ("event", "phone", "instant-meetings")] == [0, 0, 0]


# --- the signaling token key, from the first answer on -------------------------------------------


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind the tests run on, for servers started by the test itself."""
    if database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        yield from fresh_postgres_database()


def _started(database_url: str, data_dir: Path) -> ServerProcess:
    data_dir.mkdir()
    process = ServerProcess(data_dir, database_url)
    process.start()  # its readiness probe is status.php, which reads no signaling settings
    return process


def _token_key(process: ServerProcess) -> str:
    response = httpx.get(f"{process.base_url}/ocs/v2.php/{CAPABILITIES}?format=json", headers=OCS_HEADERS)
    assert response.status_code == 200, response.text
    key: str = response.json()["ocs"]["data"]["capabilities"]["spreed"]["config"]["signaling"]["hello-v2-token-key"]
    return key


def _guest_token(process: ServerProcess) -> str:
    response = httpx.get(f"{process.base_url}/ocs/v2.php/{SIGNALING}/settings?format=json", headers=OCS_HEADERS)
    assert response.status_code == 200, response.text
    token: str = response.json()["ocs"]["data"]["helloAuthParams"]["2.0"]["token"]
    return token


def test_a_fresh_server_announces_the_token_key_in_its_first_answer(fresh_database: str, tmp_path: Path) -> None:
    process = _started(fresh_database, tmp_path / "data")
    try:
        # The signaling server may ask before any client has asked for signaling settings.
        key = _token_key(process)
        assert key.startswith("-----BEGIN PUBLIC KEY-----")
        verify_es256(_guest_token(process), key)
        assert _token_key(process) == key
    finally:
        process.stop()


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    yield from fresh_postgres_database()


@pytest.mark.postgres
def test_processes_starting_together_on_postgres_share_one_token_key(fresh_postgres: str, tmp_path: Path) -> None:
    processes: list[ServerProcess] = []
    errors: list[BaseException] = []

    def start(name: str) -> None:
        try:
            processes.append(_started(fresh_postgres, tmp_path / name))
        except BaseException as exc:
            errors.append(exc)

    # Seeded first: this is about the keys, not about who creates the first administrator.
    ServerProcess(tmp_path, fresh_postgres).seed()
    # As a service manager starts them: each process makes the keys while the others do.
    threads = [threading.Thread(target=start, args=(f"p{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors, errors
        assert len({_token_key(process) for process in processes}) == 1
        # A token from one process verifies with the key another one publishes.
        verify_es256(_guest_token(processes[0]), _token_key(processes[-1]))
    finally:
        for process in processes:
            process.stop()


# --- the notifications and user_status blocks ------------------------------------------------------

NOTIFICATIONS = "apps/notifications/api/v2/notifications"
USER_STATUS = "apps/user_status/api/v1"


def _block_flags(client: TalkClient) -> set[str]:
    """Every promise of the two blocks: each listed entry of ``notifications``, each true flag of
    ``user_status``."""
    capabilities = data(client.get(CAPABILITIES))["capabilities"]
    flags = {
        f"notifications.{key}.{entry}" for key, entries in capabilities["notifications"].items() for entry in entries
    }
    return flags | {f"user_status.{key}" for key, value in capabilities["user_status"].items() if value is True}


@pytest.fixture
def mentioned(server: ServerProcess, make_client: Callable[..., TalkClient]) -> tuple[TalkClient, dict[str, Any]]:
    """Carol, mentioned by Alice a moment ago, and her notification of it."""
    alice, carol = make_client("alice"), make_client("carol")
    carol.delete(NOTIFICATIONS)
    token = data(alice.post(ROOM, json={"roomType": 2, "roomName": "Probe"}))["token"]
    alice.post(f"{ROOM}/{token}/participants", json={"newParticipant": "carol", "source": "users"})
    alice.post(f"{CHAT}/{token}", json={"message": "@carol look"})
    jobs_done(server)
    [notification] = data(carol.get(NOTIFICATIONS))
    return carol, notification


def _pushed(server: ServerProcess, service: PushService) -> tuple[dict[str, Any], dict[str, Any]]:
    """A device's push of a mention and of its dismissal."""
    output = server.occ("user:add-app-password", "carol", "--name", "probe").stdout
    carol = TalkClient(server.base_url, "carol", password=output.strip().splitlines()[-1])
    alice = TalkClient(server.base_url, "alice")
    subscription = service.subscription("/push/probe")
    keys = {"endpoint": subscription.endpoint, "uaPublicKey": subscription.p256dh, "auth": subscription.auth}
    assert carol.post("apps/notifications/api/v2/webpush", data={**keys, "appTypes": "talk"}).status_code == 201
    token = subscription.decrypt(service.next_push("/push/probe").body)["activationToken"]
    assert carol.post("apps/notifications/api/v2/webpush/activate", data={"activationToken": token}).status_code == 202
    room = data(alice.post(ROOM, json={"roomType": 1, "invite": "carol"}))["token"]
    sent = data(alice.post(f"{CHAT}/{room}", json={"message": "ping"}))
    new = subscription.decrypt(service.next_push("/push/probe").body)
    carol.post(f"{CHAT}/{room}/read", json={"lastReadMessage": sent["id"]})
    gone = subscription.decrypt(service.next_push("/push/probe").body)
    return new, gone


def _header_status(carol: TalkClient, notification: dict[str, Any]) -> bool:
    carol.put(f"{USER_STATUS}/user_status/status", json={"statusType": "away"})
    return carol.get(NOTIFICATIONS).headers["X-Nextcloud-User-Status"] == "away"


# Each flag, shown working: ``(carol, her notification)`` for the notifications API, a push
# service on loopback for the push flags, Carol's status calls for user_status.
MENTION_PROBES: dict[str, Callable[[TalkClient, dict[str, Any]], bool]] = {
    "notifications.ocs-endpoints.list": lambda c, n: n["subject"] == "Alice Adams mentioned you in conversation Probe",
    "notifications.ocs-endpoints.get": lambda c, n: data(c.get(f"{NOTIFICATIONS}/{n['notification_id']}")) == n,
    "notifications.ocs-endpoints.delete": lambda c, n: (
        c.delete(f"{NOTIFICATIONS}/{n['notification_id']}").status_code == 200 and data(c.get(NOTIFICATIONS)) == []
    ),
    "notifications.ocs-endpoints.delete-all": lambda c, n: (
        c.delete(NOTIFICATIONS).status_code == 200 and data(c.get(NOTIFICATIONS)) == []
    ),
    "notifications.ocs-endpoints.icons": lambda c, n: (
        c.http.get(n["icon"]).headers["content-type"].startswith("image/")
    ),
    "notifications.ocs-endpoints.rich-strings": lambda c, n: (
        n["subjectRich"] == "{user} mentioned you in conversation {call}"
        and n["subjectRichParameters"]["user"]["id"] == "alice"
        and n["messageRich"] == "{mention-user1} look"
    ),
    "notifications.ocs-endpoints.action-web": lambda c, n: [a["type"] for a in n["actions"]] == ["WEB"],
    "notifications.ocs-endpoints.user-status": _header_status,
    "notifications.ocs-endpoints.exists": lambda c, n: (
        data(c.post(f"{NOTIFICATIONS}/exists", json={"ids": [n["notification_id"], 2**31]})) == [n["notification_id"]]
    ),
}
PUSH_PROBES: dict[str, Callable[[dict[str, Any], dict[str, Any]], bool]] = {
    "notifications.push.webpush": lambda new, gone: new["subject"] == "Alice Adams\nping",
    "notifications.push.object-data": lambda new, gone: (
        {new["app"], new["type"]} == {"spreed", "chat"} and new["nid"] > 0
    ),
    "notifications.push.delete": lambda new, gone: gone == {"nid": new["nid"], "delete": True},
}
STATUS_PROBES: dict[str, Callable[[TalkClient], bool]] = {
    "user_status.enabled": lambda c: (
        data(c.put(f"{USER_STATUS}/user_status/status", json={"statusType": "dnd"}))["status"] == "dnd"
    ),
    "user_status.supports_emoji": lambda c: (
        data(c.put(f"{USER_STATUS}/user_status/message/custom", json={"statusIcon": "🧪", "message": "Probing"}))[
            "icon"
        ]
        == "🧪"
    ),
    "user_status.supports_busy": lambda c: (
        data(c.put(f"{USER_STATUS}/user_status/status", json={"statusType": "busy"}))["status"] == "busy"
    ),
    # Causerie never saves a status to restore; the endpoint answers as Nextcloud does then.
    "user_status.restore": lambda c: c.delete(f"{USER_STATUS}/user_status/revert/meeting").status_code == 200,
}


def test_no_block_flag_is_announced_without_a_probe(alice: TalkClient) -> None:
    probes = set(MENTION_PROBES) | set(PUSH_PROBES) | set(STATUS_PROBES)
    announced = _block_flags(alice)
    assert announced == probes, f"unproven: {sorted(announced - probes)}; stale: {sorted(probes - announced)}"


@pytest.mark.parametrize("flag", sorted(MENTION_PROBES))
def test_the_notifications_api_works(flag: str, mentioned: tuple[TalkClient, dict[str, Any]]) -> None:
    carol, notification = mentioned
    assert MENTION_PROBES[flag](carol, notification), flag


@pytest.fixture(scope="module")
def pushes(push_server: ServerProcess, push_service: PushService) -> tuple[dict[str, Any], dict[str, Any]]:
    return _pushed(push_server, push_service)


@pytest.mark.parametrize("flag", sorted(PUSH_PROBES))
def test_web_push_works(flag: str, pushes: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert PUSH_PROBES[flag](*pushes), flag


@pytest.mark.parametrize("flag", sorted(STATUS_PROBES))
def test_user_status_works(flag: str, make_client: Callable[..., TalkClient]) -> None:
    assert STATUS_PROBES[flag](make_client("carol")), flag

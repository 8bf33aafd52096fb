"""Bots end to end: installed with occ, enabled by a moderator, hearing the chat through signed
webhooks (the example echo bot as a real process) and answering through the bot API."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import advance_clock
from tests.support.client import OCS_HEADERS, TalkClient, data
from tests.support.echo_bot import EchoBot
from tests.support.notifying import NOTIFICATIONS, ROOM, group_room, jobs_done, send
from tests.support.server import ServerProcess

BOT = "apps/spreed/api/v1/bot"
CHAT = "apps/spreed/api/v1/chat"
REACTION = "apps/spreed/api/v1/reaction"


def new_secret() -> str:
    return secrets.token_hex(32)


def install(server: ServerProcess, bot: EchoBot, *features: str, name: str = "Echo") -> int:
    flags = [arg for feature in features for arg in ("-f", feature)]
    result = server.occ("talk:bot:install", name, bot.secret, bot.url, "Echoes messages", *flags)
    assert result.stdout.startswith("Bot installed\nID: "), result.stdout
    return int(result.stdout.split("ID: ")[1])


@pytest.fixture
def echo_bot(tmp_path: Path) -> Iterator[EchoBot]:
    bot = EchoBot(tmp_path, new_secret()).start()
    yield bot
    bot.stop()


def history(client: TalkClient, token: str) -> list[dict[str, object]]:
    return list(data(client.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, "limit": 100})))


def wait_for_message(client: TalkClient, token: str, text: str, timeout: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in history(client, token):
            if message["message"] == text:
                return message
        time.sleep(0.05)
    raise AssertionError(f"no message {text!r} in the chat")


def test_occ_installs_lists_changes_and_uninstalls_bots(testing_server: ServerProcess) -> None:
    server = testing_server
    secret = new_secret()
    url = f"https://bots.example/{secrets.token_hex(4)}"
    installed = server.occ("talk:bot:install", "Helper", secret, url, "Helps", "--output", "json")
    bot = json.loads(installed.stdout)
    assert bot["url_hash"] == hashlib.sha1(url.encode()).hexdigest()
    assert bot["features"] == 3 and bot["state"] == 1  # webhook + response, enabled

    same_url = server.occ("talk:bot:install", "Other", new_secret(), url, check=False)
    assert same_url.returncode == 2 and "same URL" in same_url.stderr
    same_secret = server.occ("talk:bot:install", "Other", secret, url + "/2", check=False)
    assert same_secret.returncode == 3 and "same secret" in same_secret.stderr
    short = server.occ("talk:bot:install", "Other", "too-short", url + "/3", check=False)
    assert short.returncode == 1 and "secret" in short.stderr
    assert server.occ("talk:bot:install", "Other", new_secret(), "ftp://x", check=False).returncode == 1

    listed = json.loads(server.occ("talk:bot:list", "--output", "json").stdout)
    mine = next(entry for entry in listed if entry["id"] == bot["id"])
    assert mine["name"] == "Helper" and mine["features"] == "webhook, response" and "secret" not in mine

    server.occ("talk:bot:state", str(bot["id"]), "2", "-f", "response")
    listed = json.loads(server.occ("talk:bot:list", "--output", "json").stdout)
    mine = next(entry for entry in listed if entry["id"] == bot["id"])
    assert (mine["state"], mine["features"]) == (2, "response")

    assert server.occ("talk:bot:uninstall", str(bot["id"])).stdout.strip() == "Bot uninstalled"
    listed = json.loads(server.occ("talk:bot:list", "--output", "json").stdout)
    assert bot["id"] not in [entry["id"] for entry in listed]
    assert server.occ("talk:bot:uninstall", str(bot["id"]), check=False).returncode == 1


def test_the_echo_bot_hears_the_chat_and_answers(
    testing_server: ServerProcess, client_of: Callable[[str], TalkClient], echo_bot: EchoBot
) -> None:
    alice, bob = client_of("alice"), client_of("bob")
    bot_id = install(testing_server, echo_bot, "webhook", "response", "reaction")
    token = group_room(alice, "With a bot", bob)["token"]

    # Moderators see the installed bots and enable one; Bob, a plain member, may not.
    assert bob.get(f"{BOT}/{token}").status_code == 403
    listed = data(alice.get(f"{BOT}/{token}"))
    assert {"id": bot_id, "name": "Echo", "description": "Echoes messages", "state": 0} in listed
    assert bob.post(f"{BOT}/{token}/{bot_id}").status_code == 403
    enabled = alice.post(f"{BOT}/{token}/{bot_id}")
    assert enabled.status_code == 201 and data(enabled)["state"] == 1
    assert alice.post(f"{BOT}/{token}/{bot_id}").status_code == 200
    join = echo_bot.wait_for(1, "Join")[0]
    actor_id = "bot-" + hashlib.sha1(echo_bot.url.encode()).hexdigest()
    assert join["actor"] == {"type": "Application", "id": f"bots/{actor_id}", "name": "Echo"}
    assert join["object"] == {"type": "Collection", "id": token, "name": "With a bot"}

    # System messages reach it as Activity, worded in English.
    added = alice.post(f"{ROOM}/{token}/participants", json={"newParticipant": "carol", "source": "users"})
    assert added.status_code == 200
    activity = next(e for e in echo_bot.wait_for(1, "Activity") if e["object"]["name"] == "user_added")
    assert activity["actor"]["id"] == "users/alice"
    content = json.loads(activity["object"]["content"])
    assert content["message"] == "{actor} added {user}" and content["parameters"]["user"]["id"] == "carol"

    # A message reaches the bot (which checked the signature, or it would have refused it) …
    sent = send(bob, token, "hello robot")
    create = echo_bot.wait_for(1, "Create")[0]
    assert create["actor"] == {"type": "Person", "id": "users/bob", "name": "Bob Brown", "talkParticipantType": "3"}
    assert create["object"]["id"] == str(sent["id"]) and create["object"]["name"] == "message"
    assert json.loads(create["object"]["content"]) == {"message": "hello robot", "parameters": []}
    assert create["target"] == {"type": "Collection", "id": token, "name": "With a bot"}
    # … and its answer is a message from the bot.
    echo = wait_for_message(alice, token, "echo: hello robot")
    assert (echo["actorType"], echo["actorId"], echo["actorDisplayName"]) == ("bots", actor_id, "Echo (Bot)")
    # The bot's own message is not sent back to it.
    jobs_done(testing_server)
    assert len(echo_bot.wait_for(1, "Create")) == 1

    # A command answered as a reply, and a reaction from the bot.
    ping = send(alice, token, "/ping")
    pong = wait_for_message(alice, token, "pong")
    assert pong["parent"]["id"] == ping["id"]
    create = echo_bot.wait_for(2, "Create")[1]
    assert create["object"]["id"] == str(ping["id"])
    like = send(alice, token, "/like")
    deadline_reactions: dict[str, object] = {}
    for _ in range(600):
        found = data(alice.get(f"{REACTION}/{token}/{like['id']}"))
        if found:
            deadline_reactions = found
            break
        time.sleep(0.05)
    assert [(r["actorType"], r["actorId"]) for r in deadline_reactions["👍"]] == [("bots", actor_id)]

    # Reactions reach bots with the reaction feature: Like, then Undo.
    assert alice.post(f"{REACTION}/{token}/{sent['id']}", json={"reaction": "🎉"}).status_code == 201
    liked = echo_bot.wait_for(1, "Like")[0]
    assert liked["content"] == "🎉" and liked["actor"]["id"] == "users/alice"
    assert liked["object"]["id"] == str(sent["id"])
    assert alice.delete(f"{REACTION}/{token}/{sent['id']}", params={"reaction": "🎉"}).status_code == 200
    undo = echo_bot.wait_for(1, "Undo")[0]
    assert undo["object"]["type"] == "Like" and undo["object"]["content"] == "🎉"

    # Disabled: the bot hears Leave and nothing more.
    disabled = alice.delete(f"{BOT}/{token}/{bot_id}")
    assert disabled.status_code == 200 and data(disabled)["state"] == 0
    echo_bot.wait_for(1, "Leave")
    creates = len(echo_bot.wait_for(3, "Create"))
    send(bob, token, "anyone there?")
    jobs_done(testing_server)
    assert len(echo_bot.wait_for(0, "Create")) == creates
    testing_server.occ("talk:bot:uninstall", str(bot_id))


def _signed(secret: str, text: str, random: str | None = None) -> dict[str, str]:
    random = random or secrets.token_hex(32)
    signature = hmac.new(secret.encode(), (random + text).encode(), hashlib.sha256).hexdigest()
    return {**OCS_HEADERS, "X-Nextcloud-Talk-Bot-Random": random, "X-Nextcloud-Talk-Bot-Signature": signature}


def test_bot_requests_need_the_signature_of_an_enabled_bot(
    testing_server: ServerProcess, client_of: Callable[[str], TalkClient]
) -> None:
    alice = client_of("alice")
    secret = new_secret()
    url = f"responseonly://{secrets.token_hex(4)}"
    out = testing_server.occ("talk:bot:install", "Poster", secret, url, "-f", "response").stdout
    bot_id = int(out.split("ID: ")[1])
    token = group_room(alice, "Signed")["token"]
    base = f"{testing_server.base_url}/ocs/v2.php/{BOT}/{token}"
    testing_server.reset_bruteforce()
    try:
        # Not enabled here yet: no bot of this conversation signed it.
        refused = httpx.post(f"{base}/message", json={"message": "hi"}, headers=_signed(secret, "hi"))
        assert refused.status_code == 401
        testing_server.occ("talk:bot:setup", str(bot_id), token)
        wrong = httpx.post(f"{base}/message", json={"message": "hi"}, headers=_signed(new_secret(), "hi"))
        assert wrong.status_code == 401
        other_text = httpx.post(f"{base}/message", json={"message": "hi"}, headers=_signed(secret, "hello"))
        assert other_text.status_code == 401
        short = httpx.post(f"{base}/message", json={"message": "hi"}, headers=_signed(secret, "hi", "x" * 31))
        assert short.status_code == 400
        attempts = testing_server.query("SELECT count(*) AS n FROM bruteforce_attempts WHERE action = 'bot'")
        assert attempts[0]["n"] == 3

        posted = httpx.post(f"{base}/message", json={"message": "signed hi"}, headers=_signed(secret, "signed hi"))
        assert posted.status_code == 201, posted.text
        message = wait_for_message(alice, token, "signed hi")
        assert message["actorType"] == "bots" and message["actorDisplayName"] == "Poster (Bot)"
        # A bot's mention notifies, the bot named as Talk names it.
        text = "@bob have a look"
        added = alice.post(f"{ROOM}/{token}/participants", json={"newParticipant": "bob", "source": "users"})
        assert added.status_code == 200
        assert httpx.post(f"{base}/message", json={"message": text}, headers=_signed(secret, text)).status_code == 201
        jobs_done(testing_server)
        bob = client_of("bob")
        mention = next(n for n in data(bob.get(NOTIFICATIONS)) if n["object_id"].startswith(token))
        assert mention["subject"] == "Poster (Bot) mentioned you in conversation Signed"
        assert mention["subjectRichParameters"]["user"]["type"] == "highlight"
        empty = httpx.post(f"{base}/message", json={"message": "  "}, headers=_signed(secret, "  "))
        assert empty.status_code == 400
        reacted = httpx.post(f"{base}/reaction/{message['id']}", json={"reaction": "👍"}, headers=_signed(secret, "👍"))
        assert reacted.status_code == 201
        again = httpx.post(f"{base}/reaction/{message['id']}", json={"reaction": "👍"}, headers=_signed(secret, "👍"))
        assert again.status_code == 200
        gone = httpx.delete(
            f"{base}/reaction/{message['id']}", params={"reaction": "👍"}, headers=_signed(secret, "👍")
        )
        assert gone.status_code == 200
        missing = httpx.delete(
            f"{base}/reaction/{message['id']}", params={"reaction": "👍"}, headers=_signed(secret, "👍")
        )
        assert missing.status_code == 404
    finally:
        testing_server.reset_bruteforce()
        testing_server.occ("talk:bot:uninstall", str(bot_id))


def test_webhooks_wait_for_an_unreachable_bot_and_arrive_once(
    testing_server: ServerProcess, client_of: Callable[[str], TalkClient], tmp_path: Path
) -> None:
    alice, admin = client_of("alice"), client_of("admin")
    bot = EchoBot(tmp_path, new_secret())  # not started: nothing listens on its port yet
    bot_id = install(testing_server, bot, "webhook")
    token = group_room(alice, "Patience")["token"]
    testing_server.occ("talk:bot:setup", str(bot_id), token)
    try:
        sent = [send(alice, token, f"while away {n}")["id"] for n in range(3)]
        # Tried and failed: the jobs wait for their next try, the bot's errors are counted.
        deadline_errors = 0
        for _ in range(600):
            rows = testing_server.query("SELECT error_count FROM bots_server WHERE id = :id", id=bot_id)
            deadline_errors = rows[0]["error_count"]
            if deadline_errors >= 4:  # Join and the three messages
                break
            time.sleep(0.05)
        assert deadline_errors >= 4
        listed = json.loads(testing_server.occ("background-job:list", "--state", "pending", "--output", "json").stdout)
        assert len([job for job in listed if job["kind"] == "bots.deliver"]) >= 4

        bot.start()
        jobs_done_or_dead(testing_server)
        # The longest wait between tries is a minute: moving the clock by one drains the backlog.
        advance_clock(admin, 61)
        creates = bot.wait_for(3, "Create")
        assert sorted(int(event["object"]["id"]) for event in creates) == sorted(sent)
        bot.wait_for(1, "Join")
        jobs_done(testing_server)
        advance_clock(admin, 3600)
        jobs_done(testing_server)
        # Each event once: a delivery answered 2xx is done and never sent again.
        events = bot.events()
        assert len([e for e in events if e["type"] == "Create"]) == 3
        assert len([e for e in events if e["type"] == "Join"]) == 1
    finally:
        bot.stop()
        testing_server.occ("talk:bot:uninstall", str(bot_id))


def test_a_webhook_gives_up_after_its_tries(
    testing_server: ServerProcess, client_of: Callable[[str], TalkClient], tmp_path: Path
) -> None:
    alice, admin = client_of("alice"), client_of("admin")
    bot = EchoBot(tmp_path, new_secret())  # never started
    bot_id = install(testing_server, bot, "webhook")
    token = group_room(alice, "Nobody home")["token"]
    testing_server.occ("talk:bot:setup", str(bot_id), token)
    try:
        send(alice, token, "lost")
        for _ in range(12):
            # Never while a try runs: a clock moved past its lease would let it be taken twice.
            jobs_done_or_dead(testing_server)
            advance_clock(admin, 61)
        dead = json.loads(testing_server.occ("background-job:list", "--state", "dead", "--output", "json").stdout)
        mine = [job for job in dead if job["kind"] == "bots.deliver"]
        assert mine and all(job["attempts"] >= job["max_attempts"] for job in mine)
    finally:
        testing_server.occ("talk:bot:uninstall", str(bot_id))


def jobs_done_or_dead(server: ServerProcess) -> None:
    """Wait until no job is due and held by a runner (the ones waiting for a later try may stay)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running = server.query("SELECT count(*) AS n FROM jobs WHERE state = 'pending' AND locked_by IS NOT NULL")
        if not running[0]["n"]:
            return
        time.sleep(0.05)

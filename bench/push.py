"""Mention-to-push latency: from the start of a chat send that mentions Bob to the moment Bob's
encrypted web push reaches a push service on loopback, against the time a bare POST of a push of
the same size from this process to the same service takes, in the same run.

    .venv/bin/python -m bench.push                       # 200 rounds
    .venv/bin/python -m bench.push --rounds 20 --no-write

The push service (tests/support/push_service.py) listens on HTTPS with a certificate Causerie is
told to trust (SSL_CERT_FILE); the administrator's switch allows pushes to loopback. Between the
send and the push: the send's transaction enqueues the notification job, the job runner creates
the notification and enqueues the push job, the push job encrypts, signs and POSTs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tests.support.push_service import PushService

from bench.procs import causerie_server, machine_facts, password_of
from bench.results import median, percentile, table, write_section

TALK = "/ocs/v2.php/apps/spreed/api"
WEBPUSH = "/ocs/v2.php/apps/notifications/api/v2/webpush"
HEADERS = {"OCS-APIRequest": "true", "Accept": "application/json"}


def _occ(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "causerie.cli.occ", *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _subscribe(base: str, env: dict[str, str], service: PushService) -> Any:
    app_password = _occ(env, "user:add-app-password", "bob", "--name", "bench").strip().splitlines()[-1]
    bob = httpx.Client(base_url=base, auth=("bob", app_password), headers=HEADERS, timeout=30)
    subscription = service.subscription("/push/bench")
    body = {"endpoint": subscription.endpoint, "uaPublicKey": subscription.p256dh, "auth": subscription.auth}
    assert bob.post(WEBPUSH, data={**body, "appTypes": "talk"}).status_code == 201
    token = subscription.decrypt(service.next_push("/push/bench").body)["activationToken"]
    assert bob.post(f"{WEBPUSH}/activate", data={"activationToken": token}).status_code == 202
    return subscription


def run(rounds: int) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="causerie-bench-push-"))
    service = PushService(workdir)
    try:
        with causerie_server(workdir, {"SSL_CERT_FILE": str(service.cert_path)}) as server:
            base = f"http://127.0.0.1:{server.port}"
            env = {**server.env}
            _occ(env, "config:app:set", "core", "allow_local_remote_servers", "--value", "true", "--type", "boolean")
            subscription = _subscribe(base, env, service)
            alice = httpx.Client(base_url=base, auth=("alice", password_of("alice")), headers=HEADERS, timeout=30)
            created = alice.post(f"{TALK}/v4/room", json={"roomType": 2, "roomName": "bench"}).json()["ocs"]["data"]
            token = created["token"]
            alice.post(f"{TALK}/v4/room/{token}/participants", json={"newParticipant": "bob", "source": "users"})
            bare = httpx.Client(verify=str(service.cert_path), timeout=30)
            size = 0
            mention_ms: list[float] = []
            bare_ms: list[float] = []
            for round_no in range(rounds + 1):  # the first round warms up
                started = time.monotonic()
                sent = alice.post(f"{TALK}/v1/chat/{token}", json={"message": f"@bob round {round_no}"})
                assert sent.status_code == 201, sent.text
                push = service.next_push("/push/bench")
                assert subscription.decrypt(push.body)["subject"].endswith(f"round {round_no}")
                size = len(push.body)
                # The same service, a push of the same size, posted straight from here.
                started_bare = time.monotonic()
                bare.post(f"https://127.0.0.1:{service.port}/bare", content=os.urandom(size))
                reached = service.next_push("/bare")
                if round_no:
                    mention_ms.append((push.received_at - started) * 1000)
                    bare_ms.append((reached.received_at - started_bare) * 1000)
    finally:
        service.close()
    rows = [
        ["bare POST to the push service", f"{median(bare_ms):.1f}", f"{percentile(bare_ms, 99):.1f}", "1.0x"],
        [
            "mention sent → push received",
            f"{median(mention_ms):.1f}",
            f"{percentile(mention_ms, 99):.1f}",
            f"{median(mention_ms) / median(bare_ms):.1f}x",
        ],
    ]
    return f"{rounds} rounds, one after the other; pushes of {size} bytes (encrypted), HTTPS on loopback.\n\n" + table(
        ["path", "p50 ms", "p99 ms", "p50 vs bare"], rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = run(args.rounds)
    command = ("python -m bench.push " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        print(write_section("push", "Mention to web push (SQLite)", command, facts, body))


if __name__ == "__main__":
    main()

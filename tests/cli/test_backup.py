"""occ maintenance:backup: a copy taken while clients send restores with everything acknowledged before it."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.support import server as support
from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess
from tests.support.talk import CHAT, group_room, history

pytestmark = pytest.mark.skipif(
    support.test_database_kind() != "sqlite", reason="the SQLite backup (pg_dump on PostgreSQL)"
)


SENDERS = 20


def _server(data_dir: Path) -> ServerProcess:
    data_dir.mkdir(parents=True, exist_ok=True)
    return ServerProcess(data_dir, f"sqlite:///{data_dir / 'causerie.db'}")


def test_a_backup_taken_while_clients_send_restores_everything_acknowledged_before_it(tmp_path: Path) -> None:
    live = _server(tmp_path / "live")
    live.seed()
    live.start()
    acknowledged: list[tuple[float, int]] = []
    stop = threading.Event()
    senders: list[threading.Thread] = []
    try:
        alice = TalkClient(live.base_url, "alice")
        token = group_room(alice, "bob")
        lock = threading.Lock()

        def keep_sending(client: TalkClient, number: int) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                response = client.post(f"{CHAT}/{token}", json={"message": f"sender {number}: message {n}"})
                assert response.status_code == 201
                with lock:
                    acknowledged.append((time.monotonic(), int(data(response)["id"])))
            client.close()

        # Twenty clients sending at once, as a team would while the copy is made.
        for number in range(SENDERS):
            sender = threading.Thread(target=keep_sending, args=(TalkClient(live.base_url, "alice"), number))
            sender.start()
            senders.append(sender)
        while len(acknowledged) < SENDERS:
            time.sleep(0.05)
        started = time.monotonic()
        backup = tmp_path / "causerie-backup.db"
        result = live.occ("maintenance:backup", str(backup))
        sent = len(acknowledged)
        while len(acknowledged) < sent + SENDERS:
            time.sleep(0.05)
        stop.set()
        for sender in senders:
            sender.join(timeout=60)
        alice.close()
    finally:
        stop.set()
        live.stop()
    assert f"Backed up {tmp_path / 'live' / 'causerie.db'} to {backup}" in result.stdout
    before = {message_id for at, message_id in acknowledged if at < started}
    after_start = {message_id for at, message_id in acknowledged if at >= started}
    assert before and after_start, "the clients must have been sending while the copy was made"
    # The copy stands alone (no WAL beside it) and passes SQLite's own check.
    assert not backup.with_name(backup.name + "-wal").exists()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    # Restore as the docs say: the copy becomes causerie.db of a data directory.
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy(backup, restored_dir / "causerie.db")
    restored = _server(restored_dir)
    restored.start()
    try:
        bob = TalkClient(restored.base_url, "bob")
        ids = {m["id"] for m in history(bob, token, limit=200)}
        while True:  # the older pages, until Talk's 304 says there are none
            older = bob.get(
                f"{CHAT}/{token}", params={"lookIntoFuture": 0, "limit": 200, "lastKnownMessageId": min(ids)}
            )
            if older.status_code == 304:
                break
            ids |= {m["id"] for m in data(older)}
        assert before <= ids, f"lost: {sorted(before - ids)}"
        bob.close()
    finally:
        restored.stop()


def test_backup_refuses_an_existing_file_and_postgresql(tmp_path: Path) -> None:
    process = _server(tmp_path / "data")
    process.occ("--init", "status")
    taken = tmp_path / "taken.db"
    taken.write_text("keep me")
    refused = process.occ("maintenance:backup", str(taken), check=False)
    assert refused.returncode == 1 and "exists already" in refused.stderr
    assert taken.read_text() == "keep me"
    on_pg = process.occ(
        "maintenance:backup",
        str(tmp_path / "x.db"),
        env={"CAUSERIE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
        check=False,
    )
    assert on_pg.returncode == 1 and "pg_dump" in on_pg.stderr

"""occ db:convert-type: a SQLite installation with every table filled moves to PostgreSQL, and a server
started on PostgreSQL shows nc-py-api the same history."""

from __future__ import annotations

import hashlib
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nc_py_api import Nextcloud
from sqlalchemy import Boolean, Float, Integer, LargeBinary, String, Table, create_engine, func, insert, select

from causerie.storage.schema import metadata
from tests.conftest import fresh_postgres_database
from tests.support.client import TalkClient
from tests.support.server import PG_ADMIN_DSN, ServerProcess, password_of
from tests.support.talk import CHAT, group_room, send


@pytest.fixture
def pg_admin_url() -> Iterator[str]:
    """PostgreSQL is reachable (or the test is skipped loudly): its admin URL."""
    for _ in fresh_postgres_database():
        yield PG_ADMIN_DSN


@pytest.fixture
def causerie_role(pg_admin_url: str) -> Iterator[tuple[str, str, str]]:
    """A role and a database of its own, made with the statements docs/operations.md gives."""
    import psycopg2

    name = f"causerie_conv_{uuid.uuid4().hex[:8]}"
    secret = "s3cret-" + uuid.uuid4().hex[:8]
    admin = psycopg2.connect(pg_admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        for statement in documented_statements():
            cur.execute(statement.replace("causerie", name).replace("SECRET", secret))
    try:
        yield name, secret, name
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f"DROP DATABASE IF EXISTS {name}")
            cur.execute(f"DROP ROLE IF EXISTS {name}")
        admin.close()


def documented_statements() -> list[str]:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    section = docs.split("### Creating the PostgreSQL role and database", 1)[1]
    block = section.split("```sql", 1)[1].split("```", 1)[0]
    statements = [s.strip() for s in block.split(";") if s.strip()]
    assert [s.split()[:2] for s in statements] == [["CREATE", "ROLE"], ["CREATE", "DATABASE"]]
    return statements


def _value(table: Table, column: Any, conn: Any) -> Any:
    for key in column.foreign_keys:
        target = key.column
        return conn.execute(select(target).limit(1)).scalar_one()
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Float):
        return 1.5
    if isinstance(kind, LargeBinary):
        return f"{table.name} {column.name}".encode()
    if isinstance(kind, String):
        length = getattr(kind, "length", None) or 16
        return f"{table.name}-{column.name}"[:length]
    return f"{table.name} {column.name}"


def fill_empty_tables(database: Path) -> None:
    """One made-up row in every table the API use left empty, foreign keys pointing at real rows."""
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                continue
            row = {
                column.name: _value(table, column, conn)
                for column in table.columns
                if not (column.primary_key and column.autoincrement is True and not column.foreign_keys)
            }
            conn.execute(insert(table), row)
    engine.dispose()


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
    with engine.connect() as conn:
        found = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in metadata.sorted_tables}
    engine.dispose()
    return found


def indexed(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
    with engine.connect() as conn:
        found = int(conn.exec_driver_sql("SELECT count(*) FROM message_search").scalar_one())
    engine.dispose()
    return found


def nc_history(base_url: str, token: str) -> list[tuple[int, str, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        nc = Nextcloud(nextcloud_url=base_url, nc_auth_user="alice", nc_auth_pass=password_of("alice"))
    conversation = next(c for c in nc.talk.get_user_conversations() if c.token == token)
    messages = nc.talk.receive_messages(conversation, limit=100)
    return [(m.message_id, m.actor_id, m.message) for m in messages]


def test_convert_a_filled_sqlite_database_to_postgresql(tmp_path: Path, causerie_role: tuple[str, str, str]) -> None:
    role, secret, database = causerie_role
    sqlite_file = tmp_path / "causerie.db"
    live = ServerProcess(tmp_path, f"sqlite:///{sqlite_file}")
    live.seed()
    live.start()
    try:
        alice = TalkClient(live.base_url, "alice")
        token = group_room(alice, "bob", name="Moving house")
        sent = send(alice, token, "hello @bob, we are moving")
        alice.post(f"apps/spreed/api/v1/reaction/{token}/{sent['id']}", json={"reaction": "👍"})
        send(alice, token, "second message")
        live.occ("config:app:set", "spreed", "start_calls", "--value", "1")
        live.occ("user:add-app-password", "alice")
        before = nc_history(live.base_url, token)
        alice.close()
    finally:
        live.stop()
    fill_empty_tables(sqlite_file)
    in_sqlite = counts(f"sqlite:///{sqlite_file}")
    assert all(in_sqlite.values()), [name for name, n in in_sqlite.items() if not n]
    fingerprint = hashlib.sha256(sqlite_file.read_bytes()).hexdigest()

    args = ["db:convert-type", "--password", secret, "--all-apps", "pgsql", role, "127.0.0.1", database]
    converted = live.occ(*args)
    assert f"Verified: {len(metadata.sorted_tables)} tables" in converted.stdout, converted.stdout
    assert f"CAUSERIE_DATABASE_URL=postgresql://{role}:***@127.0.0.1/{database}" in converted.stdout
    assert secret not in converted.stdout + converted.stderr
    assert hashlib.sha256(sqlite_file.read_bytes()).hexdigest() == fingerprint
    pg_url = f"postgresql://{role}:{secret}@127.0.0.1:5432/{database}"
    assert counts(pg_url) == in_sqlite
    assert indexed(pg_url) >= 2, "PostgreSQL's triggers index the copied comments for search"

    # Again: the target holds data now, and only --clear-schema replaces it.
    again = live.occ(*args, check=False)
    assert again.returncode == 1 and "--clear-schema" in again.stderr
    live.occ("db:convert-type", "--clear-schema", "--password", secret, "pgsql", role, "127.0.0.1", database)
    assert counts(pg_url) == in_sqlite

    moved = ServerProcess(tmp_path / "pg", pg_url)
    moved.data_dir.mkdir()
    moved.start()
    try:
        assert nc_history(moved.base_url, token) == before
        # New rows get new ids after the copied ones (the sequences moved past them).
        bob = TalkClient(moved.base_url, "bob")
        newer = send(bob, token, "from PostgreSQL")
        assert newer["id"] > max(message_id for message_id, _, _ in before)
        assert bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 200
        bob.close()
    finally:
        moved.stop()


def test_convert_refuses_other_types_and_a_running_server(tmp_path: Path) -> None:
    live = ServerProcess(tmp_path, f"sqlite:///{tmp_path / 'causerie.db'}")
    wrong = live.occ("--init", "db:convert-type", "--password", "", "mysql", "u", "h", "d", check=False)
    assert wrong.returncode == 2 and "SQLite and PostgreSQL" in wrong.stderr
    live.start()
    try:
        busy = live.occ("db:convert-type", "--password", "", "pgsql", "u", "127.0.0.1", "d", check=False)
        assert busy.returncode == 1 and "stop it first" in busy.stderr
    finally:
        live.stop()

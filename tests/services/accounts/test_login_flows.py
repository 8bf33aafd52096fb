"""Housekeeping of login flows and one-time tokens, and the nc:// link's encoding."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from causerie.services.accounts import app_passwords, login_flows, users
from causerie.storage.db import Database
from causerie.storage.migrate import upgrade


def test_the_v1_link_encodes_as_php_urlencode() -> None:
    link = login_flows.v1_redirect("https://cloud.example.com", "ann lee@example.com~", "abc")
    assert link == "nc://login/server:https://cloud.example.com&user:ann+lee%40example.com%7E&password:abc"


def test_purge_removes_expired_flows_and_onetime_tokens_only(tmp_path: Path) -> None:
    async def run() -> tuple[int, int, int]:
        db = Database(f"sqlite+pysqlite:///{tmp_path / 'purge.db'}")
        try:
            await upgrade(db)
            async with db.write() as conn:
                await users.create(conn, "zoe", "zoe-password")
                await login_flows.start_v2(conn, "old client", "https://x")
                await login_flows.start_v2(conn, "new client", "https://x")
                await conn.execute(
                    text("UPDATE login_flows SET created_at = created_at - 1201 WHERE client_name = 'old client'")
                )
                await app_passwords.create_onetime(conn, "zoe", now=1)
                await app_passwords.create_onetime(conn, "zoe")
                await app_passwords.create(conn, "zoe", "phone")
            removed = await login_flows.purge(db)
            async with db.read() as conn:
                flows = (await conn.execute(text("SELECT count(*) FROM login_flows"))).scalar_one()
                kept = (await conn.execute(text("SELECT count(*) FROM app_passwords"))).scalar_one()
            return removed, flows, kept
        finally:
            await db.dispose()

    assert asyncio.run(run()) == (2, 1, 2)

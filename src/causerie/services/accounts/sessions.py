"""Browser and guest sessions: Nextcloud's PHP session, kept in the database under a cookie.

The cookie holds a random id; the database only its SHA-256, so a leaked table opens no session.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from causerie.storage.accounts import sessions as store
from causerie.storage.db import Database

# Sessions end after this long unused (Nextcloud: session_lifetime of a day; the "remember me"
# cookie of a logged-in browser lasts 15 days). Guests keep their identity in an anonymous session.
ANONYMOUS_SESSION_LIFETIME = 24 * 3600
USER_SESSION_LIFETIME = 15 * 24 * 3600
# A session in use has its last_seen moved at most this often (a write, not one per request).
TOUCH_EVERY = 3600
# Longer cookie values are not ours; they are not even hashed.
MAX_COOKIE_LENGTH = 128


def hash_session_id(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class HttpSession:
    """A browser (or guest client's) cookie session, as Nextcloud's PHP session."""

    id_hash: str
    uid: str | None
    csrf_token: str
    data: dict[str, Any] = field(default_factory=dict)
    # Set only for a session created during this request, so that the cookie can be sent.
    new_cookie: str | None = None
    dirty: bool = False

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.dirty = True


async def load(db: Database, cookie: str | None) -> HttpSession | None:
    """The session of a cookie value, unless it is unknown or expired."""
    if not cookie or len(cookie) > MAX_COOKIE_LENGTH:
        return None
    id_hash = hash_session_id(cookie)
    async with db.read() as conn:
        row = await store.get(conn, id_hash)
    if row is None:
        return None
    now = int(time.time())
    lifetime = ANONYMOUS_SESSION_LIFETIME if row.uid is None else USER_SESSION_LIFETIME
    if row.last_seen < now - lifetime:
        return None  # expired; purge() deletes it
    if row.last_seen < now - TOUCH_EVERY:
        async with db.write() as conn:
            await store.touch(conn, id_hash, now)
    try:
        data = json.loads(row.data)
    except json.JSONDecodeError:
        data = {}
    return HttpSession(id_hash=id_hash, uid=row.uid, csrf_token=row.csrf_token, data=data)


async def create(db: Database, uid: str | None) -> HttpSession:
    raw = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    id_hash = hash_session_id(raw)
    async with db.write() as conn:
        await store.insert(conn, id_hash, uid, csrf, int(time.time()))
    return HttpSession(id_hash=id_hash, uid=uid, csrf_token=csrf, new_cookie=raw)


async def save(db: Database, session: HttpSession) -> None:
    if not session.dirty:
        return
    async with db.write() as conn:
        await store.update_data(conn, session.id_hash, json.dumps(session.data), int(time.time()))
    session.dirty = False


async def delete(db: Database, session: HttpSession) -> None:
    async with db.write() as conn:
        await store.delete(conn, session.id_hash)


async def purge(db: Database) -> int:
    """Delete the sessions that have expired (run at start and every hour)."""
    now = int(time.time())
    async with db.write() as conn:
        return await store.purge(
            conn, anonymous_before=now - ANONYMOUS_SESSION_LIFETIME, users_before=now - USER_SESSION_LIFETIME
        )

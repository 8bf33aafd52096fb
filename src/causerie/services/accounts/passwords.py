"""Checking the credentials clients send: passwords (remembered for a while) and app passwords."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from causerie.services.accounts.hashing import app_password_hash, verify_nothing, verify_password
from causerie.services.accounts.users import Account, User, get, user_of
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Conn

# How stale an app password's "last used" may be (Nextcloud updates its tokens' last activity
# at most every minute; the devices page only needs the day).
TOUCH_EVERY_S = 3600


@dataclass(frozen=True)
class CachedLogin:
    """Credentials checked before, to be confirmed against the stored user (``PasswordChecker.confirm``)."""

    key: bytes
    user: User
    password_hash: str


class PasswordChecker:
    """Checks user passwords and app passwords.

    Clients send Basic auth on every request and argon2 is slow on purpose, so a successful check
    is remembered for a few minutes, keyed by a keyed hash of the credentials and tied to the stored
    password hash (a password change invalidates it at once).
    """

    def __init__(self, ttl: float = 300.0, max_entries: int = 10_000) -> None:
        self._key = secrets.token_bytes(32)
        self._ttl = ttl
        self._max = max_entries
        self._ok: dict[bytes, tuple[User, str, float]] = {}
        # App passwords used whose ``last_used`` is older than TOUCH_EVERY_S: written by the caller
        # after its read (``take_used``), so a client's requests cost one write an hour, not each.
        self._used: set[int] = set()

    def _cache_key(self, login: str, password: str) -> bytes:
        # Keyed BLAKE2 is a MAC, and a tenth of the cost of OpenSSL's HMAC for a request's few bytes.
        return hashlib.blake2b(f"{login}\0{password}".encode(), key=self._key, digest_size=32).digest()

    async def check(self, conn: Conn, login: str, password: str, *, app_passwords: bool = True) -> User | None:
        """The user these credentials belong to, or None. ``app_passwords=False``: the account's
        password only (pages: an app password must not open a web login or grant another one)."""
        row = await accounts.get_user(conn, login)
        if row is None or not row.enabled:
            await verify_nothing(password)
            return None
        remembered = self.cached(login, password)
        if remembered is not None and remembered.password_hash == row.password_hash:
            return user_of(row)
        app_password = await accounts.app_password_by_hash(conn, app_password_hash(password)) if app_passwords else None
        if app_password is not None and hmac.compare_digest(app_password.uid, row.uid):
            self._note_use(app_password)
            return user_of(row)
        if not await verify_password(row.password_hash, password):
            return None
        if len(self._ok) >= self._max:
            self._ok.clear()
        user = user_of(row)
        self._ok[self._cache_key(login, password)] = (user, row.password_hash, time.monotonic() + self._ttl)
        return user

    def cached(self, login: str, password: str) -> CachedLogin | None:
        """A successful check of these credentials still remembered (no database read, no argon2)."""
        key = self._cache_key(login, password)
        entry = self._ok.get(key)
        if entry is None or entry[2] <= time.monotonic():
            return None
        return CachedLogin(key, entry[0], entry[1])

    def confirm(self, login: CachedLogin, stored: Account | None) -> User | None:
        """The user of a remembered check, if it is still ``stored`` (read in the caller's
        transaction) with the password hash it had then."""
        if stored is None or not stored.enabled or stored.password_hash != login.password_hash:
            self._ok.pop(login.key, None)
            return None
        return user_of(stored)

    async def check_app_password(self, conn: Conn, token: str) -> User | None:
        """For ``Authorization: Bearer <app password>``."""
        app_password = await accounts.app_password_by_hash(conn, app_password_hash(token))
        if app_password is None:
            return None
        self._note_use(app_password)
        user = await get(conn, app_password.uid)
        return user if user is not None and user.enabled else None

    def _note_use(self, app_password: Any) -> None:
        last = app_password.last_used
        if last is None or last < time.time() - TOUCH_EVERY_S:
            self._used.add(int(app_password.id))

    def take_used(self) -> list[int]:
        """App passwords whose ``last_used`` is due to be written (each handed out once)."""
        used, self._used = sorted(self._used), set()
        return used

    def forget(self, uid: str) -> None:
        """Forget every remembered check of a user's credentials ("sign out everywhere", disabling):
        the next request verifies its password again."""
        for key in [key for key, entry in self._ok.items() if entry[0].uid == uid]:
            self._ok.pop(key, None)

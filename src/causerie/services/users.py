"""Accounts: users, groups, passwords (argon2) and app passwords."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from causerie.services.errors import BadRequest, Conflict, NotFound, TooManyRequests
from causerie.storage import accounts, locks, rows
from causerie.storage.db import Conn

# As in Nextcloud: the group whose members administer the server, and its first member.
ADMIN_GROUP = "admin"
FIRST_ADMIN = "admin"
# Nextcloud's rule for login names.
_UID_RE = re.compile(r"^[a-zA-Z0-9 _.@\-']+$")
_hasher = PasswordHasher()
T = TypeVar("T")


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so that timing does not tell.

    Made on first use: hashing costs ~0.4 s, which every ``occ`` call would otherwise pay at import.
    """
    return _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    uid: str
    display_name: str
    email: str | None = None


def validate_uid(uid: str) -> None:
    if not uid or len(uid) > 64 or not _UID_RE.match(uid) or uid.strip() != uid:
        raise BadRequest(
            "uid",
            "Only the following characters are allowed in a user name: a-z, A-Z, 0-9, spaces and _.@-'",
        )


def validate_gid(gid: str) -> None:
    if not gid or len(gid) > 64 or gid.strip() != gid:
        raise BadRequest("gid", "Invalid group name")


REFUSAL_PAUSE_S = 1.0
# Low enough that the event loop wins every contended core (the kernel then gives argon2 about a
# tenth of a core), high enough that logins still progress on a busy server.
HASHING_NICE = 10


class _HashingPool:
    """Where argon2 runs: a bounded number of threads at a low CPU priority (``HASHING_NICE``).

    One hash or verification takes about a tenth of a second of one to two cores (argon2 computes its
    lanes on threads of its own, which inherit the priority). A flood of wrong passwords therefore
    queues here instead of occupying every core, and the event loop, at normal priority, keeps serving
    everyone else. Past ``max_waiting`` queued checks, more are refused with 429."""

    def __init__(self, workers: int, max_waiting: int) -> None:
        self.workers = workers
        self.max_waiting = max_waiting
        self.pending = 0
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None

    def _executor_of(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                self.workers, thread_name_prefix="argon2", initializer=_low_priority
            )
        return self._executor

    async def run(self, work: Callable[[], T]) -> T:
        if self.pending >= self.workers + self.max_waiting:
            # Answered after a pause: a client that hammers the full queue costs a timer, not a loop.
            await asyncio.sleep(REFUSAL_PAUSE_S)
            raise TooManyRequests(message="Too many password checks at once, try again later")
        self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor_of(), work)
        finally:
            self.pending -= 1


def _low_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # per-thread nice values are Linux's
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICE)


hashing = _HashingPool(workers=max(1, (os.cpu_count() or 2) // 2), max_waiting=256)


async def hash_password(password: str) -> str:
    return await hashing.run(lambda: _hasher.hash(password))


async def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await hashing.run(check)


def app_password_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_app_password() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    chunks = ["".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(5)]
    return "-".join(chunks)


@dataclass(frozen=True)
class Account:
    """A user as stored, with the password hash that remembered credentials are confirmed against."""

    uid: str
    display_name: str
    email: str | None
    password_hash: str


def _row_to_user(row: object) -> User:
    return User(uid=row.uid, display_name=row.display_name, email=row.email)  # type: ignore[attr-defined]


async def account(conn: Conn, uid: str) -> Account | None:
    row = await accounts.get_user(conn, uid)
    return None if row is None else rows.from_row(Account, row)


async def get(conn: Conn, uid: str) -> User | None:
    row = await accounts.get_user(conn, uid)
    return None if row is None else _row_to_user(row)


async def require(conn: Conn, uid: str) -> User:
    user = await get(conn, uid)
    if user is None:
        raise NotFound("user", f"User {uid} does not exist")
    return user


async def create(conn: Conn, uid: str, password: str, display_name: str | None = None) -> User:
    validate_uid(uid)
    if not password:
        raise BadRequest("password", "A password is required")
    if await accounts.get_user(conn, uid) is not None:
        raise Conflict("uid", f"The user {uid} already exists")
    name = display_name or uid
    await accounts.insert_user(conn, uid, name, await hash_password(password), int(time.time()))
    return User(uid, name)


async def create_first_admin(conn: Conn) -> str | None:
    """On an installation without users, create ``admin`` in the ``admin`` group with a random
    password and return that password; None when there are users already.

    Processes started together on one database all try: the lock makes each wait until the one
    before has committed, and then find its administrator.
    """
    await locks.for_this_transaction(conn, locks.FIRST_ADMIN)
    if await accounts.count_users(conn) > 0:
        return None
    password = secrets.token_urlsafe(12)
    await create(conn, FIRST_ADMIN, password, "Administrator")
    if await accounts.get_group(conn, ADMIN_GROUP) is None:
        await accounts.insert_group(conn, ADMIN_GROUP, ADMIN_GROUP)
    await accounts.add_member(conn, ADMIN_GROUP, FIRST_ADMIN)
    return password


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

    def _cache_key(self, login: str, password: str) -> bytes:
        # Keyed BLAKE2 is a MAC, and a tenth of the cost of OpenSSL's HMAC for a request's few bytes.
        return hashlib.blake2b(f"{login}\0{password}".encode(), key=self._key, digest_size=32).digest()

    async def check(self, conn: Conn, login: str, password: str) -> User | None:
        """The user these credentials belong to, or None."""
        row = await accounts.get_user(conn, login)
        if row is None:
            await verify_password(await hashing.run(_dummy_hash), password)
            return None
        remembered = self.cached(login, password)
        if remembered is not None and remembered.password_hash == row.password_hash:
            return _row_to_user(row)
        owner = await accounts.app_password_owner(conn, app_password_hash(password))
        if owner is not None and hmac.compare_digest(owner, row.uid):
            return _row_to_user(row)
        if not await verify_password(row.password_hash, password):
            return None
        if len(self._ok) >= self._max:
            self._ok.clear()
        user = _row_to_user(row)
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
        if stored is None or stored.password_hash != login.password_hash:
            self._ok.pop(login.key, None)
            return None
        return _row_to_user(stored)

    async def check_app_password(self, conn: Conn, token: str) -> User | None:
        """For ``Authorization: Bearer <app password>``."""
        owner = await accounts.app_password_owner(conn, app_password_hash(token))
        return None if owner is None else await get(conn, owner)


async def create_app_password(conn: Conn, uid: str, name: str) -> str:
    await require(conn, uid)
    token = new_app_password()
    await accounts.insert_app_password(conn, uid, name, app_password_hash(token), int(time.time()))
    return token


async def display_names(conn: Conn, uids: list[str]) -> dict[str, str]:
    rows = await accounts.get_users(conn, uids)
    return {uid: row.display_name for uid, row in rows.items()}

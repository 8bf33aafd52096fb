"""Login flows: how a client obtains an app password through the user's browser.

Flow v1 (Talk Desktop, Talk iOS) lives in the browser's session and ends in a redirect to
``nc://login/…``; flow v2 (Talk Android, nc-py-api) is a stored flow the client polls for. Both
name the app password after the client's User-Agent, as Nextcloud does.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from urllib.parse import quote_plus

from causerie.services.accounts import app_passwords, hashing
from causerie.storage.accounts import login_flows as store
from causerie.storage.db import Conn, Database

# Nextcloud's LoginFlowV2Mapper::lifetime.
V2_LIFETIME_S = 20 * 60
V2_TOKEN_LENGTH = 128
STATE_TOKEN_LENGTH = 64


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def php_urlencode(value: str) -> str:
    """PHP's ``urlencode``: spaces as ``+``, everything but letters, digits and ``-_.`` encoded."""
    return quote_plus(value, safe="").replace("~", "%7E")


def v1_redirect(server: str, login_name: str, app_password: str) -> str:
    """The ``nc://`` URL that ends flow v1; Desktop matches it as
    ``^nc:\\/\\/login\\/server:(.*)&user:(.*)&password:(.*)$``, so the order is fixed."""
    return f"nc://login/server:{server}&user:{php_urlencode(login_name)}&password:{php_urlencode(app_password)}"


def new_state_token() -> str:
    return hashing.random_token(STATE_TOKEN_LENGTH)


@dataclass(frozen=True)
class Started:
    poll_token: str
    login_token: str


@dataclass(frozen=True)
class Flow:
    id: int
    client_name: str
    granted: bool


@dataclass(frozen=True)
class Credentials:
    server: str
    login_name: str
    app_password: str

    def as_json(self) -> dict[str, str]:
        return {"server": self.server, "loginName": self.login_name, "appPassword": self.app_password}


def _oldest_valid(now: int) -> int:
    return now - V2_LIFETIME_S


async def start_v2(conn: Conn, client_name: str, server: str) -> Started:
    now = int(time.time())
    await store.delete_older(conn, _oldest_valid(now))
    poll, login = hashing.random_token(V2_TOKEN_LENGTH), hashing.random_token(V2_TOKEN_LENGTH)
    await store.insert(conn, _hash(poll), _hash(login), client_name, server, now)
    return Started(poll, login)


async def open_v2(conn: Conn, login_token: str, *, mark_started: bool = False) -> Flow | None:
    """The flow a browser holds the login token of, unless it is unknown or expired."""
    if len(login_token) != V2_TOKEN_LENGTH:
        return None
    row = await store.by_login_token(conn, _hash(login_token), _oldest_valid(int(time.time())))
    if row is None:
        return None
    if mark_started and not row.started:
        await store.mark_started(conn, row.id)
    return Flow(row.id, row.client_name, row.uid is not None)


async def grant_v2(conn: Conn, flow: Flow, uid: str) -> bool:
    return await store.grant(conn, flow.id, uid, _oldest_valid(int(time.time())))


async def poll_v2(conn: Conn, poll_token: str) -> Credentials | None:
    """The credentials of a granted flow, once: the app password is made now and the flow ends."""
    if not poll_token or len(poll_token) > 1024:
        return None
    row = await store.take_granted(conn, _hash(poll_token), _oldest_valid(int(time.time())))
    if row is None:
        return None
    _, secret = await app_passwords.create(conn, row.uid, row.client_name)
    return Credentials(row.server, row.uid, secret)


async def purge(db: Database) -> int:
    """Delete expired v2 flows and one-time login tokens (housekeeping; each lookup refuses them
    anyway)."""
    now = int(time.time())
    async with db.write() as conn:
        flows = await store.delete_older(conn, _oldest_valid(now))
        return flows + await app_passwords.purge_onetime(conn, now)

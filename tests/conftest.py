"""Fixtures shared by every test: a real server process, clients for its users and guests."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.client import TalkClient
from tests.support.server import (
    REDIS_URL,
    ServerProcess,
    postgres_database,
    seeded_server,
    services_required,
    test_database_kind,
)


def pytest_report_header(config: pytest.Config) -> str:
    return f"causerie test database: {test_database_kind()}"


def _unavailable(service: str, error: Exception) -> None:
    message = f"{service} is not reachable ({error}); tests that need it cannot run"
    if services_required():
        pytest.fail(message + " and CAUSERIE_REQUIRE_SERVICES is set", pytrace=False)
    warnings.warn(message, stacklevel=2)
    pytest.skip("SKIPPED LOUDLY: " + message)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database the test server uses: SQLite by default, PostgreSQL with CAUSERIE_TEST_DB=postgresql."""
    if test_database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'causerie.db'}"
        return
    yield from fresh_postgres_database()


def fresh_postgres_database() -> Iterator[str]:
    """A new PostgreSQL database for as long as the generator runs; skipped loudly (or failed under
    CAUSERIE_REQUIRE_SERVICES) when PostgreSQL is not reachable."""
    try:
        context = postgres_database()
        url = context.__enter__()
    except Exception as exc:
        _unavailable("PostgreSQL", exc)
        return
    try:
        yield url
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis service (CAUSERIE_TEST_REDIS, default redis://127.0.0.1:6379/0), checked once."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:
        _unavailable("Redis", exc)
    return REDIS_URL


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[ServerProcess]:
    """One Causerie process for the whole session, seeded with users and a group."""
    with seeded_server(tmp_path_factory.mktemp("data"), database_url) as process:
        yield process


@pytest.fixture
def make_client(server: ServerProcess) -> Iterator[Callable[..., TalkClient]]:
    """``make_client("alice")`` for a user, ``make_client()`` for a guest with its own cookie jar."""
    with ExitStack() as stack:

        def make(user: str | None = None, **kw: object) -> TalkClient:
            client = TalkClient(server.base_url, user, **kw)  # type: ignore[arg-type]
            stack.callback(client.close)
            return client

        yield make


@pytest.fixture
def alice(make_client: Callable[..., TalkClient]) -> TalkClient:
    return make_client("alice")


@pytest.fixture
def bob(make_client: Callable[..., TalkClient]) -> TalkClient:
    return make_client("bob")


@pytest.fixture
def carol(make_client: Callable[..., TalkClient]) -> TalkClient:
    return make_client("carol")


@pytest.fixture
def guest(make_client: Callable[..., TalkClient]) -> TalkClient:
    return make_client()


@pytest.fixture
def reset_bruteforce(server: ServerProcess) -> Iterator[None]:
    """Forget failed attempts from 127.0.0.1 before and after a test that makes some."""
    server.reset_bruteforce("127.0.0.1")
    yield
    server.reset_bruteforce("127.0.0.1")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]

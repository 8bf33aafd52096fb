"""Fixtures of the API tests that need a server of their own: web push to a push service on
loopback (tests/api/push, and the push flags' probes in tests/api/config)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import fresh_postgres_database
from tests.support.push_service import PushService
from tests.support.server import ServerProcess
from tests.support.server import test_database_kind as database_kind


@pytest.fixture(scope="module")
def push_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PushService]:
    service = PushService(tmp_path_factory.mktemp("push"))
    yield service
    service.close()


@pytest.fixture(scope="module")
def push_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own: this server's job runner is the only one that sends its pushes."""
    if database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('push-db') / 'causerie.db'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture(scope="module")
def push_server(
    tmp_path_factory: pytest.TempPathFactory, push_service: PushService, push_database: str
) -> Iterator[ServerProcess]:
    process = ServerProcess(
        tmp_path_factory.mktemp("push-data"), push_database, extra_env={"SSL_CERT_FILE": str(push_service.cert_path)}
    )
    process.seed()
    process.start()
    # The push service is on loopback: allowed only by the administrator's switch.
    process.occ("config:app:set", "core", "allow_local_remote_servers", "--value", "true", "--type", "boolean")
    try:
        yield process
    finally:
        process.stop()

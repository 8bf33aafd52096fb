"""Nextcloud's throttling algorithm, and what a client sees when it keeps guessing passwords."""

from __future__ import annotations

import pytest

from causerie.services.bruteforce import delay_for, subnet_of
from tests.support.client import TalkClient, meta
from tests.support.server import ServerProcess


@pytest.mark.parametrize(
    ("attempts", "delay_ms"),
    [(0, 0), (1, 200), (2, 400), (3, 800), (4, 1600), (5, 3200), (6, 6400), (7, 12800), (8, 25000), (11, 25000)],
)
def test_delay_table(attempts: int, delay_ms: int) -> None:
    assert delay_for(attempts) == delay_ms


def test_subnets() -> None:
    assert subnet_of("10.1.2.3") == "10.1.2.3"
    assert subnet_of("2001:db8::1") == subnet_of("2001:db8::ffff") == "2001:db8::/64"
    assert subnet_of("::ffff:10.0.0.1") == "10.0.0.1"


def test_repeated_wrong_passwords_are_throttled_then_blocked(
    server: ServerProcess,
    make_client,
    reset_bruteforce: None,  # type: ignore[no-untyped-def]
) -> None:
    wrong = make_client("alice", password="nope")
    for _ in range(11):
        assert wrong.get("cloud/user").status_code == 401
    blocked = wrong.get("cloud/user")
    assert blocked.status_code == 429
    assert meta(blocked)["message"] == "Reached maximum delay"
    # The right password from the same address is blocked too: the counter is per address.
    assert make_client("alice").get("cloud/user").status_code == 429
    attempts = server.occ("security:bruteforce:attempts", "127.0.0.1", "login").stdout
    assert '"attempts": 11' in attempts and '"delay": 25000' in attempts
    server.occ("security:bruteforce:reset", "127.0.0.1")
    assert make_client("alice").get("cloud/user").status_code == 200


def test_exempt_addresses_are_not_counted(
    server: ServerProcess,
    make_client,
    reset_bruteforce: None,  # type: ignore[no-untyped-def]
) -> None:
    server.occ("config:app:set", "bruteForce", "whitelist_1", "--value", "127.0.0.0/8")
    try:
        wrong: TalkClient = make_client("alice", password="nope")
        for _ in range(12):
            assert wrong.get("cloud/user").status_code == 401
        assert make_client("alice").get("cloud/user").status_code == 200
    finally:
        server.occ("config:app:delete", "bruteForce", "whitelist_1")

"""The Redis broker against a real Redis: pokes cross processes, survive lost connections, and a
failing Redis never costs a local wake-up."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import pytest
import redis.asyncio as aioredis

from causerie.events.hub import Hub
from causerie.events.redis import RedisBroker, channel_for
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.redis

WAIT = 15.0


def _channel_url(redis_url: str) -> str:
    # One channel per test: parallel test runs share the machine's Redis.
    return f"{redis_url}?channel=causerie-test-{uuid.uuid4().hex}"


def run(redis_url: str, scenario: Callable[[str], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(_channel_url(redis_url)), timeout=60))


async def _started(url: str) -> tuple[Hub, RedisBroker]:
    hub = Hub()
    broker = RedisBroker(url, hub)
    await broker.start()
    assert broker.subscribed.is_set()
    return hub, broker


async def _kill_subscriber(redis_url: str, broker: RedisBroker) -> None:
    admin = aioredis.from_url(redis_url)
    try:
        name = f"causerie-sub-{broker.origin[:8]}"
        clients = await admin.client_list()
        ids = [c["id"] for c in clients if c.get("name") == name]
        assert ids, f"no Redis connection named {name}"
        for client_id in ids:
            await admin.client_kill_filter(_id=client_id)
    finally:
        await admin.aclose()


def test_a_publish_in_one_process_wakes_the_waiter_in_another(redis_url: str) -> None:
    async def scenario(url: str) -> None:
        _hub_a, broker_a = await _started(url)
        hub_b, broker_b = await _started(url)
        try:
            with hub_b.waiter("room:other") as other, hub_b.waiter("room:abc") as wanted:
                await broker_a.publish("room:abc")
                await asyncio.wait_for(wanted, WAIT)
                # Pokes arrive in order and "room:abc" is already here: nothing else was woken.
                assert not other.done()
        finally:
            await broker_a.close()
            await broker_b.close()

    run(redis_url, scenario)


def test_the_publisher_wakes_its_own_waiters_once(redis_url: str) -> None:
    async def scenario(url: str) -> None:
        hub_a, broker_a = await _started(url)
        hub_b, broker_b = await _started(url)
        try:
            with hub_b.waiter("room:abc") as remote:
                with hub_a.waiter("room:abc") as first:
                    await broker_a.publish("room:abc")
                    assert first.done()  # before any round trip to Redis
                # Registered before the loop ran again, so before A's own echo can come back.
                with hub_a.waiter("room:abc") as again, hub_a.waiter("fence") as fence:
                    await asyncio.wait_for(remote, WAIT)
                    # B has the poke, so Redis has sent A its echo already; B's fence comes after it.
                    await broker_b.publish("fence")
                    await asyncio.wait_for(fence, WAIT)
                    assert not again.done()
        finally:
            await broker_a.close()
            await broker_b.close()

    run(redis_url, scenario)


def test_a_lost_subscription_wakes_every_waiter_and_recovers(redis_url: str) -> None:
    async def scenario(url: str) -> None:
        _hub_a, broker_a = await _started(url)
        hub_b, broker_b = await _started(url)
        try:
            with hub_b.waiter("room:1") as one, hub_b.waiter("session:2") as two:
                await _kill_subscriber(redis_url, broker_b)
                # Pokes sent while B was deaf are lost; every waiter re-reads the database instead.
                await asyncio.wait_for(asyncio.gather(one, two), WAIT)
            assert broker_b.subscriptions >= 2
            with hub_b.waiter("room:after") as after:
                await broker_a.publish("room:after")
                await asyncio.wait_for(after, WAIT)
        finally:
            await broker_a.close()
            await broker_b.close()

    run(redis_url, scenario)


def test_redis_going_away_costs_no_local_wake_up_and_no_poke(redis_url: str) -> None:
    async def scenario(url: str) -> None:
        target = urlsplit(redis_url)
        proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379)
        await proxy.start()
        proxied = url.replace(f"{target.hostname}:{target.port}", f"127.0.0.1:{proxy.port}", 1)
        hub_a, broker_a = await _started(proxied)
        hub_b, broker_b = await _started(url)
        try:
            await proxy.cut()
            with hub_a.waiter("room:x") as local, hub_b.waiter("room:x") as remote:
                await broker_a.publish("room:x")
                assert local.done()
                await proxy.restore()
                # The send is retried until Redis is back; the poke reaches the other process.
                await asyncio.wait_for(remote, WAIT)
        finally:
            await broker_a.close()
            await broker_b.close()
            await proxy.close()

    run(redis_url, scenario)


def test_each_database_number_has_its_own_channel() -> None:
    assert channel_for("redis://127.0.0.1:6379/3") != channel_for("redis://127.0.0.1:6379/4")
    assert channel_for("redis://127.0.0.1:6379") == channel_for("redis://127.0.0.1:6379/0")
    assert channel_for("redis://h:1/2?channel=mine") == "mine"

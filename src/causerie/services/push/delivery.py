"""Delivering web pushes: one durable job per device and payload, enqueued in the transaction that
decided to push, run after the commit by the job runners (never on a request's path).

A push is the payload as JSON, encrypted for the subscription (RFC 8291, ``aes128gcm``) and signed
with the server's VAPID key (RFC 8292), POSTed to the subscription's endpoint (RFC 8030). A push
service that answers 404 or 410 has dropped the subscription: it is deleted and the job gives up.
Other failures (no connection, 429, 5xx) are tried again with the jobs' backoff.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
from pywebpush import WebPusher

from causerie.services.config.appconfig import AppConfig
from causerie.services.config.notifications_config import ALLOW_LOCAL, CORE
from causerie.services.jobs import queue as job_queue
from causerie.services.jobs.queue import GiveUp, JobContext
from causerie.services.push import hosts, vapid
from causerie.storage.db import Conn
from causerie.storage.push import subscriptions as store

log = logging.getLogger("causerie.push")

WEBPUSH_JOB = "push.webpush"
# How long a push service keeps a push for a device that is offline (Nextcloud's library default).
TTL_S = 4 * 7 * 24 * 3600
# Pushes larger than this are refused by some push services (RFC 8030 requires 4096 bytes).
MAX_PAYLOAD_BYTES = 3000


async def enqueue(
    conn: Conn, subscription_id: int, payload: dict[str, Any], *, urgency: str, activation: bool = False
) -> None:
    """Push ``payload`` to one subscription after the caller's transaction commits (call
    ``jobs.wake`` then)."""
    job = {"subscription": subscription_id, "payload": payload, "urgency": urgency, "activation": activation}
    await job_queue.enqueue(conn, WEBPUSH_JOB, job)


def encrypt(subscription: Any, body: bytes) -> bytes:
    pusher = WebPusher(
        {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    )
    encrypted: bytes = pusher.encode(body, content_encoding="aes128gcm")["body"]
    return encrypted


async def deliver(context: JobContext, job: dict[str, Any]) -> None:
    async with context.db.read() as conn:
        subscription = await store.by_id(conn, int(job["subscription"]))
        allow_local = (await AppConfig.load(conn, CORE)).boolean(ALLOW_LOCAL)
    if subscription is None:
        return  # the device unsubscribed meanwhile
    if not subscription.activated and not job.get("activation"):
        return
    endpoint = str(subscription.endpoint)
    if not await hosts.resolves_outside(endpoint, allow_local=allow_local):
        raise GiveUp(f"push endpoint {endpoint} resolves to a local address")
    body = json.dumps(job["payload"], separators=(",", ":"), ensure_ascii=False).encode()
    if len(body) > MAX_PAYLOAD_BYTES:
        raise GiveUp(f"push payload of {len(body)} bytes is too large")
    keys = await vapid.keys(context.db, context.base_url)
    headers = {
        "TTL": str(TTL_S),
        "Urgency": str(job.get("urgency") or "normal"),
        "Content-Type": "application/octet-stream",
        "Content-Encoding": "aes128gcm",
        **vapid.headers(keys, endpoint),
    }
    try:
        response = await context.http.post(endpoint, content=encrypt(subscription, body), headers=headers)
    except httpx.HTTPError as error:
        raise ConnectionError(f"push service unreachable: {error!r}") from error
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in (404, 410):
        async with context.db.write() as conn:
            current = await store.by_id(conn, int(subscription.id))
            if current is not None and current.endpoint == endpoint:
                await store.delete_by_id(conn, int(subscription.id))
        log.info("push subscription %s is gone (%s); removed", subscription.id, status)
        raise GiveUp(f"push service answered {status}: the subscription is gone")
    if status == 429 or status >= 500:
        raise ConnectionError(f"push service answered {status}")
    raise GiveUp(f"push service refused the push: {status} {response.text[:200]}")


# The job kinds this module runs (composed by app.JOB_MODULES).
jobs = {WEBPUSH_JOB: deliver}

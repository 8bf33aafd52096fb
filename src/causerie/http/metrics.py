"""Prometheus metrics of one process, and the request log line with its request id.

``GET /metrics`` is served only when ``CAUSERIE_METRICS_TOKEN`` is set, and only to a bearer of that
token: the numbers tell who is busy, and a scrape is cheap to ask for and not free to answer.
Requests are labelled by route template (``/ocs/v2.php/apps/spreed/api/v1/chat/{token}``), never by
the path itself, so the series stay few whatever clients send.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from causerie.runtime import Runtime
from causerie.services.jobs.queue import JOBS_KEY

access_log = logging.getLogger("causerie.access")

# Long-polls last up to 60 s; the buckets reach past them so that parked polls are not all "+Inf".
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 90.0)
CHAT_SEND = ("POST", "/ocs/v2.php/apps/spreed/api/v1/chat/{token}")
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
UNMATCHED = "(unmatched)"
CLIENT_GONE = 499


class Metrics:
    """The process's series, on a registry of its own (several apps in one test process stay apart)."""

    def __init__(self, runtime: Runtime) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "causerie_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "causerie_http_request_duration_seconds",
            "Time to answer, by method and route template (long-polls included: see their route).",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.messages = Counter(
            "causerie_chat_messages_sent", "Chat messages sent through this process.", registry=self.registry
        )
        hub = runtime.hub
        waiting = Gauge("causerie_longpolls_waiting", "Long-polls parked in this process.", registry=self.registry)
        # The job runner idles on the same hub; it is not a client's poll.
        waiting.set_function(lambda: hub.count() - hub.count(JOBS_KEY))
        self.registry.register(_WakeUps(runtime))
        pool = Gauge("causerie_db_connections", "Database connections, by state.", ["state"], registry=self.registry)
        for state in ("in_use", "idle"):
            pool.labels(state).set_function(_pool_reader(runtime, state))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if (method, route) == CHAT_SEND and status == 201:
            self.messages.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _WakeUps(Collector):
    """The hub counts the waiters it wakes; read as a counter when scraped, never kept twice."""

    def __init__(self, runtime: Runtime) -> None:
        self.hub = runtime.hub

    def collect(self) -> Iterable[Metric]:
        yield CounterMetricFamily("causerie_wakeups", "Waiters woken by pokes since start.", value=self.hub.woken)


def _pool_reader(runtime: Runtime, state: str) -> Callable[[], float]:
    return lambda: float(runtime.db.pool_status().get(state, 0))


def route_template(scope: Scope) -> str:
    """The template of the route that answered (set by Starlette's router or the OCS dispatcher)."""
    route = scope.get("route")
    path: object = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def request_id(scope: Scope) -> str:
    """The proxy's ``X-Request-Id`` when it is a plain token, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = str(value.decode("latin-1"))
            if _CLIENT_REQUEST_ID.match(given):
                return given
    return uuid.uuid4().hex[:16]


class Observe:
    """Counts every request for ``/metrics`` and logs one line for it, carrying its request id (also
    sent back as ``X-Request-Id``, so a user's report can be found in the log)."""

    def __init__(self, app: ASGIApp, metrics: Metrics | None, *, log_requests: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        logging_on = self.log_requests and access_log.isEnabledFor(logging.INFO)
        if scope["type"] != "http" or (self.metrics is None and not logging_on):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        rid = request_id(scope)
        header = (b"x-request-id", rid.encode())

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            if self.metrics is not None:
                # No answer started: the client went away first (nginx's 499), or the app raised
                # past every handler (the server then answers 500 itself).
                self.metrics.observe(scope["method"], route, status or CLIENT_GONE, elapsed)
            if logging_on:
                client = scope.get("client")
                fields: dict[str, Any] = {
                    "request_id": rid,
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                    "client": client[0] if client else None,
                }
                access_log.info(json.dumps(fields), extra={"fields": fields})


def metrics_endpoint(metrics: Metrics, token: str) -> Any:
    async def endpoint(request: Request) -> Response:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return PlainTextResponse(
                "a bearer token is needed\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return endpoint

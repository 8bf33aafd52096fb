"""create_app(): routes, middleware and the lifespan of one server process."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from causerie import __version__
from causerie.http import ocs
from causerie.http.dispatch import OcsDispatcher
from causerie.http.endpoint import Api, routes
from causerie.http.metrics import Metrics, Observe, metrics_endpoint
from causerie.http.middleware import SecurityHeaders
from causerie.http.proxies import TrustedProxies
from causerie.runtime import Runtime
from causerie.services.accounts import login_flows, sessions
from causerie.services.calls.signaling_tickets import config_with_keys
from causerie.services.capabilities import NEXTCLOUD_VERSION
from causerie.services.config import talk_config  # noqa: F401  (registers Talk's config keys)
from causerie.services.errors import DomainError
from causerie.services.files import cleanup as files_cleanup
from causerie.services.files import quota as files_quota  # noqa: F401  (registers the files app's keys)
from causerie.services.jobs import queue as jobs
from causerie.services.jobs.queue import Handler, JobContext
from causerie.services.jobs.runner import Runner
from causerie.settings import Settings, redact_url
from causerie.storage.migrate import upgrade

log = logging.getLogger("causerie")

# Modules with an ``api`` (an Api of OCS endpoints), one per Talk controller. Starlette tries
# routes in order, so the endpoints clients call most (chat, then signaling) come first.
API_MODULES = [
    # Before the chat: ``chat/upcoming-reminders`` would otherwise be read as a conversation token.
    "causerie.api.chat.reminders",
    "causerie.api.chat.messages",
    "causerie.api.calls.signaling",
    "causerie.api.config.capabilities",
    "causerie.api.config.clock",
    "causerie.api.config.app_config",
    "causerie.api.accounts.users",
    "causerie.api.accounts.provisioning",
    "causerie.api.accounts.app_passwords",
    "causerie.api.calls.calls",
    "causerie.api.rooms.rooms",
    "causerie.api.rooms.participants",
    "causerie.api.rooms.guest",
    "causerie.api.chat.reactions",
    "causerie.api.chat.longpoll",
    "causerie.api.chat.context",
    "causerie.api.calls.external_call",
    "causerie.api.files.shares",
    "causerie.api.chat.shared_items",
    "causerie.api.status.user_status",
    "causerie.api.push.webpush",
    "causerie.api.notifications.notifications",
    "causerie.api.collaborators.autocomplete",
    "causerie.api.avatars.rooms",
    "causerie.api.search.providers",
    "causerie.api.export.conversations",
    "causerie.api.bots.bots",
]
# Modules with ``jobs`` (a dict of job kind to handler): what the job runner can run.
JOB_MODULES: list[str] = [
    "causerie.services.notifications.creation",
    "causerie.services.push.delivery",
    "causerie.services.bots.webhooks",
    "causerie.services.notifications.reminders",
]
# Modules with ``routes`` (plain Starlette routes: pages, static files).
WEB_MODULES: list[str] = [
    "causerie.web.files.dav",
    "causerie.web.files.links",
    "causerie.web.avatars",
    "causerie.web.devices",
    "causerie.web.login_flows",
    "causerie.web.pages",
    "causerie.web.account",
]


def _apis() -> list[Api]:
    return [importlib.import_module(name).api for name in API_MODULES]


def _job_handlers() -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for name in JOB_MODULES:
        handlers.update(importlib.import_module(name).jobs)
    return handlers


def _web_routes() -> list[BaseRoute]:
    found: list[BaseRoute] = []
    for name in WEB_MODULES:
        found.extend(importlib.import_module(name).routes)
    return found


async def status_php(request: Request) -> Response:
    version = NEXTCLOUD_VERSION
    return JSONResponse(
        {
            "installed": True,
            "maintenance": False,
            "needsDbUpgrade": False,
            "version": f"{version['major']}.{version['minor']}.{version['micro']}.0",
            "versionstring": version["string"],
            "edition": "",
            "productname": "Causerie",
            "extendedSupport": False,
        }
    )


async def health(request: Request) -> Response:
    """Whether this process can serve: its database answers and its broker is connected. 503 if not,
    so that a load balancer or an orchestrator takes the process out."""
    runtime: Runtime = request.app.state.runtime
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(5):
            async with runtime.db.read(snapshot=False) as conn:
                await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure is the answer here, not an error of this endpoint
        checks["database"] = f"failing: {type(exc).__name__}"
    checks["broker"] = "ok" if await runtime.broker.healthy() else "failing: not connected"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "failing", **checks},
        status_code=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


def ready_line(settings: Settings) -> str:
    """The one start-up line: enough to tell processes apart (address, pid) and to see their data."""
    broker = redact_url(settings.broker_url) if settings.broker_url else "none (one process)"
    listening = f"listening on {settings.host}:{settings.port}, " if settings.public_url else ""
    return (
        f"causerie {__version__} ready on {settings.base_url} ({listening}pid {os.getpid()}, "
        f"database {settings.database_shown}, broker {broker})"
    )


def _ocs_version(path: str) -> int | None:
    if path.startswith("/ocs/v1.php"):
        return 1
    if path.startswith("/ocs/v2.php"):
        return 2
    return None


async def ocs_error(request: Request, exc: Exception) -> Response:
    """An exception an OCS endpoint did not turn into a Talk status."""
    if isinstance(exc, HTTPException):
        return await http_error(request, exc)
    return await server_error(request, exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    version = _ocs_version(request.url.path)
    if version is None:
        return JSONResponse({"message": exc.detail}, status_code=exc.status_code)
    as_json = ocs.wants_json(request, request.query_params.get("format"))
    message = (
        "Invalid query, please check the syntax. API specifications are here: "
        "http://www.freedesktop.org/wiki/Specifications/open-collaboration-services."
    )
    if exc.status_code == 405:
        message = "Method not allowed"
    return ocs.render(version=version, as_json=as_json, status=exc.status_code, data=[], message=message)


async def domain_error(request: Request, exc: Exception) -> Response:
    """A rule broken on a page rather than an OCS endpoint: wrong Basic credentials sent to a page,
    or an address blocked after too many of them. Its status, never a 500."""
    assert isinstance(exc, DomainError)
    version = _ocs_version(request.url.path)
    if version is not None:
        as_json = ocs.wants_json(request, request.query_params.get("format"))
        return ocs.render(version=version, as_json=as_json, status=exc.status, data=exc.data, message=exc.message)
    return JSONResponse({"message": exc.message or exc.__class__.__name__}, status_code=exc.status)


async def server_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PoolTimeout):
        return await _overloaded(request)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    version = _ocs_version(request.url.path)
    if version is None:
        return JSONResponse({"message": "Internal Server Error"}, status_code=500)
    as_json = ocs.wants_json(request, request.query_params.get("format"))
    return ocs.render(version=version, as_json=as_json, status=500, data=[], message="Internal Server Error")


async def _overloaded(request: Request) -> Response:
    """Every database connection stayed busy past the pool timeout: a burst, not a bug. Ask to retry."""
    log.warning("database pool exhausted on %s %s; answering 503", request.method, request.url.path)
    headers = {"Retry-After": "1"}
    version = _ocs_version(request.url.path)
    if version is None:
        return JSONResponse({"message": "Service Unavailable"}, status_code=503, headers=headers)
    as_json = ocs.wants_json(request, request.query_params.get("format"))
    return ocs.render(
        version=version, as_json=as_json, status=503, data=[], message="Service Unavailable", headers=headers
    )


HOUSEKEEPING_EVERY_S = 3600


# Finished jobs are kept this long, for an operator to look at.
KEEP_DONE_JOBS_S = 7 * 24 * 3600


async def _housekeeping(runtime: Runtime) -> None:
    """Expired browser and guest sessions, login flows and one-time login tokens, and old finished
    jobs go, at start and every hour (in each process: harmless)."""
    while True:
        try:
            purged = await sessions.purge(runtime.db)
            if purged:
                log.info("removed %d expired sessions", purged)
            await jobs.purge_finished(runtime.db, KEEP_DONE_JOBS_S)
            await login_flows.purge(runtime.db)
            await files_cleanup.run(runtime.db, runtime.files)
        except Exception:
            log.exception("housekeeping failed; trying again later")
        await asyncio.sleep(HOUSEKEEPING_EVERY_S)


def create_app(settings: Settings, *, runtime: Runtime | None = None, migrate: bool = True) -> ASGIApp:
    runtime = runtime or Runtime.create(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if migrate:
            await upgrade(runtime.db)
        # Before the first request: the capabilities announce the hello v2 token key from the start.
        await config_with_keys(runtime.db)
        await runtime.broker.start()
        housekeeping = asyncio.create_task(_housekeeping(runtime))
        context = JobContext(runtime.db, runtime.http, runtime.broker, settings.base_url)
        runner = Runner(context, runtime.hub, _job_handlers())
        running = asyncio.create_task(runner.run_forever())
        log.info("%s", ready_line(settings))
        try:
            yield
        finally:
            housekeeping.cancel()
            await runner.stop()
            running.cancel()
            await runtime.close()

    ocs_routes = routes(_apis(), ocs_error)
    metrics = Metrics(runtime) if settings.metrics_token else None
    own: list[BaseRoute] = [Route("/status.php", status_php), Route("/health", health)]
    if metrics is not None and settings.metrics_token:
        own.append(Route("/metrics", metrics_endpoint(metrics, settings.metrics_token)))
    app = Starlette(
        routes=[*own, *ocs_routes, *_web_routes()],
        middleware=[Middleware(SecurityHeaders)],
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error, DomainError: domain_error, Exception: server_error},
    )
    # As Nextcloud's router: a path with a trailing slash is another path (an OCS client would
    # otherwise get a bare 307 instead of an OCS answer; pages list both forms where they take them).
    app.router.redirect_slashes = False
    app.state.runtime = runtime
    app.state.settings = settings
    front = OcsDispatcher(app, ocs_routes)
    observed = Observe(front, metrics, log_requests=settings.log_requests)
    # Outermost, so that the request log and metrics see the forwarded client as well.
    return TrustedProxies(observed, settings.trusted_proxies) if settings.trusted_proxies else observed

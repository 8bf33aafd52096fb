"""The ASGI front: an OCS request goes straight to its endpoint, everything else to Starlette.

Starlette's middleware stack, router and per-route wrappers cost about a tenth of a chat send
(measured with ``bench/``). An OCS request whose path and method match an endpoint skips them: the
endpoint's handler already answers errors and sets the security headers itself. Anything else (pages,
static files, unknown paths, HEAD, a method the path does not take) goes to the Starlette app,
which has the same routes and answers 404 and 405 as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from causerie.http.endpoint import OcsHandler


def _route_path(scope: Scope) -> str:
    # As Starlette's router sees it: without the root path an ASGI server was told to strip.
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path) and path[len(root_path) : len(root_path) + 1] == "/":
        return path[len(root_path) :]
    return path


# Nextcloud serves every page both as /X and as /index.php/X (its front controller); the Talk apps
# put /index.php in front of the login flows and avatars whatever the server announces.
FRONT_CONTROLLER = "/index.php"


def _without_front_controller(scope: Scope, path: str) -> Scope:
    rest = path[len(FRONT_CONTROLLER) :] or "/"
    if rest.startswith("/ocs/"):
        return scope  # OCS lives at /ocs/…, never behind index.php: left to answer 404
    full = scope["path"][: len(scope["path"]) - len(path)] + rest
    scope = dict(scope)
    scope["path"] = full
    raw = scope.get("raw_path")
    marker = FRONT_CONTROLLER.encode()
    if isinstance(raw, bytes) and marker in raw:
        before, _, after = raw.partition(marker)
        scope["raw_path"] = before + (after or b"/")
    return scope


class OcsDispatcher:
    def __init__(self, app: ASGIApp, routes: Sequence[Route]) -> None:
        self.app = app
        self._table: list[tuple[Any, frozenset[str], dict[str, Any], OcsHandler, Route]] = [
            (route.path_regex, frozenset(route.app.endpoint.methods), route.param_convertors, route.app, route)
            for route in routes
            if isinstance(route.app, OcsHandler)
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = _route_path(scope)
            if path == FRONT_CONTROLLER or path.startswith(FRONT_CONTROLLER + "/"):
                scope = _without_front_controller(scope, path)
                path = _route_path(scope)
            if path.startswith("/ocs/"):
                method = scope["method"]
                for regex, methods, convertors, handler, route in self._table:
                    match = regex.match(path)
                    if match is not None and method in methods:
                        scope["app"] = self.app
                        scope["route"] = route  # as Starlette's router records it
                        scope["path_params"] = {
                            name: convertors[name].convert(value) for name, value in match.groupdict().items()
                        }
                        await handler(scope, receive, send)
                        return
        await self.app(scope, receive, send)

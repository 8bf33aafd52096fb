"""The service itself: the meeting endpoint Talk calls, and the meeting page shown in Talk's iframe."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

log = logging.getLogger("external_call_service")

STATIC = Path(__file__).resolve().parent / "static"

# Meeting ids starting with one of these make the service misbehave on purpose, so that Talk's
# error handling can be tried out (and is tested): see README.md.
KNOBS = {
    "forbidden-": "answer 403: Talk removes the participant from the conversation",
    "error-": "answer 500",
    "notfound-": "answer 404",
    "html-": "answer 200 with an HTML page instead of JSON",
    "slow-": "wait --slow-seconds before answering",
    "big-": "answer 200 with about 1 MiB of JSON",
    "nofield-": "answer 200 JSON without the iframe field",
    "empty-": "answer 200 JSON with the iframe field empty",
    "script-": "answer 200 JSON whose iframe field is a javascript: URL",
}


@dataclass
class ServiceSettings:
    public_url: str  # how browsers reach this service, e.g. http://127.0.0.1:9100
    talk_url: str  # the Causerie (or Nextcloud) the meeting page posts its messages to
    iframe_field: str = "iframeUrl"
    auth_user: str = ""  # empty: no Basic auth expected
    auth_password: str = ""
    slow_seconds: float = 30.0
    record: bool = False  # keep the requests Talk made, readable at GET /requests (for tests)
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def talk_origin(self) -> str:
        parts = urlsplit(self.talk_url)
        return f"{parts.scheme}://{parts.netloc}"


def _basic_auth(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _authorised(settings: ServiceSettings, request: Request) -> bool:
    if not settings.auth_user:
        return True
    given = _basic_auth(request)
    if given is None:
        return False
    # Talk sends the user name urlencode()d; both parts are compared in constant time.
    user_ok = hmac.compare_digest(unquote_plus(given[0]).encode(), settings.auth_user.encode())
    password_ok = hmac.compare_digest(given[1].encode(), settings.auth_password.encode())
    return user_ok and password_ok


def _meeting_page_url(settings: ServiceSettings, meeting_id: str) -> str:
    return f"{settings.public_url.rstrip('/')}/meeting/{quote(meeting_id, safe='')}"


async def meeting_info(request: Request) -> Response:
    """``GET /nextcloud/meeting/{meetingId}``: what Talk calls to get the iframe URL."""
    settings: ServiceSettings = request.app.state.settings
    meeting_id = request.path_params["meeting_id"]
    if settings.record:
        settings.requests.append(
            {
                "meetingId": meeting_id,
                "rawPath": request.scope.get("raw_path", b"").decode("latin-1"),
                "userId": request.headers.get("x-nextcloud-user-id"),
                "accept": request.headers.get("accept"),
                "authUser": (_basic_auth(request) or (None, None))[0],
            }
        )
    response, decision = await _answer(settings, request, meeting_id)
    user = request.headers.get("x-nextcloud-user-id") or "(guest)"
    log.info("meeting %r asked for %s: %d %s", meeting_id, user, response.status_code, decision)
    return response


async def _answer(settings: ServiceSettings, request: Request, meeting_id: str) -> tuple[Response, str]:
    """The answer to Talk's request, and in words why it is that one (for the log)."""
    if not _authorised(settings, request):
        given = _basic_auth(request)
        why = "no Basic auth" if given is None else f"wrong Basic auth for {unquote_plus(given[0])!r}"
        headers = {"WWW-Authenticate": 'Basic realm="meetings"'}
        return JSONResponse({"error": "unauthorised"}, 401, headers=headers), f"refused: {why}"
    url = _meeting_page_url(settings, meeting_id)
    field_name = settings.iframe_field
    if meeting_id.startswith("forbidden-"):
        return JSONResponse({"error": "not allowed in this meeting"}, 403), "forbidden (knob forbidden-)"
    if meeting_id.startswith("error-"):
        return JSONResponse({"error": "internal error"}, 500), "error (knob error-)"
    if meeting_id.startswith("notfound-"):
        return JSONResponse({"error": "no such meeting"}, 404), "not found (knob notfound-)"
    if meeting_id.startswith("html-"):
        return HTMLResponse("<!doctype html><title>Login</title><p>Please log in.</p>"), "an HTML page (knob html-)"
    if meeting_id.startswith("slow-"):
        await asyncio.sleep(settings.slow_seconds)
    if meeting_id.startswith("big-"):
        big = json.dumps({field_name: url, "padding": "x" * 1024 * 1024})
        return Response(big, media_type="application/json"), "1 MiB of JSON (knob big-)"
    if meeting_id.startswith("nofield-"):
        return JSONResponse({"somethingElse": url}), f"JSON without {field_name!r} (knob nofield-)"
    if meeting_id.startswith("empty-"):
        return JSONResponse({field_name: ""}), f"an empty {field_name!r} (knob empty-)"
    if meeting_id.startswith("script-"):
        return JSONResponse({field_name: "javascript:alert(document.domain)"}), "a javascript: URL (knob script-)"
    slow = " after waiting (knob slow-)" if meeting_id.startswith("slow-") else ""
    return JSONResponse({field_name: url, "meetingId": meeting_id}), f"iframe URL {url}{slow}"


async def meeting_page(request: Request) -> Response:
    """The page Talk shows in its iframe: Join and Leave post messages to the Talk window."""
    settings: ServiceSettings = request.app.state.settings
    meeting_id = escape(request.path_params["meeting_id"])
    origin = escape(settings.talk_origin)
    html = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Meeting {meeting_id}</title>
<link rel="stylesheet" href="/static/meeting.css">
<script type="module" src="/static/meeting.js"></script>
</head>
<body>
<main id="meeting" data-talk-origin="{origin}">
  <h1>Meeting <code>{meeting_id}</code></h1>
  <p>This stands in for a video conference. Its buttons tell the Talk window what happens.</p>
  <p>
    <button type="button" id="join">Join</button>
    <button type="button" id="leave">Leave</button>
    <button type="button" id="remove">Remove this frame</button>
  </p>
  <p id="status" role="status">Not joined.</p>
</main>
</body>
</html>
"""
    # Only the Talk page may frame the meeting.
    return HTMLResponse(html, headers={"Content-Security-Policy": f"frame-ancestors {origin}"})


async def recorded_requests(request: Request) -> Response:
    settings: ServiceSettings = request.app.state.settings
    if not settings.record:
        return JSONResponse({"error": "start the service with --record"}, 404)
    if request.method == "DELETE":
        settings.requests.clear()
        return Response(status_code=204)
    return JSONResponse(settings.requests)


async def index(request: Request) -> Response:
    settings: ServiceSettings = request.app.state.settings
    knobs = "".join(f"<li><code>{escape(p)}…</code>: {escape(d)}</li>" for p, d in KNOBS.items())
    return HTMLResponse(
        "<!doctype html><title>External call service</title><h1>Reference external call service</h1>"
        f"<p>Talk calls <code>GET /nextcloud/meeting/{{meetingId}}</code> and gets "
        f"<code>{{&quot;{escape(settings.iframe_field)}&quot;: …}}</code>.</p>"
        f"<p>Meeting ids that misbehave on purpose:</p><ul>{knobs}</ul>"
    )


def create_app(settings: ServiceSettings) -> Starlette:
    app = Starlette(
        routes=[
            Route("/", index),
            Route("/nextcloud/meeting/{meeting_id:path}", meeting_info),
            Route("/meeting/{meeting_id:path}", meeting_page),
            Route("/requests", recorded_requests, methods=["GET", "DELETE"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
    )
    app.state.settings = settings
    return app

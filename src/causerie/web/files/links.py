"""The other URLs the apps open for files (files.md §4, §5): previews by file id
(``/index.php/core/preview``), the file link of users (``/index.php/f/{id}``) and, for guests of a
public conversation, the share token's page, download and preview (``/index.php/s/{token}…``,
``…/files_sharing/publicpreview/{token}``). Every request checks access anew: a user sees a file
while it is its own or shared into a conversation it is in; a token works only for participants of
that public conversation (guests by their cookie). Everyone else gets 404."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from causerie.services.errors import BadRequest, DomainError, NotFound
from causerie.services.files import previews, shares, tree
from causerie.services.files.tree import Entry
from causerie.services.rooms import participants
from causerie.services.rooms.participants import SESSION_KEY, Requester
from causerie.web.files import davxml, serving
from causerie.web.files.davauth import dav_error, from_domain, identify, runtime_of

PREVIEW_CACHE = "private, max-age=86400, immutable"


def _int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest(message=f"{name} is not a number") from None


def _errors(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except DomainError as error:
            if error.status == 401:
                return dav_error(401, error.message or "Current user is not logged in")
            return from_domain(error)

    endpoint.__name__ = handler.__name__
    return endpoint


async def _user_entry(request: Request, file_id: int) -> tuple[str, Entry]:
    identity = await identify(request)
    if identity.user is None:
        raise DomainError(status=401, message="Current user is not logged in")
    runtime = runtime_of(request)
    uid = identity.user.uid
    folder = await tree.prepare(runtime.db, uid)
    async with runtime.db.read() as conn:
        entry = await tree.by_file_id(conn, uid, folder, file_id)
    if entry is None or entry.is_dir:
        raise NotFound(message="File not found")
    return uid, entry


async def _send_preview(request: Request, entry: Entry) -> Response:
    runtime = runtime_of(request)
    cover = request.query_params.get("mode") == "cover"
    path, media = await previews.preview(
        runtime.db, runtime.files, entry, _int(request, "x"), _int(request, "y"), cover=cover
    )
    headers = {"cache-control": PREVIEW_CACHE, "x-content-type-options": "nosniff",
               "content-security-policy": serving.SANDBOX_CSP}  # fmt: skip
    return FileResponse(path, media_type=media, headers=headers)


@_errors
async def core_preview(request: Request) -> Response:
    file_id = _int(request, "fileId")
    if file_id is None:
        raise BadRequest(message="Missing fileId")
    _, entry = await _user_entry(request, file_id)
    return await _send_preview(request, entry)


@_errors
async def file_link(request: Request) -> Response:
    """``/index.php/f/{id}``: the file, for a logged-in user who may see it (else the login page)."""
    try:
        file_id = int(request.path_params["file_id"])
        uid, entry = await _user_entry(request, file_id)
    except ValueError:
        raise NotFound(message="File not found") from None
    except DomainError as error:
        if error.status != 401:
            raise
        return RedirectResponse("/login?redirect_url=" + quote(request.url.path, safe="/"), status_code=303)
    return RedirectResponse(davxml.href(f"/remote.php/dav/files/{quote(uid, safe='')}", entry.path, False), 303)


def _room_sessions(session: Any) -> dict[str, str]:
    value = session.data.get(SESSION_KEY) if session is not None else None
    return {str(k): v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


async def _public_entry(request: Request) -> Entry:
    """The file behind a share token, for a participant of its public conversation only."""
    runtime = runtime_of(request)
    identity = await identify(request)
    requester = Requester(identity.user, _room_sessions(identity.session))
    async with runtime.db.read() as conn:
        row = await shares.public(conn, str(request.path_params["token"]))
        try:
            _, participant, _ = await participants.load_with_account(conn, requester, row.room_token)
        except NotFound:
            participant = None
    if participant is None:
        raise NotFound(message="Share not found")
    return shares.public_entry(row)


@_errors
async def public_preview(request: Request) -> Response:
    return await _send_preview(request, await _public_entry(request))


@_errors
async def public_download(request: Request) -> Response:
    entry = await _public_entry(request)
    return await serving.send(request, runtime_of(request).files, entry, attachment=True)


@_errors
async def public_file(request: Request) -> Response:
    """``/index.php/s/{token}/download/{name}`` (audio players, GIFs): inline where that is safe."""
    entry = await _public_entry(request)
    return await serving.send(request, runtime_of(request).files, entry)


@_errors
async def public_page(request: Request) -> Response:
    """``/index.php/s/{token}``: what the web opens when a guest clicks a file: the file itself."""
    entry = await _public_entry(request)
    return await serving.send(request, runtime_of(request).files, entry)


def _both(path: str, endpoint: Callable[[Request], Awaitable[Response]], methods: list[str]) -> list[BaseRoute]:
    """Nextcloud answers with and without ``/index.php`` (when its rewrite rules work)."""
    return [Route("/index.php" + path, endpoint, methods=methods), Route(path, endpoint, methods=methods)]


READ = ["GET", "HEAD"]
routes: list[BaseRoute] = [
    *_both("/core/preview", core_preview, READ),
    *_both("/f/{file_id}", file_link, READ),
    *_both("/apps/files_sharing/publicpreview/{token}", public_preview, READ),
    *_both("/s/{token}", public_page, READ),
    *_both("/s/{token}/preview", public_preview, READ),
    *_both("/s/{token}/download", public_download, READ),
    *_both("/s/{token}/download/{name}", public_file, READ),
]

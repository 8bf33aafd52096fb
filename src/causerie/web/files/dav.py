"""The WebDAV subset the apps use (files.md §2, §5): each user's tree under
``/remote.php/dav/files/{uid}/`` (and the old ``/remote.php/webdav/``), chunked uploads under
``/remote.php/dav/uploads/{uid}/``, and the ``SEARCH`` by file id iOS sends to ``/remote.php/dav``.

Only these methods exist: PROPFIND (depth 0 and 1), MKCOL, PUT, GET, HEAD, MOVE, DELETE, SEARCH.
Rules live in ``services/files``; this module turns requests into calls and answers into
Sabre's XML and headers (``OC-FileId``, ``OC-ETag``; uvicorn adds the ``Date`` NextcloudKit needs).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import unquote, urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from causerie.services.accounts.users import User
from causerie.services.errors import BadRequest, DomainError, NotFound
from causerie.services.files import chunks, names, tree, writes
from causerie.services.files.tree import Entry
from causerie.web.files import davxml, serving
from causerie.web.files.davauth import dav_error, from_domain, require_user, runtime_of

FILES = "/remote.php/dav/files/"
UPLOADS = "/remote.php/dav/uploads/"
LEGACY = "/remote.php/webdav"
MAX_XML_BYTES = 64 * 1024
FILE_METHODS = ["PROPFIND", "PUT", "GET", "HEAD", "MKCOL", "MOVE", "DELETE"]
UPLOAD_METHODS = ["PROPFIND", "PUT", "MKCOL", "MOVE", "DELETE"]


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else request.url.path


def _split_user(raw: str, prefix: str) -> tuple[str, str]:
    """(uid, raw rest) of a path under ``prefix``."""
    uid_raw, _, rest = raw[len(prefix) :].partition("/")
    return unquote(uid_raw), rest


def _file_path(request: Request, user: User) -> tuple[str, str]:
    """(uid the URL names, decoded path inside its tree)."""
    raw = _raw_path(request)
    if raw.startswith(LEGACY):
        return user.uid, "/".join(names.split_raw(raw[len(LEGACY) :]))
    uid, rest = _split_user(raw, FILES)
    return uid, "/".join(names.split_raw(rest))


def _prefix(uid: str) -> str:
    return davxml.href(FILES, uid, True).rstrip("/")


async def _body(request: Request) -> bytes:
    data = b""
    async for piece in request.stream():
        data += piece
        if len(data) > MAX_XML_BYTES:
            raise BadRequest(message="The request body is too large")
    return data


def _int_header(request: Request, name: str) -> int | None:
    value = request.headers.get(name)
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        raise BadRequest(message=f"{name} is not a number") from None
    if number < 0:
        raise BadRequest(message=f"{name} is negative")
    return number


def _file_headers(entry: Entry) -> dict[str, str]:
    return {"OC-FileId": davxml.file_id_header(entry.id), "OC-ETag": f'"{entry.etag}"', "ETag": f'"{entry.etag}"'}


def _destination(request: Request, user: User) -> str:
    """The target path in the caller's own tree; 403 for another user's tree."""
    header = request.headers.get("destination")
    if not header:
        raise BadRequest(message="The destination header was not supplied")
    raw = urlsplit(header).path
    if raw.startswith(LEGACY + "/"):
        return "/".join(names.split_raw(raw[len(LEGACY) :]))
    if not raw.startswith(FILES):
        raise DomainError(status=403, message="The destination is not in your files")
    uid, rest = _split_user(raw, FILES)
    if uid != user.uid:
        raise DomainError(status=403, message="The destination is in another user's files")
    return "/".join(names.split_raw(rest))


def _depth(request: Request) -> int:
    depth = request.headers.get("depth", "1").strip().lower()
    if depth == "infinity":
        raise DomainError(status=403, message="PROPFIND requests with a Depth of Infinity are not allowed")
    if depth not in ("0", "1"):
        raise BadRequest(message="The Depth header must be 0 or 1")
    return int(depth)


Handler = Callable[[Request, User], Awaitable[Response]]


def _guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        user = await require_user(request)
        if isinstance(user, Response):
            return user
        try:
            return await handler(request, user)
        except DomainError as error:
            return from_domain(error)
        except davxml.BadXml as error:
            return dav_error(400, f"The XML body is not valid: {error}")

    endpoint.__name__ = handler.__name__
    return endpoint


async def files(request: Request, user: User) -> Response:
    uid, path = _file_path(request, user)
    if uid != user.uid:
        raise NotFound(message=f"Principal with name {uid} not found")
    runtime = runtime_of(request)
    db, space = runtime.db, runtime.files
    folder = await tree.prepare(db, uid)
    method = request.method
    if method == "PUT":
        written = await writes.put(
            db, space, uid, folder, path, request.stream(),
            length=_int_header(request, "content-length"), mtime=_int_header(request, "x-oc-mtime"),
        )  # fmt: skip
        headers = _file_headers(written.entry)
        if request.headers.get("x-oc-mtime"):
            headers["X-OC-MTime"] = "accepted"
        return Response(status_code=201 if written.created else 204, headers=headers)
    if method == "MKCOL":
        if await _body(request):
            return dav_error(415, "The request body for the MKCOL request must be empty")
        entry = await writes.mkcol(db, uid, folder, path)
        return Response(status_code=201, headers=_file_headers(entry))
    if method == "DELETE":
        await writes.delete(db, uid, folder, path)
        return Response(status_code=204)
    if method == "MOVE":
        target = _destination(request, user)
        overwrite = request.headers.get("overwrite", "T").strip().upper() != "F"
        written = await writes.move(db, uid, folder, path, target, overwrite=overwrite)
        return Response(status_code=201 if written.created else 204, headers=_file_headers(written.entry))
    async with db.read() as conn:
        found = await tree.resolve(conn, uid, folder, path)
        if found is None:
            raise NotFound(message=f"File with name {path} could not be located")
        entry = found
        if method == "PROPFIND":
            depth = _depth(request)
            davxml.parse(await _body(request))  # well-formed or 400; every client gets the same props
            listed = [entry] + (await tree.children(conn, uid, folder, entry) if depth == 1 else [])
    if method == "PROPFIND":
        prefix = _prefix(uid)
        responses = [davxml.response(davxml.href(prefix, e.path, e.is_dir), e) for e in listed]
        return Response(davxml.multistatus(responses), status_code=207, media_type=davxml.XML_TYPE)
    if entry.is_dir:
        return dav_error(405, "GET is not allowed on folders")
    return await serving.send(request, space, entry)


async def search(request: Request, user: User) -> Response:
    """iOS opens a file by its id: ``d:basicsearch`` where ``oc:fileid`` is the message's ``id``."""
    scope, file_id = davxml.search_file_id(davxml.parse(await _body(request)))
    if scope.strip("/") not in (f"files/{user.uid}", f"files/{user.uid}/"):
        raise DomainError(status=403, message="Only your own files can be searched")
    runtime = runtime_of(request)
    folder = await tree.prepare(runtime.db, user.uid)
    async with runtime.db.read() as conn:
        entry = await tree.by_file_id(conn, user.uid, folder, file_id)
    prefix = _prefix(user.uid)
    found = [] if entry is None else [davxml.response(davxml.href(prefix, entry.path, entry.is_dir), entry)]
    return Response(davxml.multistatus(found), status_code=207, media_type=davxml.XML_TYPE)


async def uploads(request: Request, user: User) -> Response:
    uid, rest = _split_user(_raw_path(request), UPLOADS)
    if uid != user.uid:
        raise NotFound(message=f"Principal with name {uid} not found")
    segments = names.split_raw(rest)
    runtime = runtime_of(request)
    db, space = runtime.db, runtime.files
    method = request.method
    if len(segments) == 0:
        return dav_error(405, f"{method} is not allowed here")
    name = segments[0]
    if len(segments) == 1:
        if method == "MKCOL":
            await chunks.create(db, uid, name)
            return Response(status_code=201)
        if method == "DELETE":
            await chunks.delete(db, uid, name)
            return Response(status_code=204)
        if method == "PROPFIND":
            depth = _depth(request)
            upload, found = await chunks.listing(db, uid, name)
            base = davxml.href(UPLOADS, uid, True) + davxml.href("", name, True).lstrip("/")
            responses = [davxml.bare_response(base, is_dir=True, mtime=int(upload.created_at))]
            if depth == 1:
                responses += [
                    davxml.bare_response(base + davxml.href("", c.name, False).lstrip("/"), is_dir=False, size=c.size)
                    for c in found
                ]
            return Response(davxml.multistatus(responses), status_code=207, media_type=davxml.XML_TYPE)
        return dav_error(405, f"{method} is not allowed on an upload folder")
    if len(segments) != 2:
        return dav_error(409, "Uploads hold chunks only")
    chunk = segments[1]
    if method == "PUT":
        new = await chunks.put_chunk(
            db, space, uid, name, chunk, request.stream(),
            length=_int_header(request, "content-length"), total_length=_int_header(request, "oc-total-length"),
        )  # fmt: skip
        return Response(status_code=201 if new else 204)
    if method == "MOVE" and chunk == ".file":
        target = _destination(request, user)
        folder = await tree.prepare(db, uid)
        written = await chunks.assemble(
            db, space, uid, name, folder, target,
            total_length=_int_header(request, "oc-total-length"), mtime=_int_header(request, "x-oc-mtime"),
        )  # fmt: skip
        return Response(status_code=201 if written.created else 204, headers=_file_headers(written.entry))
    return dav_error(405, f"{method} is not allowed on a chunk")


routes: list[BaseRoute] = [
    Route("/remote.php/dav/files/{uid}", _guarded(files), methods=FILE_METHODS),
    Route("/remote.php/dav/files/{uid}/{rest:path}", _guarded(files), methods=FILE_METHODS),
    Route("/remote.php/webdav", _guarded(files), methods=FILE_METHODS),
    Route("/remote.php/webdav/{rest:path}", _guarded(files), methods=FILE_METHODS),
    Route("/remote.php/dav/uploads/{uid}/{rest:path}", _guarded(uploads), methods=UPLOAD_METHODS),
    Route("/remote.php/dav", _guarded(search), methods=["SEARCH"]),
    Route("/remote.php/dav/", _guarded(search), methods=["SEARCH"]),
]

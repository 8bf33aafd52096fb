"""Sending a stored file: ``Range`` (206, 416), ``HEAD``, and the headers that keep a browser from
running what it downloads: ``attachment`` for everything but plain images, audio and video,
``nosniff``, and a sandboxing CSP; HTML and SVG are never served under their own type."""

from __future__ import annotations

import re
from email.utils import formatdate
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from causerie.services.files.space import FileSpace

# Shown in the page when opened: images browsers decode safely, audio and video for players.
INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})
# Never sent with their own type: a browser would run them.
ACTIVE_TYPES = frozenset({
    "text/html", "image/svg+xml", "application/xhtml+xml", "application/xml", "text/xml",
    "application/javascript", "text/javascript", "application/x-shockwave-flash",
})  # fmt: skip
SANDBOX_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def inline(mimetype: str) -> bool:
    return mimetype in INLINE_IMAGES or (mimetype.startswith(("audio/", "video/")) and mimetype not in ACTIVE_TYPES)


def served_type(mimetype: str) -> str:
    """Nextcloud's "secure mimetype": what may run in a browser goes out as text."""
    return "text/plain; charset=utf-8" if mimetype in ACTIVE_TYPES or mimetype.startswith("text/") else mimetype


def disposition(name: str, attachment: bool) -> str:
    encoded = quote(name, safe="")
    return f"{'attachment' if attachment else 'inline'}; filename*=UTF-8''{encoded}; filename=\"{encoded}\""


def byte_range(request: Request, size: int, etag: str) -> tuple[int, int] | str | None:
    """(start, end exclusive) of a satisfiable single range; None for the whole file; "416"."""
    header = request.headers.get("range")
    if not header:
        return None
    if_range = request.headers.get("if-range")
    if if_range and if_range.strip() not in (f'"{etag}"', etag):
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None  # several ranges or another unit: the whole file, as RFC 9110 allows
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0:
            return "416"
        return max(size - length, 0), size
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    if start >= size or (last and int(last) < start):
        return "416"
    return start, end


def headers_for(entry: Any, *, name: str, attachment: bool | None = None) -> dict[str, str]:
    attach = not inline(entry.mimetype) if attachment is None else attachment
    return {
        "content-type": served_type(entry.mimetype),
        "etag": f'"{entry.etag}"',
        "oc-etag": f'"{entry.etag}"',
        "last-modified": formatdate(entry.mtime, usegmt=True),
        "accept-ranges": "bytes",
        "content-disposition": disposition(name, attach),
        "content-security-policy": SANDBOX_CSP,
        "x-content-type-options": "nosniff",
        "x-accel-buffering": "no",
        "cache-control": "private, no-cache",
    }


async def send(
    request: Request, space: FileSpace, entry: Any, *, name: str | None = None, attachment: bool | None = None
) -> Response:
    headers = headers_for(entry, name=name or entry.name, attachment=attachment)
    size = int(entry.size)
    wanted = byte_range(request, size, entry.etag)
    if wanted == "416":
        return Response(status_code=416, headers={**headers, "content-range": f"bytes */{size}"})
    start, end, status = 0, size, 200
    if isinstance(wanted, tuple):
        start, end = wanted
        status = 206
        headers["content-range"] = f"bytes {start}-{end - 1}/{size}"
    headers["content-length"] = str(end - start)
    if request.method == "HEAD" or end == start or entry.blob_key is None:
        return Response(status_code=status, headers=headers)
    return StreamingResponse(space.store.read(entry.blob_key, start, end), status_code=status, headers=headers)

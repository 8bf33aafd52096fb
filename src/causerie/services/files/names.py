"""File names and paths as WebDAV clients send them, types by extension, free names."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Container
from urllib.parse import unquote

from causerie.services.errors import BadRequest

MAX_NAME_BYTES = 250
FOLDER_TYPE = "httpd/unix-directory"
OCTET = "application/octet-stream"
# Nextcloud's names for the types chat clients care about; the rest from Python's own table
# (without the system's mime.types, so that every machine decides alike).
_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
    "bmp": "image/bmp", "heic": "image/heic", "heif": "image/heif", "svg": "image/svg+xml", "tif": "image/tiff",
    "tiff": "image/tiff", "mp3": "audio/mpeg", "wav": "audio/wav", "m4a": "audio/mp4", "aac": "audio/aac",
    "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/ogg", "flac": "audio/flac", "weba": "audio/webm",
    "mp4": "video/mp4", "m4v": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "mkv": "video/x-matroska",
    "pdf": "application/pdf", "txt": "text/plain", "md": "text/markdown", "vcf": "text/vcard",
    "html": "text/html", "htm": "text/html", "xhtml": "application/xhtml+xml", "xml": "application/xml",
    "js": "application/javascript", "json": "application/json", "csv": "text/csv", "zip": "application/zip",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}  # fmt: skip
_PYTHON_TYPES = mimetypes.MimeTypes(filenames=())
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def mimetype_of(name: str) -> str:
    """The type of a file by its name alone, as Nextcloud decides it (never by the body)."""
    _, dot, ext = name.rpartition(".")
    if not dot:
        return OCTET
    found = _TYPES.get(ext.lower())
    if found:
        return found
    guessed, _ = _PYTHON_TYPES.guess_type("x." + ext.lower(), strict=False)
    return guessed or OCTET


def check_name(name: str) -> str:
    """A file or folder name a client may create; 400 with the reason otherwise."""
    if name in ("", ".", ".."):
        raise BadRequest(message=f"Invalid name: {name!r}")
    if "/" in name or "\\" in name or _CONTROL.search(name):
        raise BadRequest(message="File name contains invalid characters")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise BadRequest(message="File name is too long")
    if name.strip() != name:
        raise BadRequest(message="File name must not begin or end with a space")
    return name


def split_raw(raw: str) -> list[str]:
    """Path segments from the still percent-encoded URL path: an encoded ``/`` stays inside its
    segment and is refused there, never taken for a separator."""
    segments = []
    for part in raw.split("/"):
        if not part:
            continue
        try:
            segments.append(check_name(unquote(part, errors="strict")))
        except UnicodeDecodeError:
            raise BadRequest(message="File name is not UTF-8") from None
    return segments


def split_path(path: str) -> list[str]:
    """Segments of an already decoded relative path (the share API's ``path``)."""
    return [check_name(part) for part in path.split("/") if part]


def join(*segments: str) -> str:
    return "/".join(s for s in segments if s)


def parent_of(path: str) -> str:
    return path.rpartition("/")[0]


def base_of(path: str) -> str:
    return path.rpartition("/")[2]


def free_name(name: str, taken: Container[str]) -> str:
    """``name``, or ``stem (2).ext``, ``(3)``… as Nextcloud and the apps number them."""
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    number = 2
    while True:
        candidate = f"{stem} ({number})" + (f".{ext}" if ext else "")
        if candidate not in taken:
            return candidate
        number += 1

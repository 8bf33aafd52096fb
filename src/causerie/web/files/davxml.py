"""WebDAV XML as Sabre writes it: ``d:`` for DAV:, ``oc:`` and ``nc:`` for ownCloud's and
Nextcloud's namespaces. NextcloudKit (iOS) finds elements by these literal prefixed names, so the
prefixes are part of the protocol. Requests are parsed with defusedxml (no entities, no DTDs)."""

from __future__ import annotations

from email.utils import formatdate
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

DAV = "DAV:"
OC = "http://owncloud.org/ns"
NC = "http://nextcloud.org/ns"
NAMESPACES = f'xmlns:d="{DAV}" xmlns:s="http://sabredav.org/ns" xmlns:oc="{OC}" xmlns:nc="{NC}"'
XML_TYPE = "application/xml; charset=utf-8"
# Nextcloud's instance id is appended to file ids in ``oc:id`` and ``OC-FileId``.
INSTANCE_ID = "occauserie"


class BadXml(ValueError):
    pass


def file_id_header(file_id: int) -> str:
    return f"{file_id:08d}{INSTANCE_ID}"


def http_date(timestamp: int) -> str:
    return formatdate(timestamp, usegmt=True)


def href(prefix: str, path: str, is_dir: bool) -> str:
    encoded = "/".join(quote(part, safe="") for part in path.split("/") if part)
    url = prefix.rstrip("/") + ("/" + encoded if encoded else "")
    return url + "/" if is_dir else url


def _props(entry: Any, extra: dict[str, str]) -> str:
    values: list[tuple[str, str]] = [
        ("d:getlastmodified", http_date(entry.mtime)),
        ("d:getetag", f'"{entry.etag}"'),
        ("d:displayname", entry.name),
        ("oc:id", file_id_header(entry.id)),
        ("oc:fileid", str(entry.id)),
        ("oc:permissions", entry.dav_permissions),
        ("oc:size", str(entry.size)),
        ("oc:owner-id", entry.owner),
        ("nc:has-preview", "true" if entry.preview_state == 1 else "false"),
    ]
    if not entry.is_dir:
        values += [("d:getcontenttype", entry.mimetype), ("d:getcontentlength", str(entry.size))]
    values += list(extra.items())
    body = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in values)
    kind = "<d:resourcetype><d:collection/></d:resourcetype>" if entry.is_dir else "<d:resourcetype/>"
    return body + kind


def response(url: str, entry: Any, extra: dict[str, str] | None = None) -> str:
    return (
        f"<d:response><d:href>{escape(url)}</d:href><d:propstat><d:prop>{_props(entry, extra or {})}</d:prop>"
        "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )


def bare_response(url: str, *, is_dir: bool, size: int = 0, mtime: int = 0) -> str:
    """An entry that is no file of the tree (an upload folder or one of its chunks)."""
    kind = "<d:resourcetype><d:collection/></d:resourcetype>" if is_dir else "<d:resourcetype/>"
    length = "" if is_dir else f"<d:getcontentlength>{size}</d:getcontentlength>"
    return (
        f"<d:response><d:href>{escape(url)}</d:href><d:propstat><d:prop>{kind}{length}"
        f"<d:getlastmodified>{http_date(mtime)}</d:getlastmodified></d:prop>"
        "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )


def multistatus(responses: list[str]) -> bytes:
    return f'<?xml version="1.0"?>\n<d:multistatus {NAMESPACES}>{"".join(responses)}</d:multistatus>\n'.encode()


def error(exception: str, message: str) -> bytes:
    """Sabre's error body: the web client shows ``s:message``, matched by that literal tag."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<d:error {NAMESPACES}>'
        f"<s:exception>Sabre\\DAV\\Exception\\{escape(exception)}</s:exception>"
        f"<s:message>{escape(message)}</s:message></d:error>\n"
    ).encode()


def parse(body: bytes) -> Element | None:
    """A request body's root element, None for an empty body."""
    if not body.strip():
        return None
    try:
        root: Element = ElementTree.fromstring(body, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise BadXml(str(exc)) from None
    return root


def search_file_id(root: Element | None) -> tuple[str, int]:
    """(scope href, file id) of the ``d:basicsearch`` iOS sends: where ``oc:fileid`` equals a literal."""
    if root is None or root.tag != f"{{{DAV}}}searchrequest":
        raise BadXml("expected a d:searchrequest")
    scope = root.find(f".//{{{DAV}}}scope/{{{DAV}}}href")
    condition = root.find(f".//{{{DAV}}}where/{{{DAV}}}eq")
    if scope is None or condition is None:
        raise BadXml("only a search for one oc:fileid is supported")
    prop = condition.find(f"{{{DAV}}}prop")
    literal = condition.find(f"{{{DAV}}}literal")
    if prop is None or literal is None or prop.find(f"{{{OC}}}fileid") is None:
        raise BadXml("only a search for one oc:fileid is supported")
    try:
        return (scope.text or "").strip(), int((literal.text or "").strip())
    except ValueError:
        raise BadXml("the file id is not a number") from None

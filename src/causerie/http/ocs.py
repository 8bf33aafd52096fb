"""The OCS envelope: ``{"ocs": {"meta": …, "data": …}}`` in JSON or XML, v1 and v2 status mapping."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any
from xml.sax.saxutils import escape

import orjson
from starlette.requests import Request
from starlette.responses import Response

JSON_TYPE = "application/json; charset=utf-8"
# Encoded bodies by (OCS version, JSON?, status, message).
Bodies = MutableMapping[tuple[int, bool, int, str], bytes | str]
XML_TYPE = "application/xml; charset=utf-8"


def wants_json(request: Request, format_param: object) -> bool:
    """Nextcloud's order: ``format`` from query or body, then the Accept header, then XML."""
    if isinstance(format_param, str) and format_param:
        return format_param.lower() == "json"
    return "application/json" in request.headers.get("accept", "").lower()


def dumps(data: Any) -> bytes:
    # PHP's json_encode escapes "/" and non-ASCII; clients parse JSON, so plain escaping suffices.
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def _xml_children(value: Mapping[Any, Any] | list[Any] | tuple[Any, ...], indent: int) -> str:
    if isinstance(value, Mapping):
        return "".join(_xml_element(str(k), v, indent) for k, v in value.items())
    return "".join(_xml_element("element", v, indent) for v in value)


def _xml_tag(key: str) -> str:
    if key[:1].isdigit() or not key or not all(c.isalnum() or c in "-_." for c in key):
        return "element"
    return key


def _scalar(value: Any) -> str:
    if value is True:
        return "1"
    if value is False or value is None:
        return ""
    return escape(str(value))


def _xml_element(key: str, value: Any, indent: int) -> str:
    pad = " " * indent
    tag = _xml_tag(key)
    if isinstance(value, Mapping | list | tuple):
        if not value:
            return f"{pad}<{tag}/>\n"
        return f"{pad}<{tag}>\n{_xml_children(value, indent + 1)}{pad}</{tag}>\n"
    return f"{pad}<{tag}>{_scalar(value)}</{tag}>\n"


def to_xml(meta: Mapping[str, Any], data: Any) -> str:
    out = ['<?xml version="1.0"?>\n<ocs>\n', _xml_element("meta", meta, 1)]
    if isinstance(data, Mapping | list | tuple):
        out.append(_xml_element("data", data, 1))
    elif data is None or data == "":
        out.append(" <data/>\n")
    else:
        out.append(f" <data>{_scalar(data)}</data>\n")
    out.append("</ocs>\n")
    return "".join(out)


def envelope(version: int, status: int, message: str) -> tuple[int, dict[str, Any]]:
    """(HTTP status, meta) for a controller status, as V1Response / V2Response compute them."""
    if version == 1:
        # 997 is OCS v1's "unauthorised"; it is the one v1 code with its own HTTP status.
        statuscode = {200: 100, 401: 997}.get(status, status)
        ok = statuscode == 100
        meta: dict[str, Any] = {
            "status": "ok" if ok else "failure",
            "statuscode": statuscode,
            "message": "OK" if ok else message,
            "totalitems": "",
            "itemsperpage": "",
        }
        return (401 if status == 401 else 200), meta
    ok = 200 <= status < 300
    http_status = status if 100 <= status <= 600 else 400
    return http_status, {"status": "ok" if ok else "failure", "statuscode": status, "message": "OK" if ok else message}


def render(
    *,
    version: int,
    as_json: bool,
    status: int,
    data: Any,
    message: str = "",
    headers: Mapping[str, str] | None = None,
    bodies: Bodies | None = None,
) -> Response:
    """``bodies`` keeps encoded bodies for answers many requests share (the same ``data``)."""
    http_status, meta = envelope(version, status, message)
    if version == 2 and status == 304:
        # Talk answers an empty long-poll with a bare 304: no body, no Content-Type.
        return Response(
            status_code=304, headers={k: v for k, v in (headers or {}).items() if not k.startswith("X-Chat")}
        )
    if version == 2 and status == 204:
        # No content means no body (Nextcloud's heartbeat with nothing to keep alive).
        return Response(status_code=204, headers=dict(headers or {}))
    if status == 304:
        data = None
    key = (version, as_json, status, message)
    body = bodies.get(key) if bodies is not None else None
    if body is None:
        body = dumps({"ocs": {"meta": meta, "data": data}}) if as_json else to_xml(meta, data)
        if bodies is not None:
            bodies[key] = body
    media = JSON_TYPE if as_json else XML_TYPE
    return Response(body, status_code=http_status, headers={**(headers or {}), "content-type": media})


def csrf_failure() -> Response:
    return Response(dumps({"message": "CSRF check failed"}), status_code=412, media_type=JSON_TYPE)

"""Request parameters merged and coerced the way Nextcloud does it.

Nextcloud merges the query string, the body (form-urlencoded or JSON) and the route parameters, in
that order of precedence (route wins), and coerces each to the controller's declared type with PHP's
rules (``settype``), so that every client's encoding of the same request means the same thing.

Hostile input meets PHP's limits here, once for every endpoint: JSON through
``services.client_json`` (more than 512 levels or a lone surrogate: 400 as any invalid JSON), form
and query variables nested more than 64 levels deep dropped as PHP's ``max_input_nesting_level``
drops them, and integers of any length, in any encoding and in ``{name:int}`` route segments, cast
as PHP's ``(int)`` casts them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.convertors import Convertor
from starlette.requests import ClientDisconnect, Request

from causerie.services import client_json
from causerie.services.errors import BadRequest, PayloadTooLarge

MAX_BODY_BYTES = 4 * 1024 * 1024
# PHP's max_input_nesting_level: deeper form and query variables are dropped.
MAX_INPUT_NESTING = 64
PHP_INT_MAX = 2**63 - 1
PHP_INT_MIN = -(2**63)
_BRACKETS = re.compile(r"\[([^\]]*)\]")
_PHP_INT = re.compile(r"^\s*([+-]?\d+)")


class ParamError(BadRequest):
    """A parameter of the wrong shape; answered with 400."""


def php_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Decode ``a=1&b[]=2&b[]=3&c[k]=4`` the way PHP fills ``$_GET``/``$_POST``."""
    result: dict[str, Any] = {}
    for raw_key, value in pairs:
        head, sep, rest = raw_key.partition("[")
        if not sep or not head:
            result[raw_key] = value
            continue
        parts = [head, *_BRACKETS.findall("[" + rest)]
        if len(parts) > MAX_INPUT_NESTING + 1:
            # As php_register_variable_ex: the whole variable goes, with what earlier pairs set.
            result.pop(head, None)
            continue
        target: Any = result
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(target, list):
                if part == "":
                    if last:
                        target.append(value)
                        break
                    target.append({})
                    target = target[-1]
                    continue
                target = _list_to_dict(target)
            if part == "" and isinstance(target, dict):
                part = str(len(target))
            if last:
                target[part] = value
            else:
                nxt = target.get(part)
                if not isinstance(nxt, dict | list):
                    nxt = [] if parts[i + 1] == "" else {}
                    target[part] = nxt
                target = nxt
    return result


def _list_to_dict(items: list[Any]) -> dict[str, Any]:
    return {str(i): v for i, v in enumerate(items)}


def parse_form(body: bytes) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParamError(message="The request body is not valid UTF-8") from None
    return php_pairs(parse_qsl(text, keep_blank_values=True))


def parse_json(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = client_json.loads(body)
    except ValueError:
        raise ParamError(message="The request body is not valid JSON") from None
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return _list_to_dict(value)
    raise ParamError(message="The JSON body must be an object")


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused with 413 once it exceeds ``limit`` - before it is all in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(message="Request body too large")
    chunks: list[bytes] = []
    size = 0
    # The ASGI messages read directly (Starlette's ``stream()`` is an async generator per request).
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(message="Request body too large")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    # Handlers that need the raw bytes (checksummed backend requests) still call request.body(),
    # which returns this cached value rather than reading the consumed stream again.
    request._body = body
    return body


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "multipart/form-data":
        return {}  # uploads: read by their endpoint (``http.multipart``), within its own body limit
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(message="Request body too large")
    if media == "application/json" or media.endswith("+json"):
        return parse_json(body)
    if media == "application/x-www-form-urlencoded":
        return parse_form(body)
    if not media and body.strip()[:1] in (b"{", b"["):
        return parse_json(body)
    return {}


def php_int(value: Any) -> int:
    """PHP's ``(int)``: leading digits of a string, 0 when there are none."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if PHP_INT_MIN <= value <= PHP_INT_MAX:
            return value
        # PHP integers are 64-bit; a larger JSON number never reaches a controller as such.
        try:
            float(value)
        except OverflowError:
            return 0  # beyond a double, json_decode gives INF, and (int) INF is 0
        return PHP_INT_MAX if value > 0 else PHP_INT_MIN
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 2**63 else 0
    if isinstance(value, str):
        match = _PHP_INT.match(value)
        if not match:
            return 0
        number = match.group(1)
        if len(number) <= 19:
            return max(min(int(number), PHP_INT_MAX), PHP_INT_MIN)
        return _long_numeric_string(number)
    if isinstance(value, list | dict):
        return 1 if value else 0
    return 0


def _long_numeric_string(number: str) -> int:
    """(int) of a long numeric string: PHP reads one past 64 bits as a double and caps it
    (zend_dval_to_lval_cap), or makes it 0 when even a double overflows; int() would refuse more
    than 4,300 digits."""
    digits = number.lstrip("+-").lstrip("0")
    negative = number.startswith("-")
    if len(digits) <= 19:
        return max(min(-int(digits or "0") if negative else int(digits or "0"), PHP_INT_MAX), PHP_INT_MIN)
    if math.isinf(float(digits)):
        return 0
    return PHP_INT_MIN if negative else PHP_INT_MAX


class PhpIntConvertor(Convertor[int]):
    """``{name:int}`` route segments: digits, as Talk's routes require, cast as the controller's
    ``int`` argument casts them (Starlette's ``int()`` fails past 4,300 digits)."""

    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        # Digits only (the regex): up to 18 of them always fit 64 bits.
        return int(value) if len(value) <= 18 else _long_numeric_string(value)

    def to_string(self, value: int) -> str:
        return str(value)


PHP_INT_CONVERTOR = PhpIntConvertor()


def php_bool(value: Any, *, false_string: bool) -> bool:
    """PHP's ``settype(…, 'bool')``; ``false_string`` enables Nextcloud's 'false' special case."""
    if isinstance(value, str):
        if false_string and value == "false":
            return False
        return value not in ("", "0")
    if isinstance(value, list | dict):
        return bool(value)
    return bool(value)


class Params:
    """The merged parameters of one request, with typed getters."""

    def __init__(self, values: Mapping[str, Any], *, form_like: bool) -> None:
        self._values = dict(values)
        # 'false' means false only for GET and form posts (Dispatcher::executeController).
        self._form_like = form_like

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def raw(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def string(self, name: str, default: str = "") -> str:
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "1" if value else ""
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return value
        raise ParamError(name, f"Parameter {name} must be a string")

    def opt_string(self, name: str) -> str | None:
        return None if self._values.get(name) is None else self.string(name)

    def integer(self, name: str, default: int = 0) -> int:
        value = self._values.get(name)
        return default if value is None else php_int(value)

    def opt_integer(self, name: str) -> int | None:
        value = self._values.get(name)
        return None if value is None else php_int(value)

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self._values.get(name)
        return default if value is None else php_bool(value, false_string=self._form_like)

    def array(self, name: str) -> list[Any]:
        value = self._values.get(name)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        if isinstance(value, dict):
            return list(value.values())
        return [value]

    def mapping(self, name: str) -> dict[str, Any]:
        value = self._values.get(name)
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and value.strip().startswith("{"):
            try:
                decoded = client_json.loads(value)
            except ValueError:
                raise ParamError(name, f"Parameter {name} must be an object") from None
            if isinstance(decoded, dict):
                return decoded
        if value in (None, "", []):
            return {}
        raise ParamError(name, f"Parameter {name} must be an object")


def merge(query: dict[str, Any], body: dict[str, Any], route: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(query)
    merged.update(body)
    merged.update(route)
    return merged

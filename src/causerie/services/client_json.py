"""JSON from clients, read within the limits of PHP's ``json_decode``.

Python's decoder accepts what PHP's refuses and fails where PHP's does not, and both reach deep into
a request: a lone UTF-16 surrogate (``"\\ud800"``) becomes a string no database driver can encode,
nesting a few thousand levels deep exhausts the interpreter's stack, and an integer of more than
4,300 digits is refused by ``int()``. ``loads`` follows PHP instead: bytes must be strict UTF-8
(Python would guess UTF-16 or UTF-32 and let UTF-8-encoded surrogates through), more than 512
levels of arrays and objects (``json_decode``'s default depth) and unpaired surrogates make the
text unusable (PHP's "Maximum stack depth exceeded" and "Single unpaired UTF-16 surrogate"), and an
integer too long for Python becomes a float as every integer beyond 64 bits does in PHP (too long
for a double, it is infinite there too).

The request bodies, the JSON held in parameters (``participants``, signaling ``messages``) and the
messages inside those are all read through it. Its checks run only on texts that can hold the
problem, so a chat message's small body costs a substring test and two length comparisons; decoding
the bytes here instead of in ``json.loads`` (which detects the encoding in Python) makes it cheaper
than a plain ``json.loads`` of the bytes.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

MAX_DEPTH = 512
# A text shorter than this cannot nest deeper than MAX_DEPTH (two characters a level).
_NEST_CHARS = 2 * MAX_DEPTH
# Python's limit on digits in int(str) (``sys.set_int_max_str_digits``); 0 means none.
_MAX_INT_DIGITS = sys.get_int_max_str_digits() or sys.maxsize
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnusableJson(ValueError):
    """Text PHP's ``json_decode`` would refuse although Python's parser might not."""


def _int(literal: str) -> int | float:
    try:
        return int(literal)
    except ValueError:
        return float(literal)


def loads(text: str | bytes) -> Any:
    """``json.loads`` with PHP's limits; any unusable text raises ``ValueError``."""
    if isinstance(text, bytes):
        # Strict UTF-8, as json_decode reads it: json.loads would guess UTF-16 and UTF-32 and decode
        # with "surrogatepass", turning encoded surrogates into lone ones.
        text = text.decode("utf-8")
    size = len(text)
    try:
        # Only a text that long can hold an integer int() refuses; parse_int costs a call per number.
        value = json.loads(text, parse_int=_int) if size > _MAX_INT_DIGITS else json.loads(text)
    except RecursionError:
        raise UnusableJson("Maximum stack depth exceeded") from None
    if (size > _NEST_CHARS and text.count("[") + text.count("{") > MAX_DEPTH) or (
        "\\u" in text and _SURROGATE_ESCAPE.search(text)
    ):
        _check(value)
    return value


def _check(value: Any) -> None:
    """Walk the decoded value without recursion: depth, and strings that are not UTF-8 encodable."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                raise UnusableJson("Single unpaired UTF-16 surrogate in unicode escape")
        elif isinstance(item, dict | list):
            depth += 1
            if depth > MAX_DEPTH:
                raise UnusableJson("Maximum stack depth exceeded")
            if isinstance(item, dict):
                pending.extend((key, depth) for key in item)
                pending.extend((child, depth) for child in item.values())
            else:
                pending.extend((child, depth) for child in item)

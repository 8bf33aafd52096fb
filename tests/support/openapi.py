"""Validates Talk responses against the real server's OpenAPI description (openapi-full.json)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "reference" / "spreed-openapi" / "openapi-full.json"


class OpenApiMismatch(AssertionError):
    pass


def _is_object(checker: Any, instance: Any) -> bool:
    # PHP encodes an empty associative array as [], so the real server sends e.g.
    # "messageParameters": [] where the spec says object; accept exactly that case.
    return isinstance(instance, dict) or instance == []


_Validator = extend(OAS30Validator, type_checker=OAS30Validator.TYPE_CHECKER.redefine("object", _is_object))


def _nullable_composites(node: Any) -> Any:
    """``{nullable: true, allOf: [X]}`` means "X or null" in OpenAPI 3.0, but the validator applies
    ``nullable`` only next to a ``type``; spell it out as ``anyOf: [X, null]``."""
    if isinstance(node, list):
        return [_nullable_composites(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_composites(value) for key, value in node.items()}
    if node.get("nullable") and "type" not in node and any(k in node for k in ("allOf", "oneOf", "anyOf")):
        inner = {key: value for key, value in node.items() if key != "nullable"}
        return {"anyOf": [inner, {"nullable": True, "enum": [None]}]}
    return node


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = _nullable_composites(json.loads(SPEC_PATH.read_text()))
    return spec


@lru_cache(maxsize=1)
def _templates() -> list[tuple[re.Pattern[str], str]]:
    found = []
    for template in _spec()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        found.append((re.compile(f"^{pattern}$"), template))
    # Literal segments win over parameters: /chat/{token}/read before /chat/{token}/{messageId}.
    found.sort(key=lambda item: item[1].count("{"))
    return found


def schema_for(path: str, method: str, status: int) -> dict[str, Any] | None:
    """The JSON schema of a documented response, or None when the spec does not describe it."""
    path = path.replace("/ocs/v1.php/", "/ocs/v2.php/")
    for pattern, template in _templates():
        if not pattern.match(path):
            continue
        operation = _spec()["paths"][template].get(method.lower())
        if operation is None:
            continue
        response = operation.get("responses", {}).get(str(status))
        if response is None:
            return None
        content = response.get("content", {}).get("application/json")
        return None if content is None else content.get("schema")
    return None


# Talk's guards (not a participant, not a moderator, read-only, missing permission, lobby) answer
# before the controller runs, with an empty ``data: []`` that the controllers' documented
# ``{error: …}`` bodies do not describe (transcript steps 34-36).
GUARD_FAILURES = {403, 404, 412}


def validate(path: str, method: str, status: int, body: Any) -> bool:
    """Raise OpenApiMismatch when ``body`` breaks the documented schema; False when undocumented."""
    schema = schema_for(path, method, status)
    if schema is None:
        return False
    if status in GUARD_FAILURES and isinstance(body, dict) and body.get("ocs", {}).get("data") == []:
        return True
    validator = _Validator({**schema, "components": _spec()["components"]})
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        details = "\n".join(
            f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in errors[:10]
        )
        raise OpenApiMismatch(f"{method} {path} -> {status} does not match openapi-full.json:\n{details}")
    return True

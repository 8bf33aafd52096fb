"""App configuration: typed values, the known keys of each app, and their validation.

Values are stored as text with a type, as Nextcloud's ``oc_appconfig`` does. Known keys (the
"lexicon") carry their type, default, sensitivity and a validator, so that ``occ config:app:set``
refuses a bad value before anything is written, and readers get typed values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from causerie.services.errors import InvalidConfigValue
from causerie.storage.config import appconfig as store
from causerie.storage.config.appconfig import StoredValue
from causerie.storage.db import Conn

TYPES = ("string", "integer", "float", "boolean", "array")

Validator = Callable[[Any], None]


@dataclass(frozen=True)
class Key:
    name: str
    type: str
    default: Any
    sensitive: bool = False
    validate: Validator | None = None
    help: str = ""


@dataclass
class Lexicon:
    keys: dict[str, dict[str, Key]] = field(default_factory=dict)

    def add(self, app: str, key: Key) -> None:
        self.keys.setdefault(app, {})[key.name] = key

    def get(self, app: str, name: str) -> Key | None:
        return self.keys.get(app, {}).get(name)


LEXICON = Lexicon()


def parse(raw: str, type_: str) -> Any:
    """Turn the text an operator typed into a value of ``type_``; ValueError when it is not one."""
    if type_ == "string":
        return raw
    if type_ == "integer":
        try:
            return int(raw.strip())
        except ValueError:
            raise InvalidConfigValue(f"{raw!r} is not an integer") from None
    if type_ == "float":
        try:
            return float(raw.strip())
        except ValueError:
            raise InvalidConfigValue(f"{raw!r} is not a number") from None
    if type_ == "boolean":
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise InvalidConfigValue(f"{raw!r} is not a boolean (use true or false)")
    if type_ == "array":
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidConfigValue(f"the value is not valid JSON: {exc.msg}") from None
        if not isinstance(value, list | dict):
            raise InvalidConfigValue("an array value must be a JSON array or object")
        return value
    raise InvalidConfigValue(f"unknown type {type_!r}; use one of {', '.join(TYPES)}")


def serialise(value: Any, type_: str) -> str:
    if type_ == "array":
        return json.dumps(value, separators=(",", ":"))
    if type_ == "boolean":
        return "1" if value else "0"
    return str(value)


def _decode(stored: StoredValue) -> Any:
    try:
        return parse(stored.value, stored.type)
    except InvalidConfigValue:
        return stored.value


def prepare(app: str, key: str, raw: str, type_: str | None, sensitive: bool) -> StoredValue:
    """Validate what ``occ config:app:set`` was given and return the row to store."""
    known = LEXICON.get(app, key)
    if known is not None:
        if type_ is not None and type_ != known.type:
            raise InvalidConfigValue(f"{app} {key} is of type {known.type}, not {type_}")
        type_ = known.type
        sensitive = sensitive or known.sensitive
    type_ = type_ or "string"
    if type_ not in TYPES:
        raise InvalidConfigValue(f"unknown type {type_!r}; use one of {', '.join(TYPES)}")
    value = parse(raw, type_)
    if known is not None and known.validate is not None:
        known.validate(value)
    return StoredValue(key, serialise(value, type_), type_, sensitive)


class AppConfig:
    """A snapshot of one app's configuration, read in one query, with typed getters."""

    def __init__(self, app: str, values: dict[str, StoredValue]) -> None:
        self.app = app
        self._values = values

    @classmethod
    async def load(cls, conn: Conn, app: str) -> AppConfig:
        return cls(app, await store.load_app(conn, app))

    def has(self, key: str) -> bool:
        return key in self._values

    def raw(self, key: str) -> StoredValue | None:
        return self._values.get(key)

    def keys(self) -> list[str]:
        return sorted(self._values)

    def value(self, key: str, default: Any = None) -> Any:
        stored = self._values.get(key)
        if stored is None:
            known = LEXICON.get(self.app, key)
            return known.default if known is not None and default is None else default
        return _decode(stored)

    def string(self, key: str, default: str = "") -> str:
        value = self.value(key)
        return default if value is None else str(value)

    def integer(self, key: str, default: int = 0) -> int:
        value = self.value(key)
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except (TypeError, ValueError):
            return default

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.value(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"1", "true", "yes", "on"}

    def array(self, key: str) -> list[Any]:
        value = self.value(key)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                return []
        return value if isinstance(value, list) else []


async def set_value(conn: Conn, app: str, prepared: StoredValue) -> None:
    await store.store(conn, app, prepared)


async def delete_value(conn: Conn, app: str, key: str) -> bool:
    return await store.remove(conn, app, key)

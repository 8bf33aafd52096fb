"""The environment the tests run in is the lock, exactly: every pinned package at its pinned
version and nothing else, so that a new upstream release can never change what runs here."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parents[1] / "requirements" / "test.txt"
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)\s*(?:;\s*([^#]+?))?\s*(?:#.*)?$")


def locked() -> dict[str, str]:
    """The lock's pins that apply to this interpreter and platform."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _PIN.match(line.strip())
        assert match, f"not a pin: {line!r}"
        name, version, marker = match.groups()
        if marker is None or Marker(marker).evaluate():
            pins[canonicalize_name(name)] = version
    return pins


def installed() -> dict[str, str]:
    found = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    found.pop("causerie", None)
    return found


def test_the_lock_parses_and_names_what_the_tests_use() -> None:
    pins = locked()
    for name in ("starlette", "sqlalchemy", "redis", "pytest", "mypy", "ruff", "hypothesis", "schemathesis"):
        assert name in pins


def test_installed_packages_are_exactly_the_lock() -> None:
    pins, have = locked(), installed()
    wrong = {name: (have.get(name), pin) for name, pin in pins.items() if have.get(name) != pin}
    extra = sorted(set(have) - set(pins))
    assert not wrong, f"installed vs locked: {wrong}"
    assert not extra, f"installed but not in {LOCK.name}: {extra}"

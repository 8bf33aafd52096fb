"""The house rules hold: layers, domains, no circles, small modules (docs/architecture.md, "The map").

The import contracts live in pyproject.toml and run as `lint-imports`; here they also run against
copies of the code with one wrong import each, to show that each contract catches what it forbids.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "causerie"
MAX_MODULE_LINES = 450
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=source_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_every_contract() -> None:
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        # An endpoint querying the database past the services.
        ("api/chat/messages.py", "from causerie.storage.chat import messages as _sql", "reach the database through"),
        # Storage reaching up into the rules.
        ("storage/chat/messages.py", "from causerie.services.chat import format as _up", "Layers"),
        # A service reaching up to the running server.
        ("services/chat/messages.py", "from causerie import runtime as _up", "Layers"),
        # A conversation's rules depending on its chat.
        ("services/rooms/rooms.py", "from causerie.services.chat import mentions as _up", "Service domains"),
        # Two modules importing each other.
        ("services/rooms/rooms.py", "from causerie.services.rooms import participants as _circle", "No import circles"),
    ],
)
def test_each_contract_catches_a_wrong_import(tmp_path: Path, module: str, wrong_import: str, broken: str) -> None:
    copy = tmp_path / "src" / "causerie"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    target = copy / module
    target.write_text(target.read_text() + f"\n{wrong_import}  # noqa\n")
    result = lint_imports(tmp_path / "src")
    assert result.returncode != 0, result.stdout
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout, result.stdout


# Written by scripts/regen-migration from storage/schema.py (one op per table, column and index),
# never by hand: its length is the schema's.
GENERATED = Path("storage/migrations/versions/0001_initial.py")


def test_no_module_is_over_450_lines() -> None:
    long = {
        str(path.relative_to(SRC)): lines
        for path in SRC.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES and path.relative_to(SRC) != GENERATED
    }
    assert not long, f"split these along their seams: {long}"

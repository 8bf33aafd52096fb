"""occ as admins know it: listing, help, versions, the settings in --help, and no database made by mistake."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from causerie import __version__
from causerie.cli.occ import INDEX, load
from causerie.settings import DOCUMENTED

SRC = Path(__file__).resolve().parents[2] / "src" / "causerie"


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CAUSERIE_")}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=60
    )


def occ(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return _run("-m", "causerie.cli.occ", *args, cwd=cwd, env=env)


@pytest.mark.parametrize("args", [[], ["list"]])
def test_occ_alone_and_occ_list_list_every_command_one_line_each(tmp_path: Path, args: list[str]) -> None:
    result = occ(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name, (_, _, help_) in INDEX.items():
        assert any(re.match(rf"^\s+{re.escape(name)}\s+{re.escape(help_)}$", line) for line in lines), name
    # Listing opens no database: nothing was made in the working directory.
    assert not (tmp_path / "data").exists()


def test_the_listing_says_what_each_command_says_of_itself() -> None:
    for name in INDEX:
        command = load(name)
        assert command.name == name
        assert INDEX[name][2] == (command.help or "").split("\n\n")[0].strip().replace("\n", " "), name


def test_every_command_module_is_in_the_index() -> None:
    for module_file in (SRC / "cli" / "occ").glob("*.py"):
        text = module_file.read_text()
        for name in re.findall(r'@click\.command\("([^"]+)"\)', text):
            assert name in INDEX, f"{name} ({module_file.name}) is missing from occ's INDEX"


def test_occ_help_command_explains_one_command(tmp_path: Path) -> None:
    result = occ("help", "user:add", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage: occ user:add" in result.stdout and "--password-from-env" in result.stdout
    unknown = occ("help", "user:nope", cwd=tmp_path)
    assert unknown.returncode == 2 and 'Command "user:nope" is not defined' in unknown.stderr


@pytest.mark.parametrize(("module", "name"), [("causerie.cli.occ", "Causerie occ"), ("causerie", "Causerie")])
def test_version_on_both_commands(tmp_path: Path, module: str, name: str) -> None:
    result = _run("-m", module, "--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"{name}, version {__version__}"


@pytest.mark.parametrize("module", ["causerie.cli.occ", "causerie"])
def test_help_names_every_setting_with_its_default(tmp_path: Path, module: str) -> None:
    result = _run("-m", module, "--help", cwd=tmp_path)
    assert result.returncode == 0
    for variable, default, _ in DOCUMENTED:
        line = next((line for line in result.stdout.splitlines() if line.strip().startswith(variable)), None)
        assert line is not None, variable
        assert f"(default: {default})" in line


def test_every_variable_the_code_reads_is_documented() -> None:
    read: set[str] = set()
    for path in SRC.rglob("*.py"):
        read.update(re.findall(r'"(CAUSERIE_[A-Z0-9_]+)"', path.read_text()))
    assert read - {name for name, _, _ in DOCUMENTED} == set()


def test_a_mistyped_data_directory_is_refused_not_created(tmp_path: Path) -> None:
    result = occ("user:list", cwd=tmp_path)
    assert result.returncode == 1
    assert f"there is no database at {tmp_path / 'data' / 'causerie.db'}" in result.stderr
    assert "CAUSERIE_DATA_DIR" in result.stderr and "--init" in result.stderr
    assert not (tmp_path / "data").exists()
    typo = tmp_path / "dta"
    refused = occ("user:list", cwd=tmp_path, env={"CAUSERIE_DATA_DIR": str(typo)})
    assert refused.returncode == 1 and not typo.exists()


def test_init_creates_it_and_a_database_elsewhere_is_named(tmp_path: Path) -> None:
    made = occ("--init", "user:list", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "data" / "causerie.db").exists()
    # The default database (./data) is not announced: output stays as Nextcloud's.
    assert "Using the database" not in made.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"CAUSERIE_DATA_DIR": str(tmp_path / "data")}
    used = occ("user:list", cwd=elsewhere, env=env)
    assert used.returncode == 0, used.stderr
    assert f"Using the database {tmp_path / 'data' / 'causerie.db'}" in used.stderr
    assert not (elsewhere / "data").exists()


def test_status_says_which_database(tmp_path: Path) -> None:
    occ("--init", "status", cwd=tmp_path)
    result = occ("status", cwd=tmp_path)
    assert result.returncode == 0
    assert f"  - database_location: {tmp_path / 'data' / 'causerie.db'}" in result.stdout.splitlines()
    assert "  - version: " + __version__ in result.stdout.splitlines()


def test_the_occ_group_loads_commands_only_when_run() -> None:
    """Listing and help must not import the commands' modules (they are what makes occ slow)."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from causerie.cli.occ import main\n"
        "CliRunner().invoke(main, ['list'])\n"
        "CliRunner().invoke(main, ['--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'causerie.services'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
    assert isinstance(load("user:list"), click.Command)

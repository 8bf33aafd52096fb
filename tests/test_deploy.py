"""deploy/: the container, compose, systemd and proxy files are valid and say what Causerie needs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from causerie.settings import DOCUMENTED

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SETTINGS = {name for name, _, _ in DOCUMENTED}


def test_compose_parses_and_runs_causerie_on_postgresql_and_redis() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"causerie-1", "causerie-2", "postgres", "redis", "caddy"} <= set(services)
    for name in ("causerie-1", "causerie-2"):
        service = services[name]
        env = service["environment"]
        assert env["CAUSERIE_DATABASE_URL"].startswith("postgresql://causerie:")
        assert env["CAUSERIE_DATABASE_URL"].endswith("@postgres:5432/causerie")
        assert env["CAUSERIE_BROKER_URL"] == "redis://redis:6379/0"
        assert "CAUSERIE_TRUSTED_PROXIES" in env
        assert set(env) <= SETTINGS
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["postgres"]["environment"]["POSTGRES_DB"] == "causerie"
    caddyfile = services["caddy"]["volumes"][0].split(":")[0]
    assert (DEPLOY / caddyfile).exists()


def test_the_example_settings_are_real_settings() -> None:
    names = re.findall(r"^(CAUSERIE_[A-Z_]+)=", (DEPLOY / "causerie.env.example").read_text(), re.MULTILINE)
    names += re.findall(r"(CAUSERIE_[A-Z_]+)=", (DEPLOY / "causerie@.service").read_text())
    assert names and set(names) <= SETTINGS


def test_the_dockerfile_installs_as_the_readme_does_and_passes_hadolint() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    # The same install as ./scripts/serve (the README's first command): the runtime lock, exactly.
    install = "install_lock requirements/runtime.txt"
    assert install in (ROOT / "scripts" / "serve").read_text()
    assert f"RUN . scripts/lib/venv.sh && {install}" in dockerfile
    for copied in re.findall(r"^COPY (\S+)", dockerfile, re.MULTILINE):
        assert (ROOT / copied).exists(), copied
    assert 'CMD ["causerie", "serve"]' in dockerfile
    assert "/health" in dockerfile
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(DEPLOY / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (DEPLOY / "causerie@.service").read_text()
    assert "ExecStart=/opt/causerie/.venv/bin/causerie serve" in unit
    for option in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes"):
        assert option in unit
    # systemd checks that the program exists: this installation's stands in for /opt/causerie's.
    here = unit.replace("/opt/causerie/.venv/bin/causerie", str(Path(sys.executable).parent / "causerie"))
    instance = tmp_path / "causerie@8081.service"
    instance.write_text(here)
    result = subprocess.run(["systemd-analyze", "verify", str(instance)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def _seconds(value: str) -> int:
    return int(value.removesuffix("s"))


def test_the_proxies_wait_longer_than_a_long_poll_and_forward_the_client() -> None:
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert _seconds(re.search(r"proxy_read_timeout (\d+s);", nginx).group(1)) > 60  # type: ignore[union-attr]
    assert "proxy_buffering off;" in nginx
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in nginx
    for caddyfile in ("Caddyfile", "Caddyfile.compose"):
        caddy = (DEPLOY / caddyfile).read_text()
        assert _seconds(re.search(r"read_timeout (\d+s)", caddy).group(1)) > 60  # type: ignore[union-attr]
        assert "flush_interval -1" in caddy
    docs = (ROOT / "docs" / "operations.md").read_text()
    for name in ("nginx.conf", "Caddyfile", "causerie@.service", "Dockerfile", "compose.yaml"):
        assert f"deploy/{name}" in docs
    assert "CAUSERIE_TRUSTED_PROXIES" in docs

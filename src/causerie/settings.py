"""Process settings: where the data lives, which database and broker to use, where to listen."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, replace
from pathlib import Path

MAX_PORT = 65535
DEFAULT_LONGPOLL_CACHE_MIB = 32
MIB = 1024 * 1024
DEFAULT_MAX_UPLOAD_MIB = 16 * 1024
FILE_STORES = ("disk", "s3")


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it and says what it takes."""


def _bool_env(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _int_env(name: str, default: int, low: int, high: int, what: str) -> int:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise SettingsError(f"{name}={raw!r} is not {what}")
    return value


def _choice_env(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def _networks_env(name: str) -> tuple[str, ...]:
    entries = tuple(p.strip() for p in (os.environ.get(name) or "").split(",") if p.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(f"{name}: {entry!r} is not an IP address or CIDR range") from None
    return entries


def normalise_database_url(url: str) -> str:
    """Accept the URLs operators write and pick the driver Causerie runs on them."""
    for prefix in ("sqlite:///", "sqlite+aiosqlite:///"):
        if url.startswith(prefix):
            return "sqlite+pysqlite:///" + url.removeprefix(prefix)
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    broker_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    # Nextcloud's auth.bruteforce.protection.testing: attempts are counted, nobody sleeps.
    bruteforce_sleep: bool = True
    bruteforce_enabled: bool = True
    # Base URL used in links the server prints; derived from host/port when unset.
    public_url: str | None = None
    log_requests: bool = True
    # Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For/-Proto/-Host are believed,
    # like Nextcloud's trusted_proxies: client addresses for throttling, the public URL for links.
    trusted_proxies: tuple[str, ...] = ()
    # Budget of the long-poll reads kept for late waiters (events.single_flight), in MiB.
    longpoll_cache_mib: int = DEFAULT_LONGPOLL_CACHE_MIB
    # Test suites only: administrators may move the server's clock forward (services/clock.py).
    testing: bool = False
    # Where uploaded files live: "disk" (under data_dir/files) or "s3" (an S3-compatible bucket).
    files_store: str = "disk"
    s3_endpoint: str | None = None
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    # The largest file one upload may make (Nextcloud answers 413 above its web server's limit).
    max_upload_mib: int = DEFAULT_MAX_UPLOAD_MIB

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        data_dir = Path(os.environ.get("CAUSERIE_DATA_DIR") or "./data").resolve()
        db_url = os.environ.get("CAUSERIE_DATABASE_URL") or f"sqlite:///{data_dir / 'causerie.db'}"
        settings = cls(
            data_dir=data_dir,
            database_url=normalise_database_url(db_url),
            broker_url=os.environ.get("CAUSERIE_BROKER_URL") or None,
            host=os.environ.get("CAUSERIE_HOST") or "127.0.0.1",
            port=_int_env("CAUSERIE_PORT", 8080, 1, MAX_PORT, f"a port number (1 to {MAX_PORT})"),
            bruteforce_sleep=_bool_env("CAUSERIE_BRUTEFORCE_SLEEP", True),
            bruteforce_enabled=_bool_env("CAUSERIE_BRUTEFORCE_ENABLED", True),
            public_url=os.environ.get("CAUSERIE_PUBLIC_URL") or None,
            log_requests=_bool_env("CAUSERIE_LOG_REQUESTS", True),
            trusted_proxies=_networks_env("CAUSERIE_TRUSTED_PROXIES"),
            testing=_bool_env("CAUSERIE_TESTING", False),
            longpoll_cache_mib=_int_env(
                "CAUSERIE_LONGPOLL_CACHE_MIB", DEFAULT_LONGPOLL_CACHE_MIB, 0, 1024 * 1024, "a number of MiB (0 or more)"
            ),
            files_store=_choice_env("CAUSERIE_FILES_STORE", "disk", FILE_STORES),
            s3_endpoint=os.environ.get("CAUSERIE_S3_ENDPOINT") or None,
            s3_bucket=os.environ.get("CAUSERIE_S3_BUCKET") or "",
            s3_region=os.environ.get("CAUSERIE_S3_REGION") or "us-east-1",
            s3_access_key=os.environ.get("CAUSERIE_S3_ACCESS_KEY") or "",
            s3_secret_key=os.environ.get("CAUSERIE_S3_SECRET_KEY") or "",
            max_upload_mib=_int_env(
                "CAUSERIE_MAX_UPLOAD_MIB", DEFAULT_MAX_UPLOAD_MIB, 1, 1024 * 1024 * 1024, "a number of MiB (1 or more)"
            ),
        )
        if settings.files_store == "s3" and not settings.s3_bucket:
            raise SettingsError("CAUSERIE_FILES_STORE=s3 needs CAUSERIE_S3_BUCKET")
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **clean)  # type: ignore[arg-type]

    @property
    def longpoll_cache_bytes(self) -> int:
        return self.longpoll_cache_mib * MIB

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mib * MIB

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

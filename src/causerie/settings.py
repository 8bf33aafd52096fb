"""Process settings: where the data lives, which database and broker to use, where to listen."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

MAX_PORT = 65535
DEFAULT_LONGPOLL_CACHE_MIB = 32
MIB = 1024 * 1024


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
    # Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For/-Proto are believed, like
    # Nextcloud's trusted_proxies: client addresses for throttling, https for secure cookies.
    trusted_proxies: tuple[str, ...] = ()
    # Budget of the long-poll reads kept for late waiters (events.single_flight), in MiB.
    longpoll_cache_mib: int = DEFAULT_LONGPOLL_CACHE_MIB
    # Test suites only: administrators may move the server's clock forward (services/clock.py).
    testing: bool = False

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
            trusted_proxies=tuple(
                p.strip() for p in (os.environ.get("CAUSERIE_TRUSTED_PROXIES") or "").split(",") if p.strip()
            ),
            testing=_bool_env("CAUSERIE_TESTING", False),
            longpoll_cache_mib=_int_env(
                "CAUSERIE_LONGPOLL_CACHE_MIB", DEFAULT_LONGPOLL_CACHE_MIB, 0, 1024 * 1024, "a number of MiB (0 or more)"
            ),
        )
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **clean)  # type: ignore[arg-type]

    @property
    def longpoll_cache_bytes(self) -> int:
        return self.longpoll_cache_mib * MIB

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

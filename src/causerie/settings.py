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
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")

# Every setting: its environment variable, its default and what it does. ``causerie --help`` and
# ``occ --help`` print this table, and a test checks that every variable read below is in it.
DOCUMENTED: tuple[tuple[str, str, str], ...] = (
    ("CAUSERIE_DATA_DIR", "./data", "the data directory: the SQLite file causerie.db and the files"),
    ("CAUSERIE_DATABASE_URL", "sqlite:///<data dir>/causerie.db", "or postgresql://USER:PASSWORD@HOST:5432/DB"),
    ("CAUSERIE_BROKER_URL", "(none: one process)", "redis://HOST:6379/0 to wake clients across processes"),
    ("CAUSERIE_HOST", "127.0.0.1", "address to listen on (--host)"),
    ("CAUSERIE_PORT", "8080", "port to listen on (--port)"),
    ("CAUSERIE_PUBLIC_URL", "http://HOST:PORT", "the URL users reach, e.g. https://chat.example.org"),
    ("CAUSERIE_TRUSTED_PROXIES", "(none)", "proxy addresses/CIDRs whose X-Forwarded-* headers are believed"),
    ("CAUSERIE_LOG_LEVEL", "info", "debug, info, warning or error; debug also shows libraries' messages"),
    ("CAUSERIE_LOG_FORMAT", "text", "text or json (one JSON object per line)"),
    ("CAUSERIE_LOG_REQUESTS", "1", "one log line per request (0 turns it off)"),
    ("CAUSERIE_METRICS_TOKEN", "(none: /metrics off)", "bearer token that GET /metrics requires"),
    ("CAUSERIE_LONGPOLL_CACHE_MIB", "32", "memory for long-poll reads kept for late waiters"),
    ("CAUSERIE_FILES_STORE", "disk", "disk (<data dir>/files) or s3"),
    ("CAUSERIE_S3_BUCKET", "(none)", "the bucket when the files store is s3"),
    ("CAUSERIE_S3_ENDPOINT", "(AWS)", "a self-hosted S3 endpoint (MinIO, Garage)"),
    ("CAUSERIE_S3_REGION", "us-east-1", "the bucket's region"),
    ("CAUSERIE_S3_ACCESS_KEY", "(none)", "S3 access key"),
    ("CAUSERIE_S3_SECRET_KEY", "(none)", "S3 secret key"),
    ("CAUSERIE_MAX_UPLOAD_MIB", "16384", "the largest file one upload may make"),
    ("CAUSERIE_BRUTEFORCE_ENABLED", "1", "brute-force protection (0 turns it off)"),
    ("CAUSERIE_BRUTEFORCE_SLEEP", "1", "0 counts attempts without delaying (test suites)"),
    ("CAUSERIE_TESTING", "0", "test suites only: a clock administrators may move"),
)


def settings_help() -> str:
    """The settings table for ``--help`` (click keeps a paragraph starting with \\b as it is)."""
    width = max(len(name) for name, _, _ in DOCUMENTED)
    lines = ["\b", "Settings (environment variables):"]
    lines += [f"  {name:<{width}}  {what} (default: {default})" for name, default, what in DOCUMENTED]
    return "\n".join(lines)


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


def redact_url(url: str) -> str:
    """``url`` without the password in its authority (``user:***@host``) and without the driver."""
    scheme, sep, rest = url.partition("://")
    scheme = scheme.split("+", 1)[0]
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        credentials, _, host = authority.rpartition("@")
        user = credentials.split(":", 1)[0]
        authority = f"{user}:***@{host}" if ":" in credentials else f"{user}@{host}"
    return f"{scheme}{sep}{authority}{slash}{tail}"


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
    log_level: str = "info"
    log_format: str = "text"
    # GET /metrics answers only with this bearer token; without one it is not served at all.
    metrics_token: str | None = None

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
            log_level=_choice_env("CAUSERIE_LOG_LEVEL", "info", LOG_LEVELS),
            log_format=_choice_env("CAUSERIE_LOG_FORMAT", "text", LOG_FORMATS),
            metrics_token=os.environ.get("CAUSERIE_METRICS_TOKEN") or None,
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
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL (or an in-memory database)."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)

    @property
    def default_database(self) -> bool:
        """Whether this is the database of ``./data`` as seen from here (the default)."""
        return self.sqlite_path == Path("./data/causerie.db").resolve()

    @property
    def database_shown(self) -> str:
        """The database for messages: the SQLite file, or the URL without its password."""
        if (path := self.sqlite_path) is not None:
            return str(path)
        return redact_url(self.database_url)

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

"""Users, groups, app passwords, browser sessions and failed login attempts."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, String, Table, Text, text

from causerie.storage.metadata import metadata

users = Table(
    "users",
    metadata,
    Column("uid", String(64), primary_key=True),
    Column("display_name", String(255), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("email", String(255), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("first_login", BigInteger, nullable=True),
    Column("last_login", BigInteger, nullable=True),
    # A disabled user keeps its data but cannot log in or use any credential (Nextcloud's enabled).
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    # Lower-cased copies for searching people (core/autocomplete): kept by the storage functions that
    # write uid and display name, folded by Python so both engines compare the same strings. Prefix
    # searches are byte ranges on these indexes: binary on SQLite, text_pattern_ops on PostgreSQL
    # (its default collation would not order by bytes).
    Column("uid_lower", String(64), nullable=False, server_default=""),
    Column("name_lower", String(255), nullable=False, server_default=""),
    Index("ix_users_uid_lower", "uid_lower", postgresql_ops={"uid_lower": "text_pattern_ops"}),
    Index("ix_users_name_lower", "name_lower", postgresql_ops={"name_lower": "text_pattern_ops"}),
)

groups = Table(
    "groups",
    metadata,
    Column("gid", String(64), primary_key=True),
    Column("display_name", String(255), nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("gid", String(64), ForeignKey("groups.gid", ondelete="CASCADE"), primary_key=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    Index("ix_group_members_uid", "uid"),
)

app_passwords = Table(
    "app_passwords",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    # sha256 of the token: tokens are long random strings, so a fast hash is enough to look them up.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("last_used", BigInteger, nullable=True),
    # Set for a one-time token (a one-time QR code): it logs in nowhere, it is exchanged once for
    # a permanent app password by ``core/getapppassword-onetime`` before this time.
    Column("expires_at", BigInteger, nullable=True),
    Index("ix_app_passwords_uid", "uid"),
)

# Browser sessions (users logged in through the web page, and guests, who have no account).
http_sessions = Table(
    "http_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=True),
    Column("csrf_token", String(64), nullable=False),
    # JSON object; guests keep their per-conversation Talk session ids here as Talk keeps them
    # in the PHP session.
    Column("data", Text, nullable=False, default="{}"),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
)

bruteforce_attempts = Table(
    "bruteforce_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(64), nullable=False),
    Column("occurred", Float, nullable=False),
    Column("ip", String(255), nullable=False),
    Column("subnet", String(255), nullable=False),
    Column("metadata", Text, nullable=False, default="{}"),
    Index("ix_bruteforce_attempts_subnet_action", "subnet", "action", "occurred"),
)

# Login flow v2 (Nextcloud's ClientFlowLoginV2): a client waits, polling with a secret token, for a
# browser to grant it access. Both tokens are stored as SHA-256. The app password is created by the
# poll that collects it, so no password is ever stored here.
login_flows = Table(
    "login_flows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("poll_token_hash", String(64), nullable=False, unique=True),
    Column("login_token_hash", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    # The client's User-Agent: the page names it, and the app password is called after it.
    Column("client_name", String(255), nullable=False),
    # The URL the client reached the server by, handed back to it with the credentials.
    Column("server", String(1024), nullable=False),
    Column("started", Boolean, nullable=False, default=False),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=True),
    Index("ix_login_flows_created_at", "created_at"),
)

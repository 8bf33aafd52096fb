"""Durable jobs: work off the request path."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, String, Table, Text

from causerie.storage.metadata import metadata

# Durable jobs (push, webhooks, reminders, notifications): written in the transaction of the
# change that asks for them, run after it commits, retried with backoff, each done once.
jobs = Table(
    "jobs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False, default="{}"),
    # pending → done, or dead once its tries are used up.
    Column("state", String(16), nullable=False, default="pending"),
    Column("run_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False),
    # The process running it and until when: another process takes it over after that.
    Column("locked_by", String(64), nullable=True),
    Column("locked_until", Float, nullable=True),
    Column("last_error", Text, nullable=True),
    # At most one pending or finished job per key (a reminder per user and message, say).
    Column("dedupe_key", String(255), nullable=True, unique=True),
    Column("created_at", Float, nullable=False),
    Column("finished_at", Float, nullable=True),
    Index("ix_jobs_state_run_at", "state", "run_at"),
    sqlite_autoincrement=True,
)

"""Direct access to the test server's database, for set-ups the API cannot make (a call that
started an hour ago) and for checking what was stored."""

from __future__ import annotations

from typing import Any

import sqlalchemy


def engine(database_url: str) -> sqlalchemy.Engine:
    # A synchronous driver that the test dependencies install (SQLAlchemy's default for
    # postgresql:// is psycopg 3, which they do not).
    if database_url.startswith(("postgresql://", "postgres://")):
        database_url = "postgresql+psycopg2://" + database_url.split("://", 1)[1]
    return sqlalchemy.create_engine(database_url)


def sql(db: sqlalchemy.Engine, statement: str, **params: Any) -> list[Any]:
    with db.begin() as conn:
        result = conn.execute(sqlalchemy.text(statement), params)
        return list(result) if result.returns_rows else []

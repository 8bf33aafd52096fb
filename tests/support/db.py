"""Direct access to the test server's database, for set-ups the API cannot make (a call that
started an hour ago) and for checking what was stored."""

from __future__ import annotations

from typing import Any

import sqlalchemy


def engine(database_url: str) -> sqlalchemy.Engine:
    return sqlalchemy.create_engine(database_url)


def sql(db: sqlalchemy.Engine, statement: str, **params: Any) -> list[Any]:
    with db.begin() as conn:
        result = conn.execute(sqlalchemy.text(statement), params)
        return list(result) if result.returns_rows else []

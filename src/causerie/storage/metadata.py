"""The one SQLAlchemy ``MetaData`` every table of storage/tables/ is defined on."""

from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# sqlite_autoincrement: SQLite reuses the highest rowid after a delete unless AUTOINCREMENT is
# asked for; message and attendee ids must never come back, or a client's lastKnownMessageId would
# skip a new message.

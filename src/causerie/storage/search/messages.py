"""The full-text index of comments, one interface over two engines: SQLite's FTS5 table and
PostgreSQL's ``tsvector`` table with its GIN index (both made and kept in step by the triggers of
migration 0003). A search takes the words of a term, matches each as a prefix (Talk matches the
term as a substring; a prefix of each word is what an index can answer), keeps the comments of
the given rooms that have not expired, and ranks them by relevance, the newest first among
equals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.sql.elements import TextClause

from causerie.storage.db import Conn

# More words than this add nothing to a search but its cost.
MAX_WORDS = 8
MAX_WORD_CHARS = 64
_WORD = re.compile(r"\w+")

_COLUMNS = (
    "m.id, m.room_id, m.actor_type, m.actor_id, m.actor_display_name, m.message_type, m.message, "
    "m.parameters, m.parent_id, m.created_at"
)


@dataclass(frozen=True)
class Hit:
    """A comment found, with what the answer shows of it."""

    id: int
    room_id: int
    actor_type: str
    actor_id: str
    actor_display_name: str
    message_type: str
    message: str
    parameters: str
    parent_id: int | None
    created_at: int

    @classmethod
    def of(cls, row: Any) -> Hit:
        return cls(
            int(row.id),
            int(row.room_id),
            row.actor_type,
            row.actor_id,
            row.actor_display_name,
            row.message_type,
            row.message,
            row.parameters,
            None if row.parent_id is None else int(row.parent_id),
            int(row.created_at),
        )


def words(term: str) -> list[str]:
    """The words of a search term as the index knows them: letters, digits, underscores."""
    return [word[:MAX_WORD_CHARS] for word in _WORD.findall(term)][:MAX_WORDS]


class MessageIndex(Protocol):
    """What search asks of an engine's index."""

    def query(self, words: Sequence[str]) -> str:
        """The engine's query for all of ``words``, each as a prefix."""

    def statement(self) -> TextClause:
        """Hits among ``:rooms`` matching ``:q`` that expire after ``:now`` (or never), ranked,
        ``:limit`` of them after skipping ``:offset``."""


class Fts5Index:
    def query(self, words: Sequence[str]) -> str:
        # Quoted strings: whatever the words hold, FTS5 reads no operator in them.
        return " ".join('"' + word.replace('"', '""') + '"*' for word in words)

    def statement(self) -> TextClause:
        return text(
            f"SELECT {_COLUMNS} FROM message_search JOIN messages m ON m.id = message_search.rowid "
            "WHERE message_search MATCH :q AND m.room_id IN :rooms AND (m.expire_at IS NULL OR m.expire_at > :now) "
            "ORDER BY bm25(message_search), m.id DESC LIMIT :limit OFFSET :offset"
        ).bindparams(bindparam("rooms", expanding=True))


class PostgresIndex:
    def query(self, words: Sequence[str]) -> str:
        # Quoted lexemes: a word can never be read as tsquery syntax.
        return " & ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)

    def statement(self) -> TextClause:
        return text(
            f"SELECT {_COLUMNS} FROM message_search s JOIN messages m ON m.id = s.message_id, "
            "to_tsquery('simple', :q) AS q "
            "WHERE s.document @@ q AND s.room_id = ANY(:rooms) AND (m.expire_at IS NULL OR m.expire_at > :now) "
            "ORDER BY ts_rank(s.document, q) DESC, m.id DESC LIMIT :limit OFFSET :offset"
        )


_INDEXES: dict[str, MessageIndex] = {"sqlite": Fts5Index(), "postgresql": PostgresIndex()}


def index_of(conn: Conn) -> MessageIndex:
    return _INDEXES[conn.dialect.name]


async def search(
    conn: Conn, words: Sequence[str], room_ids: Sequence[int], *, now: int, limit: int, offset: int
) -> list[Hit]:
    """Comments of ``room_ids`` holding every one of ``words`` (as prefixes), best first."""
    if not words or not room_ids:
        return []
    index = index_of(conn)
    values = {"q": index.query(words), "rooms": list(room_ids), "now": now, "limit": limit, "offset": offset}
    rows = await conn.execute(index.statement(), values)
    return [Hit.of(row) for row in rows]

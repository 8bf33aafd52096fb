"""The full-text index of comments, one interface over two engines: SQLite's FTS5 table and
PostgreSQL's ``tsvector`` table with its GIN index (both made and kept in step by the triggers of
migration 0003). A search takes the words of a term and matches them as whole words, the last one as
a prefix since clients search as the user types (Talk matches the term as a substring, which no
index answers; a prefix query costs in proportion to every word it expands to, so only the last
word pays it), keeps the comments of
the given rooms that have not expired, and ranks the newest of them by relevance (``search``)."""

from __future__ import annotations

import re
import unicodedata
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

_ROWS = text(
    "SELECT id, room_id, actor_type, actor_id, actor_display_name, message_type, message, parameters, parent_id, "
    "created_at FROM messages WHERE id IN :ids"
).bindparams(bindparam("ids", expanding=True))


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
    """What search asks of an engine's index. Statements take ``:q`` (``query``), ``:rooms``,
    ``:now`` (comments expiring by then are left out) and ``:limit``."""

    def query(self, words: Sequence[str]) -> str:
        """The engine's query for all of ``words``, the last one as a prefix."""

    def newest(self) -> TextClause:
        """``(id, message)`` of matches, newest first; with ``:before``, only ids below it;
        ``:offset`` skipped."""

    def values(self, words: Sequence[str], room_ids: Sequence[int]) -> dict[str, Any]:
        """The statement's ``:q`` and ``:rooms`` (and whatever else the engine needs)."""


class Fts5Index:
    def query(self, words: Sequence[str]) -> str:
        # Quoted strings: whatever the words hold, FTS5 reads no operator in them.
        quoted = ['"' + word.replace('"', '""') + '"' for word in words]
        return " ".join([*quoted[:-1], quoted[-1] + "*"])

    def newest(self) -> TextClause:
        # CROSS JOIN keeps the index as the outer loop, read in rowid order, so that the LIMIT
        # stops the walk early instead of sorting every match.
        return text(
            "SELECT message_search.rowid AS id, m.message AS message "
            "FROM message_search CROSS JOIN messages m ON m.id = message_search.rowid "
            "WHERE message_search MATCH :q AND message_search.rowid < :before AND m.room_id IN :rooms "
            "AND (m.expire_at IS NULL OR m.expire_at > :now) "
            "ORDER BY message_search.rowid DESC LIMIT :limit OFFSET :offset"
        ).bindparams(bindparam("rooms", expanding=True))

    def values(self, words: Sequence[str], room_ids: Sequence[int]) -> dict[str, Any]:
        return {"q": self.query(words), "rooms": list(room_ids)}


class PostgresIndex:
    def query(self, words: Sequence[str]) -> str:
        # Quoted lexemes: a word can never be read as tsquery syntax.
        quoted = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words]
        return " & ".join([*quoted[:-1], quoted[-1] + ":*"])

    def newest(self) -> TextClause:
        return text(
            "SELECT s.message_id AS id, m.message AS message "
            "FROM message_search s JOIN messages m ON m.id = s.message_id "
            "WHERE s.document @@ (to_tsquery('simple', :q) && CAST(:in_rooms AS tsquery)) "
            "AND s.message_id < :before AND s.room_id = ANY(:rooms) "
            "AND (m.expire_at IS NULL OR m.expire_at > :now) "
            # "+ 0": no walk of the primary key backwards, testing every row, which the planner
            # picks when it misjudges how few rows the words and rooms leave (it cannot estimate
            # the room lexemes); the GIN index finds them and a top-N sort keeps the newest.
            "ORDER BY s.message_id + 0 DESC LIMIT :limit OFFSET :offset"
        )

    def values(self, words: Sequence[str], room_ids: Sequence[int]) -> dict[str, Any]:
        # Each document also holds the lexeme "room#<id>" (no text gives one: the parser splits
        # at "#"), so that the GIN index itself leaves out other rooms' matches instead of the
        # heap rows being read to find their room.
        in_rooms = " | ".join(f"'room#{int(room_id)}'" for room_id in room_ids)
        return {"q": self.query(words), "rooms": list(room_ids), "in_rooms": in_rooms}


_INDEXES: dict[str, MessageIndex] = {"sqlite": Fts5Index(), "postgresql": PostgresIndex()}
# Relevance orders the newest matches this many deep; older ones follow, newest first. Ranking
# every match costs in proportion to their number (a frequent word is in most messages); the
# window keeps a search's cost bounded whatever the word, and recent messages are what chats
# search for most.
RANKED = 50
_NO_BOUND = 2**63 - 1
# BM25's constants; without document frequencies (every word of a search is in every match)
# a word's weight is how often it occurs, damped, against the message's length.
_K1, _B, _AVERAGE_WORDS = 1.2, 0.75, 12.0


def _folded(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value.lower()) if not unicodedata.combining(c))


def relevance(words: Sequence[str], message: str) -> float:
    """How well a message matches: BM25 over its words (the last search word as a prefix), the
    same on both engines."""
    tokens = [_folded(token) for token in _WORD.findall(message)]
    norm = _K1 * (1 - _B + _B * len(tokens) / _AVERAGE_WORDS)
    score = 0.0
    last = len(words) - 1
    for n, word in enumerate(_folded(w) for w in words):
        count = sum(1 for t in tokens if (t.startswith(word) if n == last else t == word))
        score += count * (_K1 + 1) / (count + norm) if count else 0.0
    return score


def index_of(conn: Conn) -> MessageIndex:
    return _INDEXES[conn.dialect.name]


async def search(
    conn: Conn, words: Sequence[str], room_ids: Sequence[int], *, now: int, limit: int, offset: int
) -> list[Hit]:
    """Comments of ``room_ids`` holding every one of ``words``: the ``RANKED`` newest
    by relevance (the newest first among equals), then the older ones newest first."""
    if not words or not room_ids:
        return []
    index = index_of(conn)
    values = {**index.values(words, room_ids), "now": now}
    statement = index.newest()
    window = (await conn.execute(statement, {**values, "before": _NO_BOUND, "limit": RANKED, "offset": 0})).all()
    ranked = [int(row.id) for row in sorted(window, key=lambda row: (-relevance(words, row.message), -int(row.id)))]
    ids = ranked[offset : offset + limit]
    if len(window) == RANKED and offset + limit > RANKED:
        older = {
            "before": int(window[-1].id),
            "limit": offset + limit - max(offset, RANKED),
            "offset": max(offset - RANKED, 0),
        }
        ids += [int(row.id) for row in await conn.execute(statement, {**values, **older})]
    if not ids:
        return []
    rows = {int(row.id): row for row in await conn.execute(_ROWS, {"ids": ids})}
    return [Hit.of(rows[i]) for i in ids if i in rows]

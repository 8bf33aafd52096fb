"""full-text search over comments: SQLite FTS5, PostgreSQL tsvector with GIN

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 20:10:00

Autogenerate sees neither virtual tables nor triggers, so this revision is kept when 0001 is
regenerated; ``storage/schema.py`` names the objects it creates (``SEARCH_OBJECTS``) so that the
comparison of a migrated database with the schema leaves them out.

Only comments are indexed (Talk searches normal messages, not system messages), with their
placeholders replaced by the names they stand for, so that "@Bob" is found as "Bob" and
"{mention-user1}" is not found as "mention". Triggers keep the index in step with every insert,
edit, deletion (a comment becomes a ``comment_deleted`` stub) and removed row (history cleared,
conversation deleted). On PostgreSQL each document also holds the lexeme ``room#<id>``, which no
text gives, so that the GIN index answers "in these rooms" with the words. On SQLite a table
rebuilt by a batch migration loses its triggers: a later migration that alters ``messages`` that
way must create these again.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The text of a comment as a reader sees it: each {key} of its parameters replaced by the
# parameter's name (SQLite has no regular expressions; a recursive walk over the keys does it, for
# the comments that have parameters at all).
_SQLITE_TEXT = """(CASE WHEN {row}.parameters = '{{}}' THEN {row}.message ELSE (WITH RECURSIVE p(n, k, v) AS (
    SELECT row_number() OVER (), key, json_extract(value, '$.name') FROM json_each({row}.parameters)
    WHERE json_valid({row}.parameters)
), r(i, s) AS (
    SELECT 0, {row}.message
    UNION ALL SELECT r.i + 1, replace(r.s, '{{' || p.k || '}}', coalesce(p.v, '')) FROM r JOIN p ON p.n = r.i + 1
) SELECT s FROM r ORDER BY i DESC LIMIT 1) END)"""

_SQLITE = [
    # Contentless: the text lives in messages; the index holds only what search needs.
    "CREATE VIRTUAL TABLE message_search USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN NEW.message_type = 'comment' BEGIN
    INSERT INTO message_search(rowid, body) VALUES (NEW.id, {_SQLITE_TEXT.format(row="NEW")});
END""",
    f"""CREATE TRIGGER message_search_delete AFTER DELETE ON messages WHEN OLD.message_type = 'comment' BEGIN
    INSERT INTO message_search(message_search, rowid, body) VALUES ('delete', OLD.id, {_SQLITE_TEXT.format(row="OLD")});
END""",
    # One trigger for both halves of an update: the old text must leave the index before the new one
    # enters under the same rowid, and SQLite does not order two triggers of one event.
    f"""CREATE TRIGGER message_search_update AFTER UPDATE OF message, parameters, message_type ON messages BEGIN
    INSERT INTO message_search(message_search, rowid, body)
        SELECT 'delete', OLD.id, {_SQLITE_TEXT.format(row="OLD")} WHERE OLD.message_type = 'comment';
    INSERT INTO message_search(rowid, body)
        SELECT NEW.id, {_SQLITE_TEXT.format(row="NEW")} WHERE NEW.message_type = 'comment';
END""",
]

_POSTGRESQL = [
    """CREATE TABLE message_search (
    message_id BIGINT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    room_id INTEGER NOT NULL,
    document TSVECTOR NOT NULL
)""",
    # Without the pending list: it is scanned in full by every search until a vacuum merges it
    # (about 20 ms at 100,000 fresh messages); inserting into the index directly costs the send
    # a little more instead.
    "CREATE INDEX ix_message_search_document ON message_search USING gin (document) WITH (fastupdate = off)",
    "CREATE INDEX ix_message_search_room ON message_search (room_id, message_id)",
    """CREATE FUNCTION causerie_message_text(message TEXT, parameters TEXT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    item RECORD;
    result TEXT := message;
BEGIN
    IF parameters IS NULL OR parameters = '{}' THEN
        RETURN result;
    END IF;
    BEGIN
        FOR item IN SELECT key, value ->> 'name' AS name FROM json_each(parameters::json) LOOP
            result := replace(result, '{' || item.key || '}', coalesce(item.name, ''));
        END LOOP;
    EXCEPTION WHEN others THEN
        RETURN message;
    END;
    RETURN result;
END $$""",
    """CREATE FUNCTION causerie_message_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.message_type = 'comment' THEN
        INSERT INTO message_search (message_id, room_id, document)
        VALUES (NEW.id, NEW.room_id, to_tsvector('simple', causerie_message_text(NEW.message, NEW.parameters))
            || ('room#' || NEW.room_id)::tsvector)
        ON CONFLICT (message_id) DO UPDATE SET document = EXCLUDED.document;
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM message_search WHERE message_id = NEW.id;
    END IF;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
FOR EACH ROW WHEN (NEW.message_type = 'comment') EXECUTE FUNCTION causerie_message_search()""",
    """CREATE TRIGGER messages_search_update AFTER UPDATE OF message, parameters, message_type ON messages
FOR EACH ROW EXECUTE FUNCTION causerie_message_search()""",
]


def upgrade() -> None:
    for statement in _POSTGRESQL if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER messages_search_update ON messages")
        op.execute("DROP TRIGGER messages_search_insert ON messages")
        op.execute("DROP FUNCTION causerie_message_search()")
        op.execute("DROP FUNCTION causerie_message_text(TEXT, TEXT)")
        op.execute("DROP TABLE message_search")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER message_search_{name}")
        op.execute("DROP TABLE message_search")

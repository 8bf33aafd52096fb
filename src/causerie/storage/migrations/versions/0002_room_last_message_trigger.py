"""a new message becomes its room's last message in the database

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 02:40:00

The trigger spares every message insert a statement of its own (the chat send is the busiest
write). On SQLite a table rebuilt by a batch migration loses its triggers: a later migration that
alters ``messages`` that way must create this one again.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_UPDATE = "UPDATE rooms SET last_message_id = NEW.id, last_activity = NEW.created_at WHERE id = NEW.room_id;"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION causerie_room_last_message() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_UPDATE} RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER messages_room_last_message AFTER INSERT ON messages "
            "FOR EACH ROW EXECUTE FUNCTION causerie_room_last_message()"
        )
    else:
        op.execute(f"CREATE TRIGGER messages_room_last_message AFTER INSERT ON messages BEGIN {_UPDATE} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER messages_room_last_message ON messages")
        op.execute("DROP FUNCTION causerie_room_last_message()")
    else:
        op.execute("DROP TRIGGER messages_room_last_message")

"""Users' files: stored contents, trees, quotas, shares into conversations and uploads."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from causerie.storage.metadata import metadata

# Stored contents, content-addressed: ``key`` is the SHA-256 of the bytes on either store. A row is
# claimed (``claimed_at``) before its object is written and again when a node starts pointing at
# it; the clean-up deletes only rows nothing points at and nobody claimed lately (storage/files/blobs.py).
file_blobs = Table(
    "file_blobs",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("claimed_at", Float, nullable=False),
)

# Each user's tree: folders and files, by path relative to the user's root ("" is the root).
file_nodes = Table(
    "file_nodes",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("owner", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=False),
    # 0 for a root.
    Column("parent_id", BigInteger, nullable=False),
    Column("path", Text, nullable=False),
    # sha1 of the path: paths may be longer than an index entry may be.
    Column("path_hash", String(40), nullable=False),
    Column("name", String(255), nullable=False),
    Column("is_dir", Boolean, nullable=False),
    Column("size", BigInteger, nullable=False, default=0),
    Column("mtime", BigInteger, nullable=False),
    Column("etag", String(32), nullable=False),
    Column("mimetype", String(255), nullable=False),
    Column("blob_key", String(64), nullable=True),
    # Image metadata, once looked at: 0 not yet, 1 a preview can be made, 2 none can.
    Column("preview_state", Integer, nullable=False, default=0),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("blurhash", String(64), nullable=True),
    UniqueConstraint("owner", "path_hash"),
    Index("ix_file_nodes_parent", "parent_id"),
    Index("ix_file_nodes_blob", "blob_key"),
    sqlite_autoincrement=True,
)

# Per-user quota in bytes (Nextcloud's user setting ``files quota``); no row: the default.
file_quotas = Table(
    "file_quotas",
    metadata,
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    Column("quota", BigInteger, nullable=False),
)

# A file shared into a conversation (Nextcloud share type 10).
file_shares = Table(
    "file_shares",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("file_id", BigInteger, ForeignKey("file_nodes.id", ondelete="CASCADE"), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("owner", String(64), nullable=False),
    # The 15-character token of the public link (/index.php/s/{token}).
    Column("token", String(32), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expire_at", BigInteger, nullable=True),
    UniqueConstraint("file_id", "room_id"),
    Index("ix_file_shares_room", "room_id"),
    sqlite_autoincrement=True,
)

# The name a share has in a recipient's attachment folder, kept once given so that it never moves.
file_share_targets = Table(
    "file_share_targets",
    metadata,
    Column("share_id", BigInteger, ForeignKey("file_shares.id", ondelete="CASCADE"), primary_key=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), primary_key=True),
    Column("name", String(255), nullable=False),
    UniqueConstraint("uid", "name"),
)

# Chunked uploads in progress (/remote.php/dav/uploads/{uid}/{name}) and their chunks.
file_uploads = Table(
    "file_uploads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(64), ForeignKey("users.uid", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    # open → assembling (one MOVE at a time).
    Column("state", String(16), nullable=False, default="open"),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("uid", "name"),
)

file_upload_chunks = Table(
    "file_upload_chunks",
    metadata,
    Column("upload_id", Integer, ForeignKey("file_uploads.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("blob_key", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Index("ix_file_upload_chunks_blob", "blob_key"),
)

"""A user's tree as WebDAV shows it: its own folders and files, plus, in its attachment folder,
one entry per file shared into a conversation it is in now (named for it once, then kept).

Talk's model (files.md §9): a file has one id for every viewer; a recipient sees a share under
its own attachment folder, and loses it the moment it leaves the conversation.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP as TALK_APP
from causerie.services.files import names
from causerie.storage.db import Conn, Database
from causerie.storage.files import nodes as node_store
from causerie.storage.files import shares as share_store

# Nextcloud's numeric permissions: read 1, update 2, create 4, delete 8, share 16.
OWNER_FILE = 27
OWNER_FOLDER = 31
# What a conversation's share gives its recipients (Talk's default 31 less create and delete).
# Causerie keeps recipients' copies read-only over WebDAV.
RECIPIENT = 19


def new_etag() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Entry:
    """A node as one user sees it: its own, or a share mounted in its attachment folder."""

    id: int
    owner: str
    path: str  # as the viewer sees it, relative to its root ("" for the root)
    is_dir: bool
    size: int
    mtime: int
    etag: str
    mimetype: str
    blob_key: str | None
    preview_state: int
    width: int | None
    height: int | None
    blurhash: str | None
    share_id: int | None = None  # set for a share mounted in the viewer's tree

    @property
    def name(self) -> str:
        return names.base_of(self.path)

    @property
    def mine(self) -> bool:
        return self.share_id is None

    @property
    def permissions(self) -> int:
        if not self.mine:
            return RECIPIENT
        return OWNER_FOLDER if self.is_dir else OWNER_FILE

    @property
    def dav_permissions(self) -> str:
        """``oc:permissions`` letters: S shared, R shareable, G readable, D deletable, N renamable,
        V movable, W writable, C/K may create files/folders."""
        if not self.mine:
            return "SRG"
        return "RGDNVCK" if self.is_dir else "RGDNVW"


def from_node(row: Any, path: str | None = None) -> Entry:
    return Entry(
        id=int(row.id),
        owner=row.owner,
        path=row.path if path is None else path,
        is_dir=bool(row.is_dir),
        size=int(row.size),
        mtime=int(row.mtime),
        etag=row.etag,
        mimetype=row.mimetype,
        blob_key=row.blob_key,
        preview_state=int(row.preview_state),
        width=row.width,
        height=row.height,
        blurhash=row.blurhash,
    )


def from_share(row: Any, path: str) -> Entry:
    """A share row (``storage.files.shares``: the file's columns prefixed ``node_``)."""
    return Entry(
        id=int(row.file_id),
        owner=row.node_owner,
        path=path,
        is_dir=bool(row.node_is_dir),
        size=int(row.node_size),
        mtime=int(row.node_mtime),
        etag=row.node_etag,
        mimetype=row.node_mimetype,
        blob_key=row.node_blob_key,
        preview_state=int(row.node_preview_state),
        width=row.node_width,
        height=row.node_height,
        blurhash=row.node_blurhash,
        share_id=int(row.id),
    )


async def attachment_folder(conn: Conn) -> str:
    """The attachment folder as a relative path ("/Talk" → "Talk"), Talk's ``attachments.folder``."""
    config = await AppConfig.load(conn, TALK_APP)
    return config.string("default_attachment_folder").strip("/")


async def _ensure_folders(conn: Conn, uid: str, folder: str, now: int) -> None:
    root = await node_store.by_path(conn, uid, "")
    if root is None:
        parent_id = await node_store.insert(
            conn, owner=uid, parent_id=0, path="", name="", is_dir=True, now=now, etag=new_etag(),
            mimetype=names.FOLDER_TYPE,
        )  # fmt: skip
    else:
        parent_id = int(root.id)
    path = ""
    for segment in folder.split("/") if folder else []:
        path = names.join(path, segment)
        found = await node_store.by_path(conn, uid, path)
        if found is None:
            parent_id = await node_store.insert(
                conn, owner=uid, parent_id=parent_id, path=path, name=segment, is_dir=True, now=now,
                etag=new_etag(), mimetype=names.FOLDER_TYPE,
            )  # fmt: skip
        elif not found.is_dir:
            return  # a file where the folder would be: nothing is mounted
        else:
            parent_id = int(found.id)


async def _name_new_shares(conn: Conn, uid: str, folder: str, unnamed: list[Any]) -> None:
    own = await node_store.by_path(conn, uid, folder)
    taken = set(await share_store.target_names(conn, uid))
    if own is not None:
        taken |= await node_store.child_names(conn, int(own.id))
    for row in unnamed:
        name = names.free_name(row.node_name, taken)
        taken.add(name)
        await share_store.add_target(conn, int(row.id), uid, name)


async def prepare(db: Database, uid: str) -> str:
    """Make the user's root and attachment folder exist and give shares new to it a name there
    (a write only when something is missing); returns the attachment folder."""
    async with db.read() as conn:
        folder = await attachment_folder(conn)
        ready = await node_store.by_path(conn, uid, folder) is not None
        unnamed = await share_store.unnamed_for(conn, uid)
    if ready and not unnamed:
        return folder
    async with db.write() as conn:
        await _ensure_folders(conn, uid, folder, int(time.time()))
        unnamed = await share_store.unnamed_for(conn, uid)
        if unnamed:
            await _name_new_shares(conn, uid, folder, unnamed)
    return folder


async def resolve(conn: Conn, uid: str, folder: str, path: str) -> Entry | None:
    """What ``path`` names in ``uid``'s tree now."""
    own = await node_store.by_path(conn, uid, path)
    if own is not None:
        return from_node(own)
    if names.parent_of(path) == folder and path:
        found = await share_store.mounts(conn, uid, name=names.base_of(path))
        if found:
            return from_share(found[0], path)
    return None


async def children(conn: Conn, uid: str, folder: str, entry: Entry) -> list[Entry]:
    if not entry.is_dir or not entry.mine:
        return []
    found = [from_node(row) for row in await node_store.children(conn, entry.id)]
    if entry.path == folder:
        taken = {e.name for e in found}
        for row in await share_store.mounts(conn, uid):
            if row.target not in taken:
                found.append(from_share(row, names.join(folder, row.target)))
    return found


async def by_file_id(conn: Conn, uid: str, folder: str, file_id: int) -> Entry | None:
    """The file with this id as ``uid`` sees it (its own, or a share it can see now)."""
    own = await node_store.by_id(conn, file_id)
    if own is not None and own.owner == uid:
        return from_node(own)
    found = await share_store.mounts(conn, uid, file_id=file_id)
    if found:
        return from_share(found[0], names.join(folder, found[0].target))
    return None

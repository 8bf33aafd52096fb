"""SQL of users' trees: folders and files by owner and path, quotas."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn, insert_id
from causerie.storage.tables.files import file_nodes, file_quotas

NodeRow = Row[Any]


def path_hash(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8")).hexdigest()


async def by_path(conn: Conn, owner: str, path: str) -> NodeRow | None:
    query = select(file_nodes).where(file_nodes.c.owner == owner, file_nodes.c.path_hash == path_hash(path))
    return (await conn.execute(query)).first()


async def by_id(conn: Conn, node_id: int) -> NodeRow | None:
    return (await conn.execute(select(file_nodes).where(file_nodes.c.id == node_id))).first()


async def by_ids(conn: Conn, ids: Sequence[int]) -> dict[int, NodeRow]:
    if not ids:
        return {}
    rows = await conn.execute(select(file_nodes).where(file_nodes.c.id.in_(sorted(set(ids)))))
    return {int(row.id): row for row in rows}


async def children(conn: Conn, parent_id: int) -> list[NodeRow]:
    query = select(file_nodes).where(file_nodes.c.parent_id == parent_id).order_by(file_nodes.c.name)
    return list(await conn.execute(query))


async def child_names(conn: Conn, parent_id: int) -> set[str]:
    rows = await conn.execute(select(file_nodes.c.name).where(file_nodes.c.parent_id == parent_id))
    return {row.name for row in rows}


async def insert(
    conn: Conn,
    *,
    owner: str,
    parent_id: int,
    path: str,
    name: str,
    is_dir: bool,
    now: int,
    etag: str,
    mimetype: str,
    size: int = 0,
    blob_key: str | None = None,
) -> int:
    values = {
        "owner": owner,
        "parent_id": parent_id,
        "path": path,
        "path_hash": path_hash(path),
        "name": name,
        "is_dir": is_dir,
        "size": size,
        "mtime": now,
        "etag": etag,
        "mimetype": mimetype,
        "blob_key": blob_key,
        "preview_state": 0,
    }
    return await insert_id(conn, file_nodes.insert().values(**values))


async def replace_content(
    conn: Conn, node_id: int, *, blob_key: str, size: int, mtime: int, etag: str, mimetype: str
) -> None:
    """New bytes for a file: same id, new etag, its image metadata to be looked at again."""
    await conn.execute(
        update(file_nodes)
        .where(file_nodes.c.id == node_id)
        .values(
            blob_key=blob_key,
            size=size,
            mtime=mtime,
            etag=etag,
            mimetype=mimetype,
            preview_state=0,
            width=None,
            height=None,
            blurhash=None,
        )
    )


async def touch(conn: Conn, node_id: int, *, mtime: int, etag: str) -> None:
    await conn.execute(update(file_nodes).where(file_nodes.c.id == node_id).values(mtime=mtime, etag=etag))


async def set_preview(
    conn: Conn, node_id: int, blob_key: str, state: int, width: int | None, height: int | None, blurhash: str | None
) -> None:
    """Image metadata, for the content it was computed from only."""
    await conn.execute(
        update(file_nodes)
        .where(file_nodes.c.id == node_id, file_nodes.c.blob_key == blob_key)
        .values(preview_state=state, width=width, height=height, blurhash=blurhash)
    )


def _below(prefix: str) -> Any:
    """Rows whose path lies under ``prefix`` (a folder's path)."""
    start = prefix + "/"
    return func.substr(file_nodes.c.path, 1, len(start)) == start


async def descendants(conn: Conn, owner: str, path: str) -> list[NodeRow]:
    query = select(file_nodes).where(file_nodes.c.owner == owner, _below(path))
    return list(await conn.execute(query))


async def move(conn: Conn, node: NodeRow, *, parent_id: int, path: str, name: str, now: int, etag: str) -> None:
    """Rename and/or move a node, with everything below it when it is a folder."""
    for row in await descendants(conn, node.owner, node.path) if node.is_dir else []:
        new_path = path + row.path[len(node.path) :]
        await conn.execute(
            update(file_nodes).where(file_nodes.c.id == row.id).values(path=new_path, path_hash=path_hash(new_path))
        )
    await conn.execute(
        update(file_nodes)
        .where(file_nodes.c.id == node.id)
        .values(parent_id=parent_id, path=path, path_hash=path_hash(path), name=name, mtime=now, etag=etag)
    )


async def delete_tree(conn: Conn, node: NodeRow) -> list[int]:
    """Delete a node and everything below it; returns the ids deleted."""
    ids = [int(node.id)]
    if node.is_dir:
        ids += [int(row.id) for row in await descendants(conn, node.owner, node.path)]
    await conn.execute(delete(file_nodes).where(file_nodes.c.id.in_(ids)))
    return ids


async def used_bytes(conn: Conn, owner: str) -> int:
    query = select(func.coalesce(func.sum(file_nodes.c.size), 0)).where(
        file_nodes.c.owner == owner, file_nodes.c.is_dir.is_(False)
    )
    return int((await conn.execute(query)).scalar_one())


async def folder_size(conn: Conn, owner: str, path: str) -> int:
    query = select(func.coalesce(func.sum(file_nodes.c.size), 0)).where(
        file_nodes.c.owner == owner, file_nodes.c.is_dir.is_(False)
    )
    if path:
        query = query.where(_below(path))
    return int((await conn.execute(query)).scalar_one())


async def quota(conn: Conn, uid: str) -> int | None:
    found = (await conn.execute(select(file_quotas.c.quota).where(file_quotas.c.uid == uid))).scalar()
    return None if found is None else int(found)


async def set_quota(conn: Conn, uid: str, value: int | None) -> None:
    await conn.execute(delete(file_quotas).where(file_quotas.c.uid == uid))
    if value is not None:
        await conn.execute(file_quotas.insert().values(uid=uid, quota=value))

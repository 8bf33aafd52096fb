"""``POST /ocs/v{1,2}.php/apps/files_sharing/api/v1/shares`` with ``shareType=10``: share a file of
the caller's tree into a conversation and post the ``file_shared`` message (files.md §2.7)."""

from __future__ import annotations

from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Ctx
from causerie.services.chat import files as chat_files
from causerie.services.errors import BadRequest, Forbidden, NotFound
from causerie.services.files import names, previews, shares, tree
from causerie.services.rooms.system_messages import room_key

api = Api()


@api.post("/apps/files_sharing/api/v1/shares")
async def create_share(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user
    params = ctx.params
    if params.integer("shareType", -1) != shares.SHARE_TYPE_ROOM:
        raise BadRequest(message="Unknown share type", data=[])
    token, path = params.string("shareWith"), params.string("path")
    runtime = ctx.runtime
    db = runtime.db
    folder = await tree.prepare(db, user.uid)
    # Image metadata (size, blurhash) before the message exists, so that every viewer gets it.
    async with db.read() as conn:
        await ctx.confirm_credentials(conn)
        try:
            entry = await tree.resolve(conn, user.uid, folder, "/".join(names.split_path(path)))
        except BadRequest:
            entry = None
    if entry is not None and not entry.is_dir:
        await previews.ensure_metadata(db, runtime.files, entry)
    async with db.write() as conn:
        try:
            room, participant = await room_access.load(ctx, conn, token)
        except NotFound:
            raise NotFound(message=shares.ConversationNotFound, data=[]) from None
        created = await shares.create(conn, room, participant, user.uid, folder, path)
        meta = shares.meta_data(params.raw("talkMetaData"), created.entry.mimetype)
        await chat_files.post(
            conn, room, participant, int(created.share.id), created.entry.mimetype, meta,
            params.string("referenceId"),
        )  # fmt: skip
    await runtime.publish(room_key(room.token))
    if created.duplicate:
        # As Talk: refused, but the message was posted all the same.
        raise Forbidden(message="Path is already shared with this conversation", data=[])
    return shares.format_share(created, user.display_name, ctx.base_url)

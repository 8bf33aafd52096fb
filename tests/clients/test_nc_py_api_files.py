"""nc-py-api's files API (upload, chunked upload_stream, mkdir, download) and ``talk.send_file``,
against a real Causerie process; a second user opens the file message with ``to_fs_node``."""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Iterator

import pytest
from nc_py_api import Nextcloud
from nc_py_api.talk import ConversationType

from tests.support.server import ServerProcess, password_of


def _client(server: ServerProcess, user: str) -> Nextcloud:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Nextcloud(nextcloud_url=server.base_url, nc_auth_user=user, nc_auth_pass=password_of(user))


@pytest.fixture
def nc(server: ServerProcess) -> Iterator[Nextcloud]:
    yield _client(server, "alice")


def test_upload_stream_mkdir_send_file_and_download(nc: Nextcloud, server: ServerProcess) -> None:
    folder = nc.files.mkdir(f"Talk/nc-{secrets.token_hex(4)}")
    assert folder.file_id and folder.is_dir
    small = nc.files.upload("Talk/nc-small.txt", b"small file")
    assert small.file_id and small.etag
    content = secrets.token_bytes(12 * 1024 * 1024)  # three 5 MiB chunks in nc-py-api's v2 style
    big = nc.files.upload_stream(f"{folder.user_path}nc-big.bin", io.BytesIO(content))
    assert big.file_id  # nc-py-api reads OC-FileId; the size it leaves unset
    assert nc.files.download(f"{folder.user_path}nc-big.bin") == content
    conversation = nc.talk.create_conversation(ConversationType.GROUP, invite="team", room_name="nc-py-api files")
    try:
        share, reference = nc.talk.send_file(small, conversation)
        assert share.share_type.value == 10 and len(reference) == 64
        carol = _client(server, "carol")  # in the group "team"
        messages = carol.talk.receive_messages(conversation)
        files = [m for m in messages if m.message == "{file}"]
        assert files, [m.message for m in messages]
        node = files[0].to_fs_node()
        assert carol.files.download(node) == b"small file"
    finally:
        nc.talk.delete_conversation(conversation)

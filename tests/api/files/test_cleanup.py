"""A server killed mid-upload leaves no file anyone sees, and the clean-up removes its parts;
abandoned chunked uploads and contents nothing refers to go too."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import httpx

from tests.support.server import ServerProcess, database_beside, password_of

DAV = "/remote.php/dav"


def _blobs(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "files" / "blobs").rglob("*") if p.is_file()]


def test_kill_during_an_upload_and_the_cleanup(tmp_path: Path, server: ServerProcess) -> None:
    url = database_beside(tmp_path, server.database_url)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    process = ServerProcess(data_dir, url)
    process.start()
    auth = ("alice", password_of("alice"))
    try:
        host, port = "127.0.0.1", process.port
        assert httpx.request("PROPFIND", f"{process.base_url}{DAV}/files/alice/Talk", auth=auth).status_code == 207
        sock = socket.create_connection((host, port))
        basic = httpx.BasicAuth(*auth)._auth_header
        sock.sendall(
            f"PUT {DAV}/files/alice/Talk/half.bin HTTP/1.1\r\nHost: x\r\nAuthorization: {basic}\r\n"
            f"Content-Length: {10 * 2**20}\r\n\r\n".encode()
            + b"x" * 2**20
        )
        scratch = data_dir / "files" / "tmp"
        deadline = time.monotonic() + 20
        while not any(p.is_file() and p.name != ".lock" for p in scratch.rglob("*")):
            assert time.monotonic() < deadline, "the upload never reached the scratch folder"
            time.sleep(0.05)
        assert process.proc is not None
        process.proc.send_signal(signal.SIGKILL)
        process.proc.wait(timeout=10)
        sock.close()
        process.start()
        found = httpx.request("PROPFIND", f"{process.base_url}{DAV}/files/alice/Talk/half.bin", auth=auth,
                              headers={"Depth": "0"})  # fmt: skip
        assert found.status_code == 404
        # A chunked upload left behind, and a file deleted: their bytes wait for the clean-up.
        client = httpx.Client(base_url=process.base_url, auth=auth)
        assert client.request("MKCOL", f"{DAV}/uploads/alice/left").status_code == 201
        assert client.put(f"{DAV}/uploads/alice/left/1", content=b"chunk" * 1000).status_code == 201
        assert client.put(f"{DAV}/files/alice/Talk/gone.txt", content=b"gone" * 1000).status_code == 201
        assert client.delete(f"{DAV}/files/alice/Talk/gone.txt").status_code == 204
        assert len(_blobs(data_dir)) == 2
        process.sql("UPDATE file_uploads SET created_at = created_at - 200000")
        process.sql("UPDATE file_blobs SET claimed_at = claimed_at - 200000")
        cleaned = process.occ("files:cleanup").stdout
        # The dead process's scratch folder went at the restart's housekeeping or now.
        # (On PostgreSQL the database is the session's: other tests' leftovers are counted too.)
        assert "upload(s)" in cleaned and "object(s) removed" in cleaned, cleaned
        assert _blobs(data_dir) == []
        assert len(list(scratch.iterdir())) == 1  # the running server's own
        assert not any(p.name != ".lock" for p in scratch.rglob("*") if p.is_file())
        assert client.request("PROPFIND", f"{DAV}/uploads/alice/left", headers={"Depth": "1"}).status_code == 404
        client.close()
    finally:
        process.stop()


def test_quota_commands(tmp_path: Path, server: ServerProcess) -> None:
    url = database_beside(tmp_path, server.database_url)
    data_dir = tmp_path / "data2"
    data_dir.mkdir()
    process = ServerProcess(data_dir, url)  # occ only: no server needs to run
    process.occ("user:setting", "bob", "files", "quota", "1GB")
    assert process.occ("user:setting", "bob", "files", "quota").stdout.strip() == "1 GB"
    info = process.occ("user:info", "bob", "--output", "json").stdout
    assert '"quota": 1073741824' in info
    refused = process.occ("user:setting", "bob", "files", "quota", "lots", check=False)
    assert refused.returncode != 0 and "is not a size" in refused.stdout + refused.stderr

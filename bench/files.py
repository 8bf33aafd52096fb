"""Files: upload and download throughput of one large file against a plain copy on the same disk,
memory while streaming a large upload, and the time to make a preview of a 12-megapixel JPEG, on
the disk store and on S3 (moto's server, started here).

    python -m bench.files [--size-mib 100] [--rss-mib 1024] [--previews 9] [--stores disk,s3] [--no-write]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from bench.procs import causerie_server, free_port, machine_facts, password_of, rss_mb
from bench.results import median, table, write_section

CHUNK = 1024 * 1024


def _payload(size: int) -> Iterator[bytes]:
    block = os.urandom(CHUNK)
    for _ in range(size // CHUNK):
        yield block


def _plain_copy(workdir: Path, size: int) -> tuple[float, float]:
    """MiB/s writing the file, and copying it, with plain file calls on the same disk."""
    source, target = workdir / "copy-source", workdir / "copy-target"
    started = time.perf_counter()
    with source.open("wb") as out:
        for block in _payload(size):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    write = size / CHUNK / (time.perf_counter() - started)
    started = time.perf_counter()
    shutil.copyfile(source, target)
    read = size / CHUNK / (time.perf_counter() - started)
    source.unlink()
    target.unlink()
    return write, read


@contextmanager
def _moto(workdir: Path) -> Iterator[str]:
    port = free_port()
    log = (workdir / "moto.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log,
                            stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.put(f"{url}/bench", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _jpeg_12mp() -> bytes:
    from PIL import Image

    image = Image.effect_noise((4000, 3000), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _run_store(store: str, workdir: Path, args: argparse.Namespace) -> dict[str, object]:
    env = {"CAUSERIE_LOG_REQUESTS": "0"}
    with ExitStack() as stack:
        if store == "s3":
            endpoint = stack.enter_context(_moto(workdir))
            env.update({"CAUSERIE_FILES_STORE": "s3", "CAUSERIE_S3_ENDPOINT": endpoint, "CAUSERIE_S3_BUCKET": "bench",
                        "CAUSERIE_S3_ACCESS_KEY": "bench", "CAUSERIE_S3_SECRET_KEY": "bench"})  # fmt: skip
        server = stack.enter_context(causerie_server(workdir / store, env))
        base = f"http://127.0.0.1:{server.port}"
        client = stack.enter_context(httpx.Client(base_url=base, auth=("alice", password_of("alice")), timeout=600))
        dav = "/remote.php/dav/files/alice/Talk"
        assert client.request("PROPFIND", dav).status_code == 207
        size = args.size_mib * CHUNK
        started = time.perf_counter()
        assert client.put(f"{dav}/big.bin", content=_payload(size)).status_code == 201
        upload = args.size_mib / (time.perf_counter() - started)
        started = time.perf_counter()
        received = 0
        with client.stream("GET", f"{dav}/big.bin") as response:
            for piece in response.iter_bytes(CHUNK):
                received += len(piece)
        download = args.size_mib / (time.perf_counter() - started)
        assert received == size
        # Memory while one large upload streams through.
        before, peak, done = rss_mb(server.pid), 0.0, threading.Event()

        def watch() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mb(server.pid))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        huge = client.put(f"{dav}/huge.bin", content=_payload(args.rss_mib * CHUNK))
        assert huge.status_code == 201, (workdir / store / "causerie.log").read_text()[-3000:]
        done.set()
        watcher.join()
        # Previews of a 12 MP JPEG, each made anew (the cache is emptied between requests).
        assert client.put(f"{dav}/photo.jpg", content=_jpeg_12mp()).status_code == 201
        file_id = client.request("PROPFIND", f"{dav}/photo.jpg", headers={"Depth": "0"}).text.split("<oc:fileid>")[1]
        file_id = file_id.split("<")[0]
        previews_dir = workdir / store / "causerie-data" / "files" / "previews"
        timings = []
        for _ in range(args.previews):
            shutil.rmtree(previews_dir, ignore_errors=True)
            started = time.perf_counter()
            got = client.get("/index.php/core/preview", params={"fileId": file_id, "x": -1, "y": 384, "a": 1})
            timings.append((time.perf_counter() - started) * 1000)
            assert got.status_code == 200, got.text
    return {"upload": upload, "download": download, "rss_growth": peak - before, "preview_p50": median(timings)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--rss-mib", type=int, default=1024)
    parser.add_argument("--previews", type=int, default=9)
    parser.add_argument("--stores", default="disk,s3")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    facts = machine_facts()
    rows = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        workdir = Path(tmp)
        write, read = _plain_copy(workdir, args.size_mib * CHUNK)
        for store in args.stores.split(","):
            found = _run_store(store, workdir, args)
            rows.append([
                store, f"{found['upload']:.0f}", f"{found['upload'] / write:.0%}", f"{found['download']:.0f}",
                f"{found['download'] / read:.0%}", f"{found['rss_growth']:.1f}", f"{found['preview_p50']:.0f}",
            ])  # fmt: skip
    body = (
        f"Plain file calls on the same disk: write {write:.0f} MiB/s, copy {read:.0f} MiB/s "
        f"({args.size_mib} MiB). Goals: at least 50 % of those; under 30 MiB RSS growth while a "
        f"{args.rss_mib} MiB upload streams.\n\n"
        + table(
            ["store", "upload MiB/s", "vs write", "download MiB/s", "vs copy", "RSS growth MiB", "preview p50 ms"],
            rows,
        )
    )
    command = ("python -m bench.files " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        name = "files-" + args.stores.replace(",", "-")
        title = f"Files: upload, download, memory, previews ({args.stores})"
        print(write_section(name, title, command, facts, body))


if __name__ == "__main__":
    main()

"""The benchmarks still run end to end (tiny sizes, numbers not judged), so they do not rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench(module: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, *args, "--no-write"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_longpoll_benchmark_runs() -> None:
    out = _bench("bench.longpoll", "--servers", "baseline", "--rounds", "3", "--fanout", "20")
    assert "| bare Starlette | 3 |" in out
    assert "| bare Starlette | 20 |" in out


def test_sends_benchmark_runs() -> None:
    out = _bench("bench.sends", "--servers", "baseline", "--clients", "2", "--messages", "20", "--rounds", "2")
    assert "2 rounds" in out
    assert "| bare Starlette |" in out
    assert "| bare Starlette, aiosqlite |" in out


def test_instruction_count_loop_runs() -> None:
    # The part callgrind counts (valgrind itself is not installed for the suite).
    command = [sys.executable, "-m", "bench.instructions", "--loop", "20"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_guessing_benchmark_runs() -> None:
    out = _bench("bench.guessing", "--guessers", "3", "--seconds", "0.5", "--rounds", "1")
    assert "| alone |" in out
    assert "| 3 clients guessing |" in out


def test_files_benchmark_runs() -> None:
    out = _bench("bench.files", "--size-mib", "2", "--rss-mib", "2", "--previews", "1", "--stores", "disk")
    assert "| disk |" in out


def test_push_benchmark_runs() -> None:
    out = _bench("bench.push", "--rounds", "2")
    assert "| mention sent → push received |" in out


def test_room_list_benchmark_runs() -> None:
    out = _bench("bench.roomlist", "--rooms", "3", "--unread", "50", "--requests", "2")
    assert "| 3 rooms | 3 |" in out
    assert "| 1 room, 50 unread | 1 | 50 |" in out


def test_autocomplete_benchmark_runs() -> None:
    out = _bench("bench.autocomplete", "--users", "300", "--rounds", "2")
    assert "| three letters: `mar` |" in out


def test_search_benchmark_runs() -> None:
    out = _bench(
        "bench.search",
        "--messages",
        "3000",
        "--rooms",
        "10",
        "--member-every",
        "2",
        "--queries",
        "10",
        "--engines",
        "sqlite",
    )
    assert "| sqlite | typical word | talk-message search | 10 |" in out


def test_occ_startup_benchmark_runs() -> None:
    out = _bench("bench.occ_startup", "--rounds", "1")
    assert "| python -c pass (baseline) |" in out
    assert "| occ user:list |" in out

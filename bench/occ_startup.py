"""How long an ``occ`` call takes from start to exit, against a bare ``python -c pass`` in the same run.

Each round runs every command once, in turn, so that all of them meet the same load on a shared
machine; wall time and CPU time (user + system, from the kernel's accounting of the child) are
reported as medians and as ratios to the baseline.

    .venv/bin/python -m bench.occ_startup --rounds 3 --no-write
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.procs import machine_facts
from bench.results import median, table, write_section

PYTHON = sys.executable
OCC = [PYTHON, "-m", "causerie.cli.occ"]
EVERY_MODULE = (
    "import sqlalchemy.ext.asyncio, causerie.cli.occ.config, causerie.cli.occ.files, causerie.cli.occ.jobs, "
    "causerie.cli.occ.security, causerie.cli.occ.users, causerie.cli.occ.database"
)
COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass (baseline)", [PYTHON, "-c", "pass"]),
    ("occ --version", [*OCC, "--version"]),
    ("occ list", [*OCC, "list"]),
    ("occ user:list", [*OCC, "user:list"]),
    ("occ config:app:get spreed start_calls", [*OCC, "config:app:get", "spreed", "start_calls"]),
    ("occ user:add (argon2 hash included)", [*OCC, "user:add", "--password-from-env", "USER"]),
    ("importing every command's module (as occ did before)", [PYTHON, "-c", EVERY_MODULE]),
]


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None
    error = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0, 1):  # config:app:get of an unset key exits 1, as Nextcloud's
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {error}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(rounds: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CAUSERIE_")}
        env["OC_PASS"] = "a-password-for-the-bench"
        subprocess.run([*OCC, "--init", "status"], env=env, cwd=cwd, check=True, capture_output=True)
        walls: dict[str, list[float]] = {name: [] for name, _ in COMMANDS}
        cpus: dict[str, list[float]] = {name: [] for name, _ in COMMANDS}
        for n in range(rounds):
            for name, argv in COMMANDS:
                argv = [a if a != "USER" else f"bench{n}" for a in argv]
                wall, cpu = run_once(argv, env, cwd)
                walls[name].append(wall)
                cpus[name].append(cpu)
    base_wall = median(walls[COMMANDS[0][0]])
    base_cpu = median(cpus[COMMANDS[0][0]])
    rows = [
        (
            name,
            f"{median(walls[name]) * 1000:.0f}",
            f"{median(walls[name]) / base_wall:.1f}",
            f"{median(cpus[name]) * 1000:.0f}",
            f"{median(cpus[name]) / base_cpu:.1f}",
        )
        for name, _ in COMMANDS
    ]
    headers = ["command", "wall ms (median)", "× baseline", "CPU ms (median)", "× baseline"]
    note = (
        "CPU time is what a command costs; wall time adds the wait for a core, which on a loaded "
        "machine (see the load average above) is most of it."
    )
    return f"### {rounds} rounds, SQLite, every command once per round\n\n" + table(headers, rows) + "\n\n" + note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    facts = machine_facts()
    body = measure(args.rounds)
    command = ("python -m bench.occ_startup " + " ".join(sys.argv[1:])).strip()
    if args.no_write:
        print(body)
    else:
        print(write_section("occ_startup", "occ start-up", command, facts, body))


if __name__ == "__main__":
    main()

"""Statistics and bench/RESULTS.md: each benchmark rewrites its own section, with the command,
the date and the machine it ran on."""

from __future__ import annotations

import datetime
import re
import statistics
from collections.abc import Sequence
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = """# Benchmark results

Each section is rewritten by the command it shows. Baselines run in the same invocation as
Causerie, on the same machine, through the same load generator (`bench/http.py`, a separate
process), so compare the ratios rather than the absolute numbers: the machine is shared and slow.
"""


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(str(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def write_section(name: str, title: str, command: str, facts: dict[str, str], body: str) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    fact_lines = "\n".join(f"- {k}: {v}" for k, v in facts.items())
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n```sh\n{command}\n```\n\n"
        f"Run {now} on:\n{fact_lines}\n\n{body.strip()}\n<!-- /bench:{name} -->\n"
    )
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->\n", re.DOTALL)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)
    return section

"""The server's clock: wall time, which a test suite may move forward (``CAUSERIE_TESTING=1``).

Everything that happens at a time of its own (reminders, retries of jobs, expiring tokens) asks
this clock, so that tests move time instead of sleeping.
"""

from __future__ import annotations

import time

_offset = 0.0


def now() -> float:
    return time.time() + _offset


def advance(seconds: float) -> float:
    """Move the clock forward (never back) by ``seconds``; returns the new time."""
    global _offset
    _offset += max(seconds, 0.0)
    return now()

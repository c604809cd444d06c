"""How numbers read in every table: shares, durations and counted nouns.

>>> percent(0.943089), duration(5400), duration(None), count(1, "slot"), count(3, "slot")
('94.3%', '90.0 min', '-', '1 slot', '3 slots')
"""

from __future__ import annotations

from typing import Optional


def percent(share: float, digits: int = 1) -> str:
    return f"{100 * share:.{digits}f}%"


def duration(seconds: Optional[float]) -> str:
    """Seconds as s, min, h or d, whichever reads best; ``-`` for none."""
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"

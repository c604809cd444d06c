"""How numbers read in every table: counts, shares, durations and counted nouns.

The rules, the same in every table and line ``tribes`` prints:

- counts (slots, cores, machines, jobs) are plain integers, without thousands separators,
  as condor_status, ``uniq -c`` and condor_q print them (``100000``, not ``100,000``);
- shares are percentages with one decimal and no space: ``94.3%`` (``percent``);
- durations carry their unit after a space, the one that reads best: ``45 s``,
  ``90.0 min``, ``6.0 h``, ``2.5 d`` (``duration``); a time taken is in seconds with
  one decimal, ``in 1.2 s`` (``seconds``); none is ``-``;
- a counted noun agrees with its number: ``1 slot``, ``3 slots`` (``count``);
- times are UTC, as ``simulator.model.clock`` writes them.

``--format csv`` and ``json`` carry raw numbers instead (shares as fractions, durations in
seconds), with no separator or unit.

>>> percent(0.943089), duration(5400), duration(None), count(1, "slot"), count(3, "slot")
('94.3%', '90.0 min', '-', '1 slot', '3 slots')
>>> seconds(1.234), count(100000, "slot")
('1.2 s', '100000 slots')
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


def seconds(elapsed: float) -> str:
    """A time taken: seconds, one decimal."""
    return f"{elapsed:.1f} s"

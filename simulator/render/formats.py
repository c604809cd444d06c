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

from simulator.model import clock


def percent(share: float, digits: int = 1) -> str:
    return f"{100 * share:.{digits}f}%"


def duration(seconds: Optional[float]) -> str:
    """Seconds as s, min, h or d, whichever reads best; ``-`` for none
    (:func:`simulator.model.clock.format_duration`, which messages of lower layers use)."""
    return "-" if seconds is None else clock.format_duration(seconds)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def seconds(elapsed: float) -> str:
    """A time taken: seconds, one decimal."""
    return f"{elapsed:.1f} s"

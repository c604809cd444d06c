"""Join several marginal tables into one consistent joint table, oldest with oldest.

Each marginal is a list of ``(value, count)`` in age order (oldest first), all
with the same total. Laying the slots of every table on one line and cutting
where any table changes value gives the joint: the *monotone coupling*
(north-west corner rule). It is the joint with the fewest mismatches when
machines pick up updates in order: an old kernel goes with an old C library.

>>> couple([("a", 2), ("b", 1)], [("x", 1), ("y", 2)])
[(('a', 'x'), 1), (('a', 'y'), 1), (('b', 'y'), 1)]
"""

from __future__ import annotations

from typing import Hashable, List, Sequence, Tuple

Marginal = Sequence[Tuple[Hashable, int]]


def couple(*marginals: Marginal) -> List[Tuple[tuple, int]]:
    """The joint ``[(values, count), ...]`` whose marginals are exactly the given ones."""
    totals = {sum(count for _, count in m) for m in marginals}
    if len(totals) != 1:
        raise ValueError(f"marginals do not have the same total: {sorted(totals)}")
    cursors = [0] * len(marginals)
    left = [m[0][1] if m else 0 for m in marginals]
    joint: List[Tuple[tuple, int]] = []
    remaining = totals.pop()
    while remaining:
        step = min(left)
        if step:
            values = tuple(m[c][0] for m, c in zip(marginals, cursors, strict=True))
            joint.append((values, step))
            remaining -= step
        for i, m in enumerate(marginals):
            left[i] -= step
            # Empty rows (count 0) are skipped as well.
            while left[i] == 0 and cursors[i] + 1 < len(m):
                cursors[i] += 1
                left[i] = m[cursors[i]][1]
    return joint

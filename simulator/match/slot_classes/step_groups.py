"""Slots grouped by what an expression reads, so that it is evaluated once per group.

The negotiator's autoclusters do the same: slots equal on every attribute an
expression can read (followed through the slots' own expressions, and the
capture time where they read the clock) get the same verdict. Each step of
an analysis (``simulator.analyses.clauses.analysis``) is evaluated on one slot per group and
spread back to every slot.

>>> from simulator import pools
>>> from simulator.model.condor import ClassAd, ExprTree
>>> snapshot = pools.generate("pool_2010")
>>> columns = step_columns(snapshot, [ExprTree("TARGET.OpSys =?= MY.OpSys")], ClassAd())
>>> codes, reps = group_slots(snapshot, columns)
>>> columns, len(reps)
(['opsys'], 2)
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from simulator.model.condor import ClassAd, ExprTree, parse_one
from simulator.model.snapshot import Snapshot


def _strip_scope(ref: str) -> str:
    low = ref.lower()
    for prefix in ("target.", "my."):
        if low.startswith(prefix):
            return low[len(prefix):]
    return low


_READS_CLOCK = re.compile(r"time\s*\(|currenttime", re.I)
_CLOCK_COLUMNS = ("mycurrenttime", "currenttime")


def unresolved_refs(ad: ClassAd, tree: ExprTree) -> List[str]:
    """References ``ad`` cannot resolve (the library answers [''] when there are none)."""
    return [r for r in ad.externalRefs(tree) if r]


def step_columns(snapshot: Snapshot, trees: Sequence[ExprTree], job: ClassAd) -> List[str]:
    """Slot columns the steps can read, followed through the slots' own expressions."""
    wanted = set()
    for tree in trees:
        wanted.update(_strip_scope(r) for r in unresolved_refs(job, tree))
    empty = ClassAd()
    seen, frontier = set(), [c for c in wanted if c in snapshot.ads.columns]
    while frontier:
        col = frontier.pop()
        if col in seen:
            continue
        seen.add(col)
        for cell in snapshot.ads[col].dropna().unique():
            if _READS_CLOCK.search(cell):
                # Frozen per slot at its own MyCurrentTime (Snapshot.classad): part of the class.
                frontier += [c for c in _CLOCK_COLUMNS if c in snapshot.ads.columns]
            try:
                refs = unresolved_refs(empty, ExprTree(cell))
            except Exception:
                continue
            for ref in refs:
                name = _strip_scope(ref)
                if name in snapshot.ads.columns and name not in seen:
                    frontier.append(name)
    return sorted(seen)


def group_slots(snapshot: Snapshot, columns: List[str]):
    """A group number per slot (slots equal on ``columns``) and one slot per group.

    Each column is factorized (absent cells are one more value), and the codes
    are combined column by column, re-factorizing so the numbers stay small.
    """
    n = len(snapshot)
    if not columns or n == 0:
        return np.zeros(n, dtype=np.int64), [0] if n else []
    combined = np.zeros(n, dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(snapshot.ads[column], use_na_sentinel=True)
        codes = codes.astype(np.int64) + 1  # absent (-1) becomes 0
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
    _, first = np.unique(combined, return_index=True)
    return combined, first.tolist()


class SlotCells:
    """Column arrays of a snapshot, read once: pandas indexing per cell is slow."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.arrays: Dict[str, np.ndarray] = {}

    def get(self, column: str, i: int) -> Optional[str]:
        if column not in self.snapshot.ads.columns:
            return None
        if column not in self.arrays:
            self.arrays[column] = self.snapshot.ads[column].to_numpy(dtype=object)
        cell = self.arrays[column][i]
        return cell if isinstance(cell, str) else None

    def slot_ad(self, i: int, columns: Sequence[str]) -> ClassAd:
        """Slot ``i`` with only ``columns``: all a step can read (see ``step_columns``).

        Built as ``Snapshot.classad`` builds the whole ad, ``time()`` frozen at
        the slot's own capture, but a few attributes parse much faster than hundreds.
        """
        from simulator.model import clock

        snap = self.snapshot
        cells = [(c, self.get(c, i)) for c in columns]
        cells = [(c, src) for c, src in cells if src is not None]
        if snap.time and cells:
            when = clock.slot_time({"mycurrenttime": self.get("mycurrenttime", i)}, snap.time)
            plain = self.get("currenttime", i) is None
            cells = [(c, clock.freeze_time(src, when, current_time=plain)) for c, src in cells]
        text = "; ".join(f"{snap.attribute_text(c)} = {src}" for c, src in cells)
        return parse_one(f"[{text}]")

"""The two halves of a match, each grouped into classes: ``Side`` and ``SlotClasses``.

>>> Side(JOB_SIDE).n_classes
0
"""

from __future__ import annotations

import dataclasses
from typing import FrozenSet, List, Optional, Tuple

import numpy as np

# The two halves of a match. symmetricMatch is exactly "the job's Requirements
# hold with the slot as TARGET" and "the slot's Requirements hold with the job as
# TARGET"; each half reads its own attributes, so each is grouped on its own
# (a ladder step changes only the job half; the slot half, usually the costlier,
# is shared by every profile built on the same job template).
JOB_SIDE = "job"
SLOT_SIDE = "slot"


@dataclasses.dataclass
class Classes:
    """Slots grouped into classes: a class per slot (``gid``), each class's first slot
    (``reps``), the columns each class is keyed on and whether it reads the clock."""

    gid: Optional[np.ndarray] = None
    reps: Optional[np.ndarray] = None
    class_columns: List[FrozenSet[str]] = dataclasses.field(default_factory=list)
    class_clock: List[bool] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Side:
    """One half of the match, grouped into classes.

    Each class has its own key columns (``class_columns``): a slot whose START
    is ``true`` is not split on the KeyboardIdle a desktop's START reads.
    ``job_texts`` are the job attributes this half reads (text, or None where
    the job lacks one); with a class's texts they decide its answer.
    ``fallback`` says why this half is evaluated one slot at a time instead.

    A job half whose Requirements is a chain ``c1 && c2 && ...`` is computed
    conjunct by conjunct (``parts``, each a Side of its own whose ``expression`` is
    the conjunct's text, grouped on the columns that conjunct reads): the half
    holds where every conjunct holds. Its own classes are then the slots' tuples
    of conjunct classes, worked out only when asked for.
    """

    name: str
    job_texts: Tuple[Tuple[str, Optional[str]], ...] = ()
    reads_clock: bool = False
    fallback: Optional[str] = None
    classes: Optional[Classes] = None
    # the answer per slot, once computed (a Side is reused only for the same job texts)
    answers: Optional[np.ndarray] = None
    # a conjunct of the job's Requirements: its text (None: the whole Requirements)
    expression: Optional[str] = None
    parts: Tuple[Side, ...] = ()

    def grouping(self) -> Classes:
        if self.classes is None:
            self.classes = _combined(self.parts) if self.parts else Classes()
        return self.classes

    @property
    def gid(self) -> Optional[np.ndarray]:
        return self.grouping().gid

    @property
    def reps(self) -> Optional[np.ndarray]:
        return self.grouping().reps

    @property
    def class_columns(self) -> List[FrozenSet[str]]:
        return self.grouping().class_columns

    @property
    def class_clock(self) -> List[bool]:
        return self.grouping().class_clock

    @property
    def n_classes(self) -> int:
        return 0 if self.reps is None else len(self.reps)

    @property
    def columns(self) -> Tuple[str, ...]:
        """Every column some class is keyed on."""
        return tuple(sorted(frozenset().union(*self.class_columns)))


def _combined(parts: Tuple[Side, ...]) -> Classes:
    """The classes of a conjunction: slots in one class of every conjunct."""
    if any(part.fallback is not None or part.reps is None for part in parts):
        return Classes()
    n = len(parts[0].gid)
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for part in parts:
        k = part.n_classes
        if k <= 1:
            continue
        if size * k >= 2**62:
            _, key = np.unique(key, return_inverse=True)
            size = int(key.max()) + 1 if n else 1
        key = key * k + part.gid
        size *= k
    _, reps, gid = np.unique(key, return_index=True, return_inverse=True)
    gid = gid.reshape(-1).astype(parts[0].gid.dtype)
    # A class's key columns: the union of its conjuncts' classes' (few distinct unions,
    # each built once and shared).
    codes, kinds = [], []
    for part in parts:
        ids: dict = {}
        own = [ids.setdefault(kind, len(ids))
               for kind in zip(part.class_columns, part.class_clock, strict=True)]
        codes.append(np.asarray(own, dtype=np.int64)[part.gid[reps]].tolist())
        kinds.append(list(ids))
    unions: dict = {}
    columns, clock = [], []
    for combo in zip(*codes, strict=True):
        union = unions.get(combo)
        if union is None:
            met = [kinds[j][code] for j, code in enumerate(combo)]
            union = unions[combo] = (frozenset().union(*(cols for cols, _ in met)),
                                     any(reads for _, reads in met))
        columns.append(union[0])
        clock.append(union[1])
    return Classes(gid, reps.astype(np.int64), columns, clock)


@dataclasses.dataclass
class SlotClasses:
    """How one job splits one pool: a grouping per half of the match."""

    job_side: Side
    slot_side: Side
    n_slots: int

    @property
    def n_classes(self) -> int:
        """Evaluations the fast path needs: classes of both halves (a half that falls
        back counts one per slot)."""
        return sum(
            self.n_slots if side.fallback else side.n_classes
            for side in (self.job_side, self.slot_side)
        )

    @property
    def fallback(self) -> Optional[str]:
        return self.job_side.fallback or self.slot_side.fallback

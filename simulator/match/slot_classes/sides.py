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
class Side:
    """One half of the match, grouped into classes.

    Each class has its own key columns (``class_columns``): a slot whose START
    is ``true`` is not split on the KeyboardIdle a desktop's START reads.
    ``job_texts`` are the job attributes this half reads (text, or None where
    the job lacks one); with a class's texts they decide its answer.
    ``fallback`` says why this half is evaluated one slot at a time instead.
    """

    name: str
    job_texts: Tuple[Tuple[str, Optional[str]], ...] = ()
    reads_clock: bool = False
    fallback: Optional[str] = None
    gid: Optional[np.ndarray] = None
    reps: Optional[np.ndarray] = None
    class_columns: List[FrozenSet[str]] = dataclasses.field(default_factory=list)
    class_clock: List[bool] = dataclasses.field(default_factory=list)
    # the answer per slot, once computed (a Side is reused only for the same job texts)
    answers: Optional[np.ndarray] = None

    @property
    def n_classes(self) -> int:
        return 0 if self.reps is None else len(self.reps)

    @property
    def columns(self) -> Tuple[str, ...]:
        """Every column some class is keyed on."""
        return tuple(sorted(frozenset().union(*self.class_columns)))


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

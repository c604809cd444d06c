"""One evaluation per class with HTCondor's library, broadcast to the class's slots.

Consecutive classes of one key pattern share one ad, edited from class to class.

>>> from simulator.condor import ClassAd, ExprTree
>>> from simulator.snapshot import Snapshot
>>> pool = Snapshot.from_classads(
...     [ClassAd({"OpSys": os, "Requirements": True}) for os in ["LINUX", "OSX", "LINUX"]],
...     source="example")
>>> job = ClassAd({"Requirements": ExprTree('TARGET.OpSys == "LINUX"')})
>>> [side.tolist() for side in fast_sides(pool, job)]
[[True, False, True], [True, True, True]]
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Optional, Tuple

import numpy as np

from simulator import clock
from simulator.condor import ClassAd, ExprTree
from simulator.slot_classes.cache import _answers_for, _cache_for, _PoolCache
from simulator.slot_classes.grouping import slot_classes
from simulator.slot_classes.references import CLOCK_COLUMNS
from simulator.slot_classes.sides import JOB_SIDE, Side
from simulator.snapshot import Snapshot


def fast_match(snapshot: Snapshot, job: ClassAd) -> np.ndarray:
    """A boolean per slot, equal to ``plain_match(snapshot, job)``, one evaluation per class."""
    job_ok, slot_ok = fast_sides(snapshot, job)
    return job_ok & slot_ok


def fast_sides(snapshot: Snapshot, job: ClassAd) -> Tuple[np.ndarray, np.ndarray]:
    """(job accepts slot, slot accepts job) per slot, as ``summary.plain_sides`` gives.

    The first is the job's Requirements with the slot as TARGET
    (``slot.matches(job)``), the second the slot's with the job as TARGET
    (``job.matches(slot)``); a slot matches when both hold.
    """
    classes = slot_classes(snapshot, job)
    # copies: the answers stay cached for the next job that reads the same texts
    return (
        _side_answers(snapshot, job, classes.job_side).copy(),
        _side_answers(snapshot, job, classes.slot_side).copy(),
    )


def _ask(job: ClassAd, slot: ClassAd, side: str) -> bool:
    # a.matches(b) evaluates b's Requirements in the context of a.
    return bool(slot.matches(job)) if side == JOB_SIDE else bool(job.matches(slot))


def _side_answers(snapshot: Snapshot, job: ClassAd, side: Side) -> np.ndarray:
    """One half of the match for every slot, evaluated once per class."""
    if side.fallback is not None:
        return np.array([_ask(job, slot, side.name) for slot in snapshot.classads()], dtype=bool)
    if len(snapshot) == 0:
        return np.zeros(0, dtype=bool)
    if side.answers is None:
        side.answers = _class_answers(snapshot, job, side)[side.gid]
    return side.answers


def _class_answers(snapshot: Snapshot, job: ClassAd, side: Side) -> np.ndarray:
    cache = _cache_for(snapshot)
    answers = _answers_for((side.name, side.job_texts))
    result = np.zeros(side.n_classes, dtype=bool)
    exprs: Dict[str, ExprTree] = {}
    # Classes with the same key columns are handled together.
    patterns: Dict[Tuple[FrozenSet[str], bool], List[int]] = {}
    for i, key in enumerate(zip(side.class_columns, side.class_clock, strict=True)):
        patterns.setdefault(key, []).append(i)
    for (own, reads_clock), members in patterns.items():
        reps = side.reps[members]
        names = tuple(sorted(own))
        shown = [snapshot.display_name(name) for name in names]
        cells = [cache.column(name).texts[cache.column(name).codes[reps]] for name in names]
        # A class is known by its columns and their texts (None where absent),
        # and the half's answer by those and the job texts it reads; so answers
        # carry over to other snapshots. A class that reads the clock may read
        # the snapshot's time too.
        tail = (snapshot.time,) if reads_clock else ()
        rows = zip(*cells, strict=True) if cells else [()] * len(members)
        # One ad per pattern, edited from class to class: consecutive classes
        # mostly differ in one text (cheaper than building each ad anew).
        slot, held = None, None
        for i, row, texts in zip(members, reps, rows, strict=True):
            signature = (names, texts, *tail)
            known = answers.get(signature)
            if known is None:
                if slot is None or reads_clock:
                    slot = _representative(snapshot, cache, shown, texts, int(row), reads_clock)
                else:
                    _edit(slot, shown, held, texts, exprs)
                held = texts
                known = answers[signature] = _ask(job, slot, side.name)
            result[i] = known
    return result


def _edit(slot: ClassAd, names, held, texts, exprs: Dict[str, ExprTree]) -> None:
    """Turn ``slot`` (holding ``held``) into the ad holding ``texts``."""
    for name, old, new in zip(names, held, texts, strict=True):
        if new == old:
            continue
        if new is None:
            del slot[name]
        else:
            expr = exprs.get(new)
            if expr is None:
                expr = exprs[new] = ExprTree(new)
            slot[name] = expr


def _representative(snapshot: Snapshot, cache: _PoolCache, names, texts, row: int,
                    reads_clock: bool) -> ClassAd:
    """A class's first slot as a ClassAd holding only the attributes the class reaches
    (nothing else can be read during this half of the match)."""
    cells = [(name, text) for name, text in zip(names, texts, strict=True) if text is not None]
    if reads_clock and snapshot.time:
        # time() frozen as Snapshot.classad_text freezes it (simulator.clock).
        own = {name: _cell(cache, name, row) for name in CLOCK_COLUMNS}
        when = clock.slot_time(own, snapshot.time)
        plain = own["currenttime"] is None
        cells = [(k, clock.freeze_time(v, when, current_time=plain)) for k, v in cells]
    return ClassAd("[" + "; ".join(f"{k} = {v}" for k, v in cells) + "]")


def _cell(cache: _PoolCache, name: str, row: int) -> Optional[str]:
    if name not in cache.present:
        return None
    col = cache.column(name)
    return col.texts[col.codes[row]]

"""Grouping the slots into classes, branch by branch, on the texts each branch reaches.

Each class is keyed on the columns its own texts reach (a slot whose START is
``true`` is not split on the KeyboardIdle a desktop's START reads); a grouping
is kept per snapshot and reused for any job that reads the same job texts.

>>> from simulator.model.condor import ClassAd, ExprTree
>>> from simulator.model.snapshot import Snapshot
>>> pool = Snapshot.from_classads([ClassAd({"Arch": a, "Requirements": True})
...                                for a in ["INTEL", "X86_64", "INTEL"]], source="three")
>>> slot_classes(pool, ClassAd({"Requirements": ExprTree("TARGET.Arch == MY.Arch")})
...              ).job_side.gid.tolist()
[0, 1, 0]
"""

from __future__ import annotations

from typing import FrozenSet, List, Optional, Tuple

import numpy as np
import pandas as pd

from simulator.match.slot_classes.cache import PoolCache, cache_for
from simulator.match.slot_classes.references import CLOCK_COLUMNS, JobReach, text_info
from simulator.match.slot_classes.sides import JOB_SIDE, SLOT_SIDE, Classes, Side, SlotClasses
from simulator.model.condor import ClassAd
from simulator.model.expression import conjuncts
from simulator.model.snapshot import Snapshot


def _subgroups(cache: PoolCache, idx: np.ndarray, names: List[str]) -> Tuple[np.ndarray, int]:
    """Group ids (0..k-1) of the slots ``idx`` by the texts of ``names``."""
    key = np.zeros(len(idx), dtype=np.int64)
    size = 1
    # all slots in order (the root branch): no need to gather the codes
    every = len(idx) == cache.n and bool((idx[1:] > idx[:-1]).all())
    for name in names:
        col = cache.column(name)
        radix = len(col.texts)
        if radix == 2 and not (col.codes < 0).any():
            continue  # one text in every slot: splits nothing
        if size * radix >= 2**62:
            key, size = _compact(key, size)
        key *= radix
        key += col.codes if every else col.codes[idx]
        key += 1
        size *= radix
    return _compact(key, size)


def _compact(key: np.ndarray, size: int) -> Tuple[np.ndarray, int]:
    """Renumber group keys in [0, size) to 0..k-1."""
    if size <= max(4 * len(key), 1 << 16):
        present = np.zeros(size, dtype=bool)
        present[key] = True
        remap = np.cumsum(present) - 1
        return remap[key], int(present.sum())
    codes, uniques = pd.factorize(key, sort=False)
    return codes.astype(np.int64), len(uniques)


def _group(cache: PoolCache, roots: FrozenSet[str], reach: JobReach, side: Side) -> None:
    """Split the slots into classes, following each branch's own references.

    A branch is a set of slots that agree on every text read so far; it is
    split on the texts of the columns those texts reference next, until no new
    column is referenced. Columns of literals end a branch at once (vectorised).
    """
    n = cache.n
    gid = np.empty(n, dtype=np.int32 if n < 2**31 else np.int64)  # a class per slot
    reps: List[np.ndarray] = []
    class_columns: List[FrozenSet[str]] = []
    class_clock: List[bool] = []
    unsafe = None
    stack = [(np.arange(n), frozenset(), roots & cache.present, False)]
    while stack:
        idx, done, frontier, reads_clock = stack.pop()
        if not frontier:
            gid[idx] = len(class_columns)
            reps.append(idx[:1])
            class_columns.append(done)
            class_clock.append(reads_clock)
            continue
        names = sorted(frontier)
        sub, k = _subgroups(cache, idx, names)
        done = done | frontier
        cols = [cache.column(name) for name in names]
        if all(col.is_leaf for col in cols):
            base = len(class_columns)
            gid[idx] = base + sub
            first = np.empty(k, dtype=np.int64)
            first[sub[::-1]] = idx[::-1]
            reps.append(first)
            class_columns.extend([done] * k)
            class_clock.extend([reads_clock] * k)
            continue
        order = np.argsort(sub, kind="stable")
        bounds = np.flatnonzero(np.diff(sub[order])) + 1
        for members in np.split(idx[order], bounds):
            row = members[0]
            nxt: set = set()
            branch_clock = reads_clock
            for col in cols:
                text = col.texts[col.codes[row]]
                if text is None:
                    continue
                info = text_info(text)
                unsafe = unsafe or info.unsafe
                if info.reads_clock:
                    branch_clock = True
                    nxt.update(CLOCK_COLUMNS)
                for scope, ref in info.refs:
                    if ref == "*":
                        nxt |= reach.all_names()
                        continue
                    # unscoped: the slot's own attribute where it has one, else the job's
                    nxt |= reach.slot_names(ref)
                    if scope != "target":
                        nxt.add(ref)
            stack.append((members, done, (frozenset(nxt) & cache.present) - done, branch_clock))
    side.classes = Classes(
        gid, np.concatenate(reps) if reps else np.zeros(0, dtype=np.int64),
        class_columns, class_clock)
    side.reads_clock = any(class_clock)
    side.fallback = side.fallback or unsafe


def _side(snapshot: Snapshot, job: ClassAd, name: str) -> Side:
    cache = cache_for(snapshot)
    # A grouping is reused for another job that reads the same job texts: the
    # branches consulted the job through those texts only.
    known = _known(cache.sides[name], job)
    if known is not None:
        return known
    parts = _conjuncts(job) if name == JOB_SIDE else None
    if parts is not None:
        side = Side(name, parts=tuple(_part(snapshot, cache, job, text) for text in parts))
        read = {"requirements": _job_text(job, "requirements")}
        for part in side.parts:
            read.update(part.job_texts)
        side.job_texts = tuple(sorted(read.items()))
        side.reads_clock = any(part.reads_clock for part in side.parts)
        side.fallback = next((part.fallback for part in side.parts if part.fallback), None)
    else:
        reach = JobReach(job)
        side = Side(name)
        if name == JOB_SIDE:
            roots = reach.slot_names("requirements")
        else:
            roots = frozenset({"requirements"})
        _fill(snapshot, cache, roots, reach, side)
    return _keep(cache.sides[name], side)


def _fill(snapshot: Snapshot, cache: PoolCache, roots: FrozenSet[str], reach: JobReach,
          side: Side) -> None:
    if len(snapshot):
        _group(cache, roots, reach, side)
    side.fallback = side.fallback or reach.unsafe
    side.job_texts = tuple(sorted(reach.read.items()))
    if side.fallback is not None:
        side.classes = Classes()


def _part(snapshot: Snapshot, cache: PoolCache, job: ClassAd, text: str) -> Side:
    """One conjunct of the job's Requirements, grouped on the columns it reads (reused by
    any job whose Requirements has the same conjunct and the same texts it reads)."""
    kept = cache.parts.get(text)
    if kept is None:
        kept = cache.parts[text] = []
        if len(cache.parts) > 1024:  # the oldest conjunct first
            cache.parts.pop(next(iter(cache.parts)))
    known = _known(kept, job)
    if known is not None:
        return known
    reach = JobReach(job)
    side = Side(JOB_SIDE, expression=text)
    _fill(snapshot, cache, reach.text_names(text), reach, side)
    return _keep(kept, side)


def _known(sides: List[Side], job: ClassAd) -> Optional[Side]:
    for known in sides:
        if all(_job_text(job, key) == text for key, text in known.job_texts):
            return known
    return None


def _keep(sides: List[Side], side: Side) -> Side:
    sides.append(side)
    if len(sides) > 64:
        sides.pop(0)
    return side


def _conjuncts(job: ClassAd) -> Optional[List[str]]:
    """The conjuncts of the job's Requirements when it is a plain chain of ``&&``."""
    key = next((key for key in job if key.lower() == "requirements"), None)
    if key is None:
        return None
    return conjuncts(job.lookup(key))


def _job_text(job: ClassAd, name: str) -> Optional[str]:
    try:
        return str(job.lookup(name))
    except KeyError:
        return None


def slot_classes(snapshot: Snapshot, job: ClassAd) -> SlotClasses:
    """Group the slots of ``snapshot`` into classes that ``job`` cannot tell apart,
    once per half of the match."""
    return SlotClasses(
        _side(snapshot, job, JOB_SIDE), _side(snapshot, job, SLOT_SIDE), len(snapshot)
    )

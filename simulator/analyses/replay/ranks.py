"""Which of the slots a job matches the negotiator picks: the three ranks, higher first.

``matchmaker.cpp: Matchmaker::matchmakingAlgorithm`` and
``Matchmaker::calculateRanks`` order the candidates lexicographically by

1. NEGOTIATOR_PRE_JOB_RANK, evaluated with MY = the slot and TARGET = the job
   (``EvalNegotiatorMatchRank``, the result cast to a C ``float``; an
   expression that does not evaluate to a number ranks lowest);
2. the job's ``Rank``, MY = the job, TARGET = the slot (0 where undefined);
3. NEGOTIATOR_POST_JOB_RANK (MY = the slot);

and keep the first in the collector's order on a tie (the replay's order is a
fixed pseudo-random one per seed).

Every expression is evaluated by HTCondor's ClassAd library
(``simulator.model.condor``), once per distinct text of the slot attributes it
reaches, on the slot as offered: unclaimed (no ``RemoteOwner``), a
partitionable slot whole. The default pre-job rank,
``10000000 * My.Rank + 1000000 * (RemoteOwner =?= UNDEFINED) - 100000 * Cpus - Memory``,
reads what changes as a partitionable slot is carved (its free Cpus and
Memory), so it is computed numerically from those columns, with the slot's
``Rank`` (0 where the slot has none, as the startd publishes:
``Resource.cpp: Resource::publish_static``) evaluated by the library per
profile. Any other pre-job rank is evaluated by the library for each slot and
its free cores and memory when it is a candidate (slower).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np

from simulator.model.condor import ClassAd, ExprTree
from simulator.model.snapshot import Snapshot

NO_RANK = -float(np.finfo(np.float64).max)  # EvalNegotiatorMatchRank: -(DBL_MAX)
# What a claim adds to a slot ad; the replay offers slots unclaimed.
_CLAIM_COLUMNS = ("remoteowner", "remoteuser", "accountinggroup", "preemptinguser",
                  "preemptingaccountinggroup", "currentrank")


def _same(a: str, b: str) -> bool:
    return str(ExprTree(a)) == str(ExprTree(b))


def _number(value) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _reached(snapshot: Snapshot, text: str, slot_is_my: bool) -> List[str]:
    """Slot columns ``text`` reaches, following the slot's own expressions (library refs)."""
    refs = ClassAd().externalRefs(ExprTree(text))
    cols = set()
    for ref in refs:
        low = ref.lower()
        if low.startswith("target."):
            if not slot_is_my:
                cols.add(low.split(".", 1)[1])
        elif low.startswith("my."):
            if slot_is_my:
                cols.add(low.split(".", 1)[1])
        elif slot_is_my:
            cols.add(low)
    todo = list(cols)
    while todo:
        col = todo.pop()
        if col not in snapshot.ads.columns:
            continue
        for cell in snapshot.ads[col].dropna().unique():
            if not isinstance(cell, str):
                continue
            for ref in ClassAd().externalRefs(ExprTree(cell)):
                low = ref.lower()
                if low.startswith("target."):
                    continue
                low = low.split(".", 1)[1] if low.startswith("my.") else low
                if low not in cols:
                    cols.add(low)
                    todo.append(low)
    return sorted(c for c in cols if c in snapshot.ads.columns and c not in _CLAIM_COLUMNS)


def _slot_ad(snapshot: Snapshot, row: int) -> ClassAd:
    ad = snapshot.classad(row)
    for col in _CLAIM_COLUMNS:
        name = snapshot.display_name(col)
        if name in ad:
            del ad[name]
    return ad


def per_slot(snapshot: Snapshot, text: str, job: Optional[ClassAd], *, slot_is_my: bool,
             default: float) -> np.ndarray:
    """``text`` evaluated for every slot (once per distinct texts of what it reaches)."""
    n = len(snapshot)
    cols = _reached(snapshot, text, slot_is_my)
    if cols:
        frame = snapshot.ads[cols].astype(object).where(snapshot.ads[cols].notna(), None)
        keys = list(map(tuple, frame.to_numpy()))
    else:
        keys = [()] * n
    tree = ExprTree(text)
    target = job if job is not None else ClassAd()
    seen: Dict[tuple, float] = {}
    out = np.empty(n)
    for i, key in enumerate(keys):
        value = seen.get(key)
        if value is None:
            slot = _slot_ad(snapshot, i)
            got = tree.eval(slot, target) if slot_is_my else tree.eval(target, slot)
            number = _number(got)
            value = seen[key] = default if number is None else number
        out[i] = value
    return out


class Ranks:
    """The rank values of one snapshot's slots (rows in the replay's slot order) per profile."""

    def __init__(self, snapshot: Snapshot, order: np.ndarray, jobs: Sequence[ClassAd],
                 pre_text: str, post_text: str, default_pre: str):
        self.default_pre = _same(pre_text, default_pre)
        self.pre_text = pre_text
        self.snapshot = snapshot
        self.order = order
        self.jobs = list(jobs)
        self.slot_rank: List[np.ndarray] = []
        if self.default_pre:
            for job in self.jobs:
                if "rank" not in snapshot.ads.columns:
                    self.slot_rank.append(np.zeros(len(order)))
                else:
                    self.slot_rank.append(per_slot(snapshot, "MY.Rank", job, slot_is_my=True,
                                                   default=0.0)[order])
        self.job_rank: List[Optional[np.ndarray]] = []
        for job in self.jobs:
            text = str(job.lookup("Rank")) if "Rank" in job else "0.0"
            if _number(ExprTree(text).eval()) is not None and not _reached(snapshot, text, False):
                self.job_rank.append(None)  # a constant: orders nothing
            else:
                self.job_rank.append(per_slot(snapshot, text, job, slot_is_my=False,
                                              default=0.0)[order])
        post = [per_slot(snapshot, post_text, job, slot_is_my=True, default=NO_RANK)[order]
                for job in self.jobs[:1]] if self.jobs else [np.zeros(len(order))]
        self.post = post[0]
        self._memo: Dict[tuple, float] = {}
        self._ads: Dict[int, ClassAd] = {}

    def pre(self, p: int, slots: np.ndarray, cpus: np.ndarray, memory: np.ndarray) -> np.ndarray:
        """NEGOTIATOR_PRE_JOB_RANK of profile ``p`` on ``slots`` offering ``cpus``, ``memory``."""
        if self.default_pre:
            value = 1e7 * self.slot_rank[p][slots] + 1e6 - 1e5 * cpus - memory
            return value.astype(np.float32).astype(np.float64)
        out = np.empty(len(slots))
        tree = ExprTree(self.pre_text)
        triples = zip(slots.tolist(), cpus.tolist(), memory.tolist(), strict=True)
        for k, (s, c, m) in enumerate(triples):
            key = (p, s, c, m)
            value = self._memo.get(key)
            if value is None:
                ad = self._ads.get(s)
                if ad is None:
                    ad = self._ads[s] = _slot_ad(self.snapshot, int(self.order[s]))
                ad["Cpus"], ad["Memory"] = c, m
                number = _number(tree.eval(ad, self.jobs[p]))
                value = self._memo[key] = (NO_RANK if number is None
                                           else float(np.float32(number)))
            out[k] = value
        return out

"""The ``condor_q -better-analyze`` summary: why each slot does or does not take a job.

Every slot falls in exactly one category, checked in this order, as
``condor_q -better-analyze`` reports them:

``rejected_by_job``  the job's Requirements are not true with the slot as TARGET
``rejecting_job``    the slot's own Requirements (START, WithinResourceLimits …)
                     are not true with the job as TARGET
``matching_busy``    both hold, but the slot is claimed (a dynamic slot, or State
                     "Claimed"): it matches but serves other users
``available_now``    both hold and the slot is free (a static or partitionable slot
                     not claimed; a partitionable slot's Cpus/Memory/Disk are what is
                     left, so its WithinResourceLimits says whether the request fits)

The same is given per machine (``Machine``): a machine counts in the best
category any of its slots reaches, so "how many machines could ever run this"
is ``machines_matching_busy + machines_available_now``.

Both sides are evaluated by HTCondor's library: ``slot.matches(job)`` is the
job's Requirements in the slot's context, ``job.matches(slot)`` the slot's.

>>> from simulator.model.condor import ClassAd, ExprTree
>>> slot = ClassAd({"OpSys": "LINUX", "State": "Unclaimed", "Requirements": True})
>>> job = ClassAd({"Requirements": ExprTree('TARGET.OpSys == "LINUX"')})
>>> job_ok, slot_ok = plain_sides([slot], job)
>>> categorize(job_ok, slot_ok, np.array([False])).tolist()
[3]
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Tuple

import numpy as np
import pandas as pd

from simulator.model.condor import ClassAd
from simulator.model.snapshot import Snapshot

CATEGORIES = ("rejected_by_job", "rejecting_job", "matching_busy", "available_now")
MACHINE_CATEGORIES = tuple(f"machines_{c}" for c in CATEGORIES)
BUSY_STATES = {"claimed", "matched", "preempting"}


def plain_sides(slots: Iterable[ClassAd], job: ClassAd) -> Tuple[np.ndarray, np.ndarray]:
    """(job accepts slot, slot accepts job) per slot, one slot at a time."""
    job_ok: List[bool] = []
    slot_ok: List[bool] = []
    for slot in slots:
        # a.matches(b) evaluates b's Requirements in a's context.
        job_ok.append(bool(slot.matches(job)))
        slot_ok.append(bool(job.matches(slot)))
    return np.array(job_ok, dtype=bool), np.array(slot_ok, dtype=bool)


def busy_slots(snapshot: Snapshot) -> np.ndarray:
    """True where a slot is serving someone: a dynamic slot, or a claimed one."""
    states = snapshot.values("State").astype(str).str.lower()
    kinds = snapshot.values("SlotType").astype(str).str.lower()
    return (states.isin(BUSY_STATES) | (kinds == "dynamic")).to_numpy(dtype=bool)


def machine_keys(snapshot: Snapshot) -> np.ndarray:
    """Which machine each slot belongs to: ``Machine``, else ``Name``, else the row.

    The keys are the cells' expression text (``'"node1.example.org"'``): equal
    names have equal text, and a pool of a million distinct names is not parsed.
    """
    keys = np.full(len(snapshot), None, dtype=object)
    for attr in ("Machine", "Name"):
        if attr.lower() in snapshot.ads.columns:
            column = snapshot.ads[attr.lower()].to_numpy(dtype=object)
            keys = np.where(pd.isna(keys), column, keys)
    missing = np.flatnonzero(pd.isna(keys))
    keys[missing] = [f"#{i}" for i in missing]
    return keys


def categorize(job_ok: np.ndarray, slot_ok: np.ndarray, busy: np.ndarray) -> np.ndarray:
    """Category index (into CATEGORIES) of each slot."""
    return np.where(~job_ok, 0, np.where(~slot_ok, 1, np.where(busy, 2, 3)))


def summarize(
    job_ok: np.ndarray, slot_ok: np.ndarray, busy: np.ndarray, machines: np.ndarray
) -> Dict[str, int]:
    """Slot and machine counts per category; each set of counts adds up to its total."""
    codes = categorize(job_ok, slot_ok, busy)
    counts = np.bincount(codes, minlength=len(CATEGORIES))
    out = {name: int(counts[k]) for k, name in enumerate(CATEGORIES)}
    best = pd.Series(codes).groupby(np.asarray(machines, dtype=object), sort=False).max()
    per_machine = np.bincount(best.to_numpy(dtype=int), minlength=len(CATEGORIES))
    out.update({name: int(per_machine[k]) for k, name in enumerate(MACHINE_CATEGORIES)})
    out["total_machines"] = len(best)
    return out

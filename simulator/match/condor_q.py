"""The run analysis of ``condor_q -better-analyze`` (HTCondor 24.x), slot by slot category.

It follows ``src/condor_q.V6/jobmatch.cpp`` (functions ``doJobRunAnalysis``,
``make_pslot_overlay_ad``, ``checkOffer`` and ``appendJobMatchTotalsToBuffer``), as
condor_q does when it reads slot ads from a file (``-slotads``) and has no user
priorities (the "ignoring user priority" summary):

1. A slot whose ``PartitionableSlot`` is not a boolean but whose ``DynamicSlot`` is true is
   a dynamic slot: skipped (``dynamic_slots_skipped``); its machine still counts.
2. A partitionable slot whose ``WithinResourceLimits`` is false for the job is judged on an
   overlay that restores it drained: each name of its ``MachineResources`` (default
   ``Cpus Memory Disk``) set to ``TotalSlot<name>``. The overlay is kept only if the job then
   fits (``WithinResourceLimits`` not false); the slot is "not within limits" either way.
3. The job's Requirements false with the slot as TARGET: ``rejected_by_job``; else the
   slot's Requirements false with the job as TARGET: ``rejecting_job``.
4. Both hold and the slot has no string ``RemoteUser``: ``available_now`` when within
   limits, else ``available_if_drained``; with a ``RemoteUser`` equal to the job's ``User``:
   ``running_your_jobs``, else ``serving_others``.

The counts are "N slots on M machines" (machines by ``Machine``, dynamic slots' included).
UNDEFINED or ERROR is "not true" for Requirements, and "not false" for
``WithinResourceLimits`` (as ``EvalExprToBool`` and ``IsBooleanValueEquiv`` have it).

Simplifications: no user priorities (condor_q's other summary, which needs the
negotiator), no ``Offline`` slots, no GPU ``AvailableGPUs`` overlay.

``run_analysis`` evaluates by slot class (the drained overlay is one more snapshot the
slot classes group); ``plain_run_analysis`` is the same rules one slot at a time with the
library, the reference the tests hold it to.

>>> from simulator.model.condor import ClassAd, ExprTree
>>> from simulator.model.snapshot import Snapshot
>>> wrl = ExprTree("TARGET.RequestCpus <= MY.Cpus")
>>> pool = Snapshot.from_classads([
...     ClassAd({"Machine": "a", "PartitionableSlot": True, "Cpus": 1, "TotalSlotCpus": 8,
...              "WithinResourceLimits": wrl, "Requirements": ExprTree("WithinResourceLimits")}),
...     ClassAd({"Machine": "a", "DynamicSlot": True, "Cpus": 7, "RemoteUser": "u@x",
...              "Requirements": True})], source="x")
>>> job = ClassAd({"RequestCpus": 4, "User": "me@x", "Requirements": True})
>>> run_analysis(pool, job).counts()["available_if_drained"]
1
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Optional

import numpy as np
import pandas as pd

from simulator.match.slot_classes import fast_sides
from simulator.match.summary import machine_keys
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.snapshot import Snapshot

CATEGORIES = ("rejected_by_job", "rejecting_job", "running_your_jobs", "serving_others",
              "available_now", "available_if_drained")
SKIPPED = -1  # a dynamic slot: left out of the analysis
DEFAULT_RESOURCES = "Cpus Memory Disk"
# True exactly where the slot's WithinResourceLimits is false for the job (bool or number).
_OUT_OF_LIMITS = "ifThenElse(TARGET.WithinResourceLimits, false, true)"


@dataclasses.dataclass
class RunAnalysis:
    """Each slot's category (an index into CATEGORIES, SKIPPED for a dynamic slot)."""

    codes: np.ndarray
    drained: np.ndarray  # judged on the drained overlay
    cpus: np.ndarray  # the Cpus each slot offers as judged (its total where drained)
    machines: np.ndarray

    @property
    def matching(self) -> np.ndarray:
        """Slots that match now, busy or if drained."""
        return self.codes >= CATEGORIES.index("running_your_jobs")

    def counts(self) -> Dict[str, int]:
        per = np.bincount(self.codes[self.codes >= 0], minlength=len(CATEGORIES))
        out = {name: int(per[k]) for k, name in enumerate(CATEGORIES)}
        out["total_slots"] = int((self.codes >= 0).sum())
        out["dynamic_slots_skipped"] = int((self.codes == SKIPPED).sum())
        out["total_machines"] = len(set(self.machines.tolist()))
        out["matching_slots"] = int(self.matching.sum())
        return out


def _bools(values: pd.Series) -> np.ndarray:
    """Per slot: True/False where the value is a boolean, None elsewhere (LookupBool)."""
    return np.array([v if isinstance(v, bool) else None for v in values], dtype=object)


def slot_kinds(snapshot: Snapshot):
    """(partitionable, dynamic) per slot, looked up as jobmatch.cpp looks them up."""
    pslot = _bools(snapshot.values("PartitionableSlot"))
    dslot = _bools(snapshot.values("DynamicSlot"))
    is_pslot = pslot == True  # noqa: E712  (an object array of True/False/None)
    is_dslot = np.array([p is None and d is True for p, d in zip(pslot, dslot, strict=True)],
                        dtype=bool)
    return is_pslot, is_dslot


def drained_overlay(snapshot: Snapshot, rows: np.ndarray) -> Snapshot:
    """The snapshot with ``rows`` restored drained: each of their ``MachineResources`` names
    (default ``Cpus Memory Disk``) set to ``TotalSlot<name>``."""
    ads = snapshot.ads.copy()
    resources = snapshot.values("MachineResources")
    for i in np.flatnonzero(rows):
        names = resources.iloc[i]
        for tag in (names if isinstance(names, str) else DEFAULT_RESOURCES).split():
            column = tag.lower()
            if column not in ads.columns:
                ads[column] = pd.Series([None] * len(ads), index=ads.index, dtype=object)
            ads.iat[i, ads.columns.get_loc(column)] = f"TotalSlot{tag}"
    names = dict(snapshot.names or {})
    for tag in DEFAULT_RESOURCES.split():
        names.setdefault(tag.lower(), tag)
    return dataclasses.replace(snapshot, ads=ads, names=names)


def _out_of_limits(snapshot: Snapshot, job: ClassAd, rows: np.ndarray) -> np.ndarray:
    """Where ``rows`` hold, whether the slot's WithinResourceLimits is false for the job."""
    if not rows.any():
        return np.zeros(len(snapshot), dtype=bool)
    probe = ClassAd(str(job))
    probe["Requirements"] = ExprTree(_OUT_OF_LIMITS)
    out_of_limits, _ = fast_sides(snapshot, probe)
    return np.asarray(out_of_limits, dtype=bool) & rows


def _categories(job_ok, slot_ok, within, remote, user) -> np.ndarray:
    matched_code = np.where(within, CATEGORIES.index("available_now"),
                            CATEGORIES.index("available_if_drained"))
    busy = np.array([r is not None for r in remote], dtype=bool)
    mine = np.array([r is not None and r == user for r in remote], dtype=bool)
    code = np.where(busy, np.where(mine, CATEGORIES.index("running_your_jobs"),
                                   CATEGORIES.index("serving_others")), matched_code)
    code = np.where(slot_ok, code, CATEGORIES.index("rejecting_job"))
    return np.where(job_ok, code, CATEGORIES.index("rejected_by_job"))


def _strings(values: pd.Series) -> np.ndarray:
    return np.array([v if isinstance(v, str) else None for v in values], dtype=object)


def _numbers(values: pd.Series) -> np.ndarray:
    return np.array([v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0
                     for v in values], dtype=float)


def run_analysis(snapshot: Snapshot, job: ClassAd, sides=None) -> RunAnalysis:
    """Each slot's category for ``job`` (its ``time()`` already frozen), by slot class."""
    sides = sides or fast_sides
    is_pslot, is_dslot = slot_kinds(snapshot)
    out = _out_of_limits(snapshot, job, is_pslot)
    job_ok, slot_ok = (np.asarray(s, dtype=bool) for s in sides(snapshot, job))
    cpus = _numbers(snapshot.values("Cpus"))
    drained = np.zeros(len(snapshot), dtype=bool)
    if out.any():
        overlay = drained_overlay(snapshot, out)
        fits = ~_out_of_limits(overlay, job, out) & out  # keep the overlay only if it fits
        if fits.any():
            over_job, over_slot = (np.asarray(s, dtype=bool) for s in sides(overlay, job))
            job_ok = np.where(fits, over_job, job_ok)
            slot_ok = np.where(fits, over_slot, slot_ok)
            cpus = np.where(fits, _numbers(overlay.values("Cpus")), cpus)
            drained = fits
    remote = _strings(snapshot.values("RemoteUser"))
    user = job.eval("User") if "User" in job else None
    codes = _categories(job_ok, slot_ok, ~out, remote, user if isinstance(user, str) else None)
    codes = np.where(is_dslot, SKIPPED, codes)
    return RunAnalysis(codes, drained, np.where(is_dslot, 0.0, cpus), machine_keys(snapshot))


def _lookup(ad: ClassAd, attr: str, kind) -> Optional[object]:
    try:
        value = ad.eval(attr) if attr in ad else None
    except Exception:
        return None
    return value if isinstance(value, kind) and not (kind is not bool and
                                                     isinstance(value, bool)) else None


def _false_equiv(ad: ClassAd, job: ClassAd) -> bool:
    """WithinResourceLimits evaluated with the job as TARGET is false (bool or number)."""
    probe = ClassAd(str(job))
    probe["Requirements"] = ExprTree(_OUT_OF_LIMITS)
    return bool(ad.matches(probe))


def plain_run_analysis(snapshot: Snapshot, job: ClassAd) -> RunAnalysis:
    """The same categories, one slot ad at a time with the library (the reference)."""
    n = len(snapshot)
    codes = np.zeros(n, dtype=int)
    drained = np.zeros(n, dtype=bool)
    cpus = np.zeros(n, dtype=float)
    user = _lookup(job, "User", str)
    for i, slot in enumerate(snapshot.classads()):
        pslot = _lookup(slot, "PartitionableSlot", bool)
        if pslot is None and _lookup(slot, "DynamicSlot", bool) is True:
            codes[i] = SKIPPED
            continue
        within = True
        offer = slot
        if pslot and "WithinResourceLimits" in slot and _false_equiv(slot, job):
            within = False
            over = ClassAd(str(slot))
            names = _lookup(slot, "MachineResources", str) or DEFAULT_RESOURCES
            for tag in names.split():
                over[tag] = ExprTree(f"TotalSlot{tag}")
            if not _false_equiv(over, job):
                offer, drained[i] = over, True
        number = _lookup(offer, "Cpus", (int, float))
        cpus[i] = number if number is not None else 0
        remote = _lookup(offer, "RemoteUser", str)
        codes[i] = _categories(np.array([bool(offer.matches(job))]),
                               np.array([bool(job.matches(offer))]), np.array([within]),
                               [remote], user)[0]
    return RunAnalysis(codes, drained, cpus, machine_keys(snapshot))


def lacking_job_attributes(snapshot: Snapshot, job: ClassAd, rows: np.ndarray,
                           most: int = 5) -> Dict[str, int]:
    """For the slots of ``rows`` (those that reject the job on their own requirements): the
    job attributes their Requirements read (through START …) that the job does not define,
    with how many of those slots read each, most read first. Each distinct pair of
    Requirements and START texts is looked at once."""
    if not rows.any():
        return {}
    keys = [snapshot.ads[c].fillna("").to_numpy(dtype=object) if c in snapshot.ads.columns
            else np.full(len(snapshot), "", dtype=object) for c in ("requirements", "start")]
    combined = pd.Series([f"{a}\x00{b}" for a, b in zip(*keys, strict=True)])[rows]
    counts: Dict[str, int] = {}
    for _, members in combined.groupby(combined, sort=False):
        slot = snapshot.classad(int(members.index[0]))
        if "Requirements" not in slot:
            continue
        for ref in slot.externalRefs(slot.lookup("Requirements")):
            name = ref.split(".", 1)[1] if ref.lower().startswith("target.") else ref
            # Request* are read as "if the job asks for it": a job need not define them.
            if not name or "." in name or name in slot or name in job or \
                    name.lower().startswith("request"):
                continue
            counts[name] = counts.get(name, 0) + len(members)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))
    return dict(ranked[:most])

"""Run profiles against snapshots: match counts, rates, and the better-analyze summary.

For each snapshot and each profile, one record:

``snapshot``           the capture time (ISO, UTC), or the source for a pool with no time
``profile``            the profile's name
``requirements``       the Requirements expression used
``matching_slots``     slots where ``symmetricMatch`` holds (UNDEFINED/ERROR = no match)
``total_slots``        slots in the snapshot
``match_rate``         matching_slots / total_slots
``matching_cores``     sum of ``Cpus`` over the matching slots
``matching_machines``  distinct ``Machine`` among the matching slots
plus the summary of :mod:`simulator.match.summary` (``rejected_by_job`` …
``available_now``, the same per machine, ``total_machines``).

Evaluation is as of each snapshot's capture time: the job's ``time()`` is
frozen at it (each slot's at its own MyCurrentTime, when the snapshot rebuilds the ad).

>>> from simulator.model.condor import ClassAd
>>> from simulator.jobs import Profile, load_template, with_requirements
>>> pool = Snapshot.from_classads(
...     [ClassAd({"OpSys": "LINUX", "Cpus": 4, "Machine": "a", "Requirements": True})], source="x")
>>> job = with_requirements(load_template("plain"), 'TARGET.OpSys == "LINUX"')
>>> simulate([pool], [Profile("opsys", job, 'TARGET.OpSys == "LINUX"')])[
...     ["profile", "matching_slots", "matching_cores"]].values.tolist()
[['opsys', 1, 4]]
"""

from __future__ import annotations

from typing import Callable, List, Optional, Sequence

import numpy as np
import pandas as pd

from simulator.jobs import Profile
from simulator.match import Matcher, default_matcher, default_sides
from simulator.match import summary as better
from simulator.model import clock
from simulator.model.condor import ClassAd
from simulator.model.snapshot import Snapshot

RECORD_KEYS = (
    "snapshot",
    "profile",
    "requirements",
    "matching_slots",
    "total_slots",
    "match_rate",
    "matching_cores",
    "matching_machines",
    *better.CATEGORIES,
    "total_machines",
    *better.MACHINE_CATEGORIES,
)

# Attribute names the ClassAd language resolves by itself.
_BUILTIN_NAMES = {"currenttime", "true", "false", "undefined", "error"}


# The slot ads of the last snapshot seen, so the plain path rebuilds them once
# per snapshot, not once per profile.
_LAST_SLOTS: list = [None, None]


def plain_sides(snapshot: Snapshot, job: ClassAd):
    """(job accepts slot, slot accepts job) per slot, one slot at a time (the reference)."""
    if _LAST_SLOTS[0] is not snapshot:
        _LAST_SLOTS[:] = [snapshot, list(snapshot.classads())]
    return better.plain_sides(_LAST_SLOTS[1], job)


def snapshot_label(snapshot: Snapshot) -> str:
    """The capture time as ISO 8601 UTC, or the source when the snapshot has no time."""
    if snapshot.time and snapshot.time > 0:
        return clock.format_time(snapshot.time)
    return snapshot.source


def at_capture_time(job: ClassAd, when: int) -> ClassAd:
    """The job ad with ``time()`` fixed at ``when`` (the snapshot's capture time)."""
    return clock.freeze_job(job, when)


def missing_attributes(snapshot: Snapshot, job: ClassAd) -> List[str]:
    """Attributes the job's Requirements read from the slot that no slot has."""
    expr = job.lookup("Requirements") if "Requirements" in job else None
    if expr is None:
        return []
    missing = []
    for ref in job.externalRefs(expr):
        if not ref:  # the library lists '' for a literal
            continue
        name = ref.split(".", 1)[1] if ref.lower().startswith("target.") else ref
        name = name.split(".", 1)[0]
        if name.lower() in _BUILTIN_NAMES or name.lower() in snapshot.ads.columns:
            continue
        if name not in missing:
            missing.append(name)
    return sorted(missing, key=str.lower)


def _cpus(snapshot: Snapshot) -> np.ndarray:
    """Cpus per slot as a number; 0 where it is undefined or not a number."""
    codes, values = pd.factorize(snapshot.values("Cpus"), use_na_sentinel=True)
    numbers = [v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0 for v in values]
    return np.append(np.asarray(numbers, dtype=float), 0.0)[codes]


def simulate(
    snapshots: Sequence[Snapshot],
    profiles: Sequence[Profile],
    *,
    matcher: Optional[Matcher] = None,
    sides: Optional[Callable] = None,
) -> pd.DataFrame:
    """One record per (snapshot, profile); see the module docstring for the keys.

    ``matcher(snapshot, job)`` gives the symmetric match per slot and
    ``sides(snapshot, job)`` the two one-sided results for the summary
    (defaults: by slot class if installed, else :func:`plain_sides` and
    ``plain_match``). Warnings about attributes no slot has are in
    ``frame.attrs["warnings"]``.
    """
    matcher = matcher or default_matcher()
    sides = sides or default_sides()
    records = []
    warnings: List[str] = []
    for snapshot in snapshots:
        label = snapshot_label(snapshot)
        total = len(snapshot)
        cpus = _cpus(snapshot)
        busy = better.busy_slots(snapshot)
        machines = better.machine_keys(snapshot)
        for profile in profiles:
            job = at_capture_time(profile.job, snapshot.time)
            for name in missing_attributes(snapshot, job):
                warnings.append(
                    f"profile {profile.name}: no slot of {_short(snapshot.source)} has {name}"
                )
            matched = np.asarray(matcher(snapshot, job), dtype=bool)
            job_ok, slot_ok = sides(snapshot, job)
            record = {
                "snapshot": label,
                "profile": profile.name,
                "requirements": profile.requirements,
                "matching_slots": int(matched.sum()),
                "total_slots": total,
                "match_rate": float(matched.sum() / total) if total else 0.0,
                "matching_cores": _whole(cpus[matched].sum()),
                "matching_machines": len(set(machines[matched])),
            }
            record.update(better.summarize(job_ok, slot_ok, busy, machines))
            records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(RECORD_KEYS))
    frame.attrs["warnings"] = list(dict.fromkeys(warnings))
    return frame


def _short(source: str) -> str:
    return source.rstrip("/").rsplit("/", 1)[-1]


def _whole(x: float):
    return int(x) if float(x).is_integer() else float(x)

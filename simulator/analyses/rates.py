"""Run profiles against snapshots: match counts, rates, and the better-analyze summary.

For each snapshot and each profile, one record:

``snapshot``           the capture time (ISO, UTC), or the source for a pool with no time
``profile``            the profile's name
``requirements``       the whole Requirements the job matched (what condor_submit wrote)
``written``            what the user wrote on the requirements line (empty for a queued ad)
``matching_slots``     slots where ``symmetricMatch`` holds (UNDEFINED/ERROR = no match)
``total_slots``        slots in the snapshot, dynamic slots left out
``match_rate``         matching_slots / total_slots
``matching_cores``     sum of ``Cpus`` over the matching slots
``matching_machines``  distinct ``Machine`` among the matching slots
``total_machines``     distinct ``Machine`` of all slots (dynamic ones too)
plus the categories of :mod:`simulator.match.condor_q` (``dynamic_slots_skipped``,
``rejected_by_job`` … ``available_if_drained``), as ``condor_q -better-analyze`` 24.x
counts them: ``matching_slots`` are those that match now, busy or if drained, and
``matching_cores`` count a drained partitionable slot's ``TotalSlotCpus``.

Evaluation is as of each snapshot's capture time: the job's ``time()`` is
frozen at it (each slot's at its own MyCurrentTime, when the snapshot rebuilds the ad).

>>> from simulator.model.condor import ClassAd, ExprTree
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

import pandas as pd

from simulator.jobs import Profile
from simulator.match import condor_q, default_sides, summary
from simulator.model import clock
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.snapshot import Snapshot

RECORD_KEYS = (
    "snapshot",
    "profile",
    "requirements",
    "written",
    "matching_slots",
    "total_slots",
    "match_rate",
    "matching_cores",
    "matching_machines",
    "total_machines",
    "dynamic_slots_skipped",
    *condor_q.CATEGORIES,
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
    return summary.plain_sides(_LAST_SLOTS[1], job)


def snapshot_label(snapshot: Snapshot) -> str:
    """The capture time as ISO 8601 UTC, or the source when the snapshot has no time."""
    if snapshot.time and snapshot.time > 0:
        return clock.format_time(snapshot.time)
    return snapshot.source


def at_capture_time(job: ClassAd, when: int) -> ClassAd:
    """The job ad with ``time()`` fixed at ``when`` (the snapshot's capture time)."""
    return clock.freeze_job(job, when)


def missing_attributes(snapshot: Snapshot, job: ClassAd, written: str = "") -> List[str]:
    """Attributes the job's Requirements read from the slot that no slot has; only those of
    ``written`` (what the user wrote) when given, not of the clauses condor_submit added."""
    expr = job.lookup("Requirements") if "Requirements" in job else None
    if written:
        expr = ExprTree(written)
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


def simulate(
    snapshots: Sequence[Snapshot],
    profiles: Sequence[Profile],
    *,
    sides: Optional[Callable] = None,
) -> pd.DataFrame:
    """One record per (snapshot, profile); see the module docstring for the keys.

    ``sides(snapshot, job)`` gives the two one-sided results per slot (by slot class by
    default; ``plain_sides`` is the one-by-one reference). Warnings about attributes no
    slot has are in ``frame.attrs["warnings"]``.
    """
    sides = sides or default_sides()
    records = []
    warnings: List[str] = []
    for snapshot in snapshots:
        label = snapshot_label(snapshot)
        for profile in profiles:
            job = at_capture_time(profile.job, snapshot.time)
            for name in missing_attributes(snapshot, job, profile.written):
                warnings.append(
                    f"profile {profile.name}: no slot of {_short(snapshot.source)} has {name}"
                )
            analysis = condor_q.run_analysis(snapshot, job, sides)
            counts = analysis.counts()
            hint = refusal_hint(snapshot, job, analysis, counts)
            if hint:
                warnings.append(f"profile {profile.name}: {hint}")
            matched = analysis.matching
            record = {
                "snapshot": label,
                "profile": profile.name,
                "requirements": profile.requirements,
                "written": profile.written,
                "match_rate": (counts["matching_slots"] / counts["total_slots"]
                               if counts["total_slots"] else 0.0),
                "matching_cores": _whole(analysis.cpus[matched].sum()),
                "matching_machines": len(set(analysis.machines[matched].tolist())),
            }
            record.update(counts)
            records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(RECORD_KEYS))
    frame.attrs["warnings"] = list(dict.fromkeys(warnings))
    return frame


def refusal_hint(snapshot: Snapshot, job: ClassAd, analysis, counts) -> str:
    """Why most of the pool says no, when it does on its own requirements: the job attributes
    their START reads that the job lacks, and how to supply them ("" otherwise)."""
    total = counts["total_slots"]
    if not total or counts["rejecting_job"] * 2 <= total:
        return ""
    from simulator.jobs import load_template

    rows = analysis.codes == condor_q.CATEGORIES.index("rejecting_job")
    lacking = condor_q.lacking_job_attributes(snapshot, job, rows, most=20)
    if not lacking:
        return ""
    ospool = load_template("ospool")
    known = [name for name in lacking if name in ospool]
    others = [name for name in lacking if name not in ospool][:4]
    text = (f"{counts['rejecting_job']} of {total} slots turn the job away on their own "
            "requirements, which read job attributes this job does not define: ")
    if known:
        text += f"{', '.join(sorted(known))} (--template ospool defines them)"
    if others:
        text += ("; also " if known else "") + ", ".join(others)
    first = (sorted(known) or others)[0]
    return text + f"; a submit file gives one as +{first} = …"


def _short(source: str) -> str:
    return source.rstrip("/").rsplit("/", 1)[-1]


def _whole(x: float):
    return int(x) if float(x).is_integer() else float(x)

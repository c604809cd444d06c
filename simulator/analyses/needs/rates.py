"""How many slots the program's own requirements reach, beside the ladder's profiles.

For each snapshot of the pool: the slots the loosest safe expression
matches, and for each ladder profile (``opsys`` … ``release`` … ``vm``) the
slots it matches and how many of those cannot run the program (they lack
what the program needs: the job would start there and fail).

Slots are counted as ``condor_q -better-analyze`` counts them
(:mod:`simulator.match.condor_q`, after ``jobmatch.cpp``): a dynamic slot is left
out of every count (``dynamic_slots_skipped`` says how many), its partitionable
parent stands for the machine.

>>> from simulator.analyses.needs.rates import Rate
>>> Rate("needs", "true", "pool", 0, 10, 4, 0).rate
0.4
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional

import numpy as np

from simulator.model.condor import ClassAd


@dataclasses.dataclass
class Rate:
    profile: str
    requirements: str
    source: str
    time: int
    slots: int
    matched: int
    # matched by this profile, but not by the needs: the slot lacks one, or does not publish it
    unsafe: Optional[int]
    dynamic_slots_skipped: int = 0

    @property
    def rate(self) -> float:
        return self.matched / self.slots if self.slots else 0.0

    def as_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["rate"] = round(self.rate, 6)
        return out


def _matcher():
    from simulator.match import default_matcher

    return default_matcher()


def compare(expr: str, snapshots, *, template: str = "plain",
            reference: Optional[str] = None, image: Optional[str] = None) -> List[Rate]:
    """The program's expression and the ladder, each written into a job as condor_submit
    writes it (from the reference slot's Arch and OpSys), matched on every snapshot.

    ``image``: a container image's name (``x.sif``, ``dir/``): the jobs are container jobs."""
    snapshots = list(snapshots)
    if not snapshots:
        return []
    jobs = Comparison.of(expr, snapshots[0], template=template, reference=reference,
                         image=image)
    return [rate for snap in snapshots for rate in jobs.rates(snap)]


@dataclasses.dataclass
class Comparison:
    """The jobs ``compare`` matches: the program's expression and the ladder, written on
    the oldest snapshot (the user's desktop as it was) and held still while the pool drifts
    under them; ``rates(snapshot)`` matches them on one snapshot."""

    expr: str
    needs_job: ClassAd
    ladder: list

    @classmethod
    def of(cls, expr: str, first, *, template: str = "plain", reference: Optional[str] = None,
           image: Optional[str] = None) -> Comparison:
        from simulator import jobs as profiles
        from simulator.jobs.ladder import submit_host_of
        from simulator.model.tribes import reference_slot

        base: ClassAd = profiles.load_template(template)
        if image is not None:
            base = ClassAd(str(base))
            base["WantContainer"] = True
            base["ContainerImage"] = image
        # As in tribes simulate: the ladder is built once, on the oldest snapshot.
        ref = reference_slot(first, reference)
        writer = profiles.JobWriter(base, submit_host_of(first, ref))
        ladder = profiles.ladder(first, base, reference=reference, writer=writer)
        needs_job, _ = writer.write(expr, "needs")
        return cls(expr, needs_job, ladder)

    def rates(self, snap) -> List[Rate]:
        """The expression's and each profile's matches on one snapshot."""
        match = _matcher()
        kept = _counted(snap)
        slots, skipped = int(kept.sum()), len(snap) - int(kept.sum())
        safe = np.asarray(match(snap, self.needs_job), dtype=bool) & kept
        out = [Rate("needs", self.expr, snap.source, snap.time, slots, int(safe.sum()),
                    None, skipped)]
        for prof in self.ladder:
            got = np.asarray(match(snap, prof.job), dtype=bool) & kept
            # A vm job brings its own OS: the program's glibc and kernel needs are its own.
            cannot = None if prof.name == "vm" else int((got & ~safe).sum())
            out.append(Rate(prof.name, prof.written, snap.source, snap.time, slots,
                            int(got.sum()), cannot, skipped))
        return out


def _counted(snapshot) -> np.ndarray:
    """The slots condor_q's analysis counts: all but the dynamic ones."""
    from simulator.match import condor_q

    _, dynamic = condor_q.slot_kinds(snapshot)
    return ~dynamic


@dataclasses.dataclass
class ClauseCount:
    """How many slots of one snapshot one clause keeps, alone."""

    clause: str
    optional: bool  # not in the loosest safe expression (see runtimes.py)
    source: str
    time: int
    slots: int
    kept: int

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def clause_counts(required: List[str], optional: List[str], snapshots) -> List[ClauseCount]:
    """Each clause evaluated alone (as the job's Requirements, with the slot as TARGET) on
    every snapshot: the slots it keeps, whatever the other clauses say."""
    from simulator.jobs import load_template
    from simulator.match import default_sides

    sides = default_sides()
    base = load_template("plain")
    out: List[ClauseCount] = []
    for snap in snapshots:
        out += clause_counts_on(required, optional, snap, sides=sides, base=base)
    return out


def clause_counts_on(required: List[str], optional: List[str], snap, *, sides=None,
                     base: Optional[ClassAd] = None) -> List[ClauseCount]:
    """``clause_counts`` on one snapshot."""
    from simulator.jobs import load_template
    from simulator.jobs.expressions import parse_requirements
    from simulator.match import default_sides

    sides = sides or default_sides()
    base = base if base is not None else load_template("plain")
    out: List[ClauseCount] = []
    kept = _counted(snap)
    for clause, is_optional in [(c, False) for c in required] + [(c, True) for c in optional]:
        job = ClassAd(str(base))
        job["Requirements"] = parse_requirements(clause, "clause")
        job_ok, _ = sides(snap, job)
        out.append(ClauseCount(clause, is_optional, snap.source, snap.time, int(kept.sum()),
                               int((np.asarray(job_ok, dtype=bool) & kept).sum())))
    return out


# Attributes the loosest safe expression may read (with the ones that stand in for
# them), and who publishes them.
PUBLISHED_BY = {
    "glibc_base_version": ((), "tribes' startd cron"),
    "kernel_version": (("UtsnameRelease",), "tribes' startd cron, or HTCondor as UtsnameRelease"),
    "JavaSpecificationVersion": ((), "HTCondor, where the startd's JAVA knob points at a JVM"),
    "Microarch": ((), "HTCondor 9.10 or newer"),
    "HasSIF": ((), "HTCondor, where the starter can run Singularity/Apptainer"),
    "HasSandboxImage": ((), "HTCondor, where the starter can run Singularity/Apptainer"),
}


def missing(expr: str, snapshots) -> List[str]:
    """Notes on attributes the expression reads that slots of the pool do not publish."""
    return missing_notes([lacking(expr, snap) for snap in snapshots])


def lacking(expr: str, snap) -> Dict[str, Optional[tuple]]:
    """Per attribute of ``PUBLISHED_BY`` the expression reads: ``(slots without it, slots,
    source)`` on one snapshot, or None when every slot publishes it (or a stand-in)."""
    out: Dict[str, Optional[tuple]] = {}
    counted = None
    for attr, (stand_ins, _) in PUBLISHED_BY.items():
        if attr.lower() not in expr.lower():
            continue
        have = np.zeros(len(snap), dtype=bool)
        for name in (attr, *stand_ins):
            if name.lower() in snap.ads.columns:
                have |= snap.ads[name.lower()].notna().to_numpy()
        if counted is None:
            counted = _counted(snap)
        out[attr] = (None if have[counted].all() else
                     (int((~have & counted).sum()), int(counted.sum()), snap.source))
    return out


def missing_notes(per_snapshot: List[Dict[str, Optional[tuple]]]) -> List[str]:
    """``missing``'s notes from ``lacking`` of each snapshot, oldest first."""
    notes = []
    for attr, (_, who) in PUBLISHED_BY.items():
        if not per_snapshot or attr not in per_snapshot[0]:
            continue
        lacks = [one[attr] for one in per_snapshot if one[attr] is not None]
        if len(per_snapshot) == 1 and lacks:
            count, total, source = lacks[0]
            notes.append(f"{source}: {count} of {total} slots publish no {attr} "
                         f"(published by {who})")
        elif lacks:
            worst = max(lacks)
            notes.append(f"{len(lacks)} of {len(per_snapshot)} snapshots have slots that "
                         f"publish no {attr}, up to {worst[0]} of {worst[1]} "
                         f"(published by {who})")
    return notes

"""Which clause of a Requirements costs the matches, as ``condor_q -better-analyze`` shows.

Each step of the Requirements (``simulator.analyses.clauses.steps``) counts the slots it
accepts, evaluated with the ClassAd library, the job as MY and the slot as
TARGET, once per group of slots equal on what the step reads
(``simulator.match.slot_classes.step_groups``); steps that change nothing are hidden, as
HTCondor hides them; the summary splits the pool into slots the job rejects,
slots that reject the job and slots that match. ``simulator.render.clauses``
prints the result.

>>> from simulator import pools
>>> from simulator.jobs.job_ads import load_template, with_requirements
>>> job = with_requirements(load_template("plain"), 'OpSys == "LINUX" && Memory >= 2048')
>>> result = analyze(pools.generate("pool_2010"), job)
>>> [(i, result.label(i), result.matched_text(i)) for i in result.shown], result.available
([(1, 'Memory >= 2048', '182')], 78)
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional

import numpy as np

from simulator.analyses.clauses.steps import Step, split_steps
from simulator.analyses.rates import refusal_hint
from simulator.match import condor_q
from simulator.match.slot_classes import SlotCells, group_slots, step_columns, unresolved_refs
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.errors import RequirementsError
from simulator.model.snapshot import Snapshot


def _frozen(job: ClassAd, steps: List[Step], when: int):
    """The job and its steps as of the capture time: ``time()`` reads ``when``, not the clock.

    The steps keep their text for display; what is evaluated is the frozen text.
    """
    from simulator.model import clock

    if not when:
        return job, [ExprTree(s.text) for s in steps]
    plain = "CurrentTime" not in job
    trees = [ExprTree(clock.freeze_time(s.text, when, current_time=plain)) for s in steps]
    return clock.freeze_job(job, when), trees


def _is_true(value) -> bool:
    return value is True


# Analysis field <- condor_q category (simulator.match.condor_q)
SUMMARY_FIELDS = {
    "slots": "total_slots", "machines": "total_machines",
    "dynamic_skipped": "dynamic_slots_skipped", "rejected_by_job": "rejected_by_job",
    "rejected_by_slot": "rejecting_job", "running_yours": "running_your_jobs",
    "serving_others": "serving_others", "available": "available_now",
    "available_if_drained": "available_if_drained",
}


@dataclasses.dataclass
class Analysis:
    """The per-step counts and the summary for one job against one snapshot."""

    job_name: str
    requirements: str
    steps: List[Step]
    matches: List[Optional[int]]  # None for a constant step
    constant: Dict[int, bool]
    shown: List[int]  # steps left after pruning, in order
    left: Dict[int, int]  # step -> left operand after pruning
    right: Dict[int, int]
    slots: int  # slots considered: dynamic slots are left out, as condor_q does
    machines: int
    dynamic_skipped: int
    rejected_by_job: int
    rejected_by_slot: int
    running_yours: int
    serving_others: int
    available: int
    available_if_drained: int
    time: int = 0
    hint: str = ""  # why most slots refuse the job, when they do on their own requirements
    source: str = ""

    def label(self, i: int) -> str:
        return self.steps[i].label(self.left.get(i), self.right.get(i))

    def matched_text(self, i: int) -> str:
        if i in self.constant:
            return "always" if self.constant[i] else "never"
        return str(self.matches[i])

    def as_record(self) -> dict:
        """One analysis as plain data for ``--format json``."""
        a = self
        return {
            "job": a.job_name,
            "source": a.source,
            "time": a.time,
            "requirements": a.requirements,
            "slots": a.slots,
            "steps": [
                {
                    "step": s.index,
                    "condition": s.label(),
                    "text": s.text.strip(),
                    "matched": a.matches[s.index],
                    "constant": a.constant.get(s.index),
                    "shown": s.index in a.shown,
                    "shown_as": a.label(s.index) if s.index in a.shown else None,
                }
                for s in a.steps
            ],
            "total_slots": a.slots,
            "total_machines": a.machines,
            "dynamic_slots_skipped": a.dynamic_skipped,
            "rejected_by_job": a.rejected_by_job,
            "rejecting_job": a.rejected_by_slot,
            "running_your_jobs": a.running_yours,
            "serving_others": a.serving_others,
            "available_now": a.available,
            "available_if_drained": a.available_if_drained,
            "matching_slots": (a.running_yours + a.serving_others + a.available
                               + a.available_if_drained),
        }


def job_name(job: ClassAd) -> str:
    try:
        return f"{int(job.eval('ClusterId')):03d}.{int(job.eval('ProcId')):03d}"
    except Exception:
        return "job"


def analyze(snapshot: Snapshot, job: ClassAd) -> Analysis:
    """Count, for each step of the job's Requirements, the slots of ``snapshot`` it accepts."""
    if "Requirements" not in job:
        raise RequirementsError(f"job {job_name(job)} has no Requirements")
    steps = split_steps(job.lookup("Requirements"))
    shown_job = job
    job, trees = _frozen(job, steps, snapshot.time)
    n = len(snapshot)

    constant: Dict[int, bool] = {}
    for s in steps:
        tree = trees[s.index]
        if not unresolved_refs(job, tree):  # nothing from the slot: the same everywhere
            constant[s.index] = _is_true(tree.eval(job))
    # Each step is evaluated once per class of slots equal on what that step reads
    # (as the negotiator's autoclusters do), then spread back to every slot.
    groupings: Dict[tuple, tuple] = {}
    ads: Dict[tuple, ClassAd] = {}
    cells = SlotCells(snapshot)
    per_slot = []
    for s in steps:
        tree = trees[s.index]
        if s.index in constant:
            per_slot.append(np.full(n, constant[s.index]))
            continue
        columns = tuple(step_columns(snapshot, [tree], job))
        if columns not in groupings:
            groupings[columns] = group_slots(snapshot, list(columns))
        codes, reps = groupings[columns]
        values = []
        for i in reps:
            if (columns, i) not in ads:
                ads[columns, i] = cells.slot_ad(i, columns)
            values.append(_is_true(tree.eval(job, ads[columns, i])))
        per_group = np.array(values, dtype=bool)
        per_slot.append(per_group[codes] if n else np.zeros(0, dtype=bool))
    _check_split(steps, per_slot)
    # condor_q leaves dynamic slots out of the clause table and the summary alike.
    run = condor_q.run_analysis(snapshot, job)
    considered = run.codes != condor_q.SKIPPED
    matches = [int(v[considered].sum()) for v in per_slot]
    counts = run.counts()
    hint = refusal_hint(snapshot, job, run, counts)
    shown, left, right = _prune(steps, matches, constant, counts["total_slots"])
    return Analysis(
        job_name=job_name(job),
        requirements=str(shown_job.lookup("Requirements")),
        steps=steps,
        matches=[None if s.index in constant else matches[s.index] for s in steps],
        constant=constant,
        shown=shown,
        left=left,
        right=right,
        **{field: counts[key] for field, key in SUMMARY_FIELDS.items()},
        hint=hint,
        time=snapshot.time,
        source=snapshot.source,
    )


def _check_split(steps: List[Step], per_slot: List[np.ndarray]) -> None:
    """The library's own verdicts must agree with the split, slot by slot.

    Each operator step was evaluated from its whole text, independently of its
    operands: where ``a && b`` holds both sides must hold, where ``a || b``
    holds one side must, where ``!a`` holds ``a`` must not. A split the
    grammar groups differently shows up here instead of as wrong counts.
    """
    for s in steps:
        if not s.op:
            continue
        node, left = per_slot[s.index], per_slot[s.left]
        if s.op == "&&":
            bad = node & ~(left & per_slot[s.right])
        elif s.op == "||":
            bad = node & ~(left | per_slot[s.right])
        else:
            bad = node & left
        if bad.any():
            raise RequirementsError(
                f"step [{s.index}] {s.label()} of {s.text.strip()!r} does not evaluate as its "
                "parts do; the expression was split wrongly"
            )


def _prune(steps: List[Step], matches: List[int], constant: Dict[int, bool], total: int):
    """Hide the steps that do not change the result, as HTCondor's analyzer does.

    A constant operand makes its operator constant or equal to the other
    operand; an ``&&`` whose count equals one operand's is shown as that
    operand, and the looser other operand is dropped; an ``||`` with an
    operand matching all or none keeps only the operand that decides.
    """
    effective: Dict[int, int] = {}
    dont_care = set()
    const = dict(constant)
    left = {s.index: s.left for s in steps if s.op}
    right = {s.index: s.right for s in steps if s.op}

    def chase(i: int) -> int:
        while i in effective:
            i = effective[i]
        return i

    def drop(i: int) -> None:
        if i < 0:
            return
        dont_care.add(i)
        drop(steps[i].left)
        drop(steps[i].right)

    for s in steps:
        if s.op not in ("&&", "||"):
            if s.op == "!" and s.left in const:
                const[s.index] = not const[s.left]
            continue
        lc, rc = const.get(s.left), const.get(s.right)
        absorbing = s.op == "||"  # true || x is true; false && x is false
        if lc is absorbing or rc is absorbing:
            const[s.index] = absorbing
            if lc is absorbing:
                effective[s.index] = s.left
                drop(s.right)
            else:
                effective[s.index] = s.right
                drop(s.left)
        elif lc is not None and rc is not None:
            const[s.index] = lc if s.op == "&&" else (lc or rc)
        elif lc is not None:  # true && x, false || x: x decides, the constant is noise
            effective[s.index] = s.right
            drop(s.left)
        elif rc is not None:
            effective[s.index] = s.left
            drop(s.right)

    for s in steps:
        if s.op:
            left[s.index] = chase(left[s.index]) if left[s.index] >= 0 else -1
            if right[s.index] >= 0:
                right[s.index] = chase(right[s.index])
        if s.index in effective or s.index in dont_care or s.index in const:
            continue
        if s.op == "&&":
            lft, rgt, m = left[s.index], right[s.index], matches[s.index]
            if matches[lft] == m:
                effective[s.index] = lft
                if matches[rgt] > m:
                    dont_care.add(rgt)
            elif matches[rgt] == m:
                effective[s.index] = rgt
                if matches[lft] > m:
                    dont_care.add(lft)
        elif s.op == "||":
            lft, rgt = left[s.index], right[s.index]
            if matches[lft] == total or (matches[lft] and not matches[rgt]):
                effective[s.index] = lft
                drop(rgt)
            elif matches[rgt] == total or (matches[rgt] and not matches[lft]):
                effective[s.index] = rgt
                drop(lft)
        if s.index in effective:
            effective[s.index] = chase(effective[s.index])
    shown = [s.index for s in steps if s.index not in effective and s.index not in dont_care]
    return shown, left, right

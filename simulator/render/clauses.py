"""The analysis as text and data: the ``-better-analyze`` table, summary and report, JSON.

>>> from simulator import pools
>>> from simulator.analyses.clauses.analysis import analyze
>>> from simulator.jobs.job_ads import load_template, with_requirements
>>> job = with_requirements(load_template("plain"), "TARGET.Memory >= 2048")
>>> print(table(analyze(pools.generate("pool_2010"), job)))
         Slots
Step    Matched  Condition
-----  --------  ---------
[0]         182  TARGET.Memory >= 2048
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Sequence

from simulator.model import clock
from simulator.model.condor import ClassAd, quote

if TYPE_CHECKING:
    from simulator.analyses.clauses.analysis import Analysis

# Units condor_q prints beside the job attributes it lists.
_UNITS = {"requestdisk": "kb", "requestmemory": "mb", "diskusage": "kb", "imagesize": "kb"}


def _step_label(i: int) -> str:
    return f"[{i}]      "[:5]


def wrap_expression(text: str, indent: int = 4, width: int = 160) -> str:
    """Break a long expression after ``&&``/``||`` as condor_q does."""
    lines, line = [], ""
    for piece in _after_logic_ops(text):
        if line and indent + len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = ""
        line += piece
    lines.append(line)
    return ("\n" + " " * indent).join(lines)


def _after_logic_ops(text: str) -> List[str]:
    pieces, start = [], 0
    for at in range(len(text) - 2):
        if text[at:at + 3] in ("&& ", "|| "):
            pieces.append(text[start:at + 3])
            start = at + 3
    pieces.append(text[start:])
    return pieces


def table(analysis: Analysis) -> str:
    """The "Slots Matched Condition" table."""
    out = ["         Slots", "Step    Matched  Condition", "-----  --------  ---------"]
    for i in analysis.shown:
        out.append(f"{_step_label(i)} {analysis.matched_text(i):>9}  {analysis.label(i)}")
    return "\n".join(out)


def summary(analysis: Analysis) -> str:
    """The run analysis summary in condor_q 24.x's words (``appendJobMatchTotalsToBuffer``,
    no user priorities): lines for busy or drained slots only where there are some."""
    a = analysis
    lines = [
        f"{a.job_name}:  Run analysis summary ignoring user priority.  "
        f"Of {a.slots} slots on {a.machines} machines,",
        f"  {a.rejected_by_job:5d} slots are rejected by your job's requirements",
        f"  {a.rejected_by_slot:5d} slots reject your job because of their own requirements",
    ]
    if a.running_yours:
        lines.append(f"  {a.running_yours:5d} slots match and are already running your jobs")
    if a.running_yours + a.serving_others:
        lines.append(f"  {a.serving_others:5d} slots match but are serving other users")
    lines.append(f"  {a.available:5d} slots match and are willing to run your job")
    if a.available_if_drained:
        lines.append(f"  {a.available_if_drained:5d} slots would match if drained")
    if a.dynamic_skipped:
        lines.append(f"  ({a.dynamic_skipped} dynamic slots left out, as condor_q leaves them)")
    if a.hint:
        lines.append(f"\nWhy: {a.hint}")
    return "\n".join(lines)


def report(analysis: Analysis, job: ClassAd) -> str:
    """The whole ``-better-analyze``-style report for one job and one snapshot."""
    name = analysis.job_name
    parts = [
        f"-- Pool: {analysis.source}: {analysis.slots} slots"
        + (f", as of {clock.format_time(analysis.time)}" if analysis.time else ""),
        f"The Requirements expression for job {name} is",
        "",
        "    " + wrap_expression(analysis.requirements),
        "",
    ]
    defined = _job_attributes(job)
    if defined:
        parts += [f"Job {name} defines the following attributes:", ""]
        parts += [f"    {line}" for line in defined]
        parts.append("")
    parts += [f"The Requirements expression for job {name} reduces to these conditions:", ""]
    parts += [table(analysis), "", "", summary(analysis)]
    return "\n".join(parts)


def _job_attributes(job: ClassAd) -> List[str]:
    """The job's own attributes the Requirements read, with their values."""
    tree = job.lookup("Requirements")
    lines = []
    for ref in sorted(job.internalRefs(tree), key=str.lower):
        name = ref.split(".")[-1]
        if name not in job:
            continue
        value = job.eval(name)
        if isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = quote(value) if isinstance(value, str) else str(value)
        unit = _UNITS.get(name.lower())
        lines.append(f"{name} = {text}" + (f" ({unit})" if unit else ""))
    return lines


def time_table(analyses: Sequence[Analysis]) -> str:
    """Each step (unpruned) against each snapshot: one column per capture time."""
    first = analyses[0]
    heads = [clock.format_time(a.time, clock.MINUTE_FORMAT) if a.time else a.source
             for a in analyses]
    width = max(9, *(len(h) for h in heads))
    lines = [
        "Step   " + "  ".join(h.rjust(width) for h in heads) + "  Condition",
        "-----  " + "  ".join("-" * width for _ in heads) + "  ---------",
    ]
    for s in first.steps:
        cells = [a.matched_text(s.index).rjust(width) for a in analyses]
        lines.append(f"{_step_label(s.index)}  " + "  ".join(cells) + f"  {s.label()}")
    lines.append("-----  " + "  ".join("-" * width for _ in heads))
    lines.append("slots  " + "  ".join(str(a.slots).rjust(width) for a in analyses))
    lines.append("able   " + "  ".join(str(a.available).rjust(width) for a in analyses)
                 + "  able to run the job (not claimed)")
    return "\n".join(lines)


def step_rows(analyses: Sequence[Analysis]) -> str:
    """One row per snapshot, one column per step (the steps listed above the table)."""
    steps = analyses[0].steps
    lines = [f"{'[' + str(s.index) + ']':>6}  {s.label()}" for s in steps]
    width = max(7, *(len(str(a.slots)) + 1 for a in analyses))
    heads = [f"[{s.index}]".rjust(width) for s in steps]
    lines += ["", "time                  " + " ".join(heads)
              + " ".join(["", "slots".rjust(width), "able".rjust(width)])]
    for a in analyses:
        cells = [a.matched_text(s.index).rjust(width) for s in steps]
        lines.append(f"{clock.format_time(a.time):<22}" + " ".join(cells)
                     + " ".join(["", str(a.slots).rjust(width), str(a.available).rjust(width)]))
    return "\n".join(lines)


STEP_KEYS = ("step", "condition", "text", "matched", "constant", "shown", "shown_as")


def step_records(records: Sequence[dict]) -> List[dict]:
    """The analyses' records (``ClauseRun.records``) flattened for ``--format csv``: one row
    per job, snapshot and step, the condor_q counts on every row."""
    out = []
    for r in records:
        top = {k: v for k, v in r.items() if k != "steps"}
        for step in r["steps"]:
            out.append({**top, **step})
    return out

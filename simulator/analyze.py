"""Which clause of a Requirements costs the matches, as ``condor_q -better-analyze`` shows.

The expression is split into steps the way HTCondor's analyzer walks it:
through parentheses, ``&&``, ``||`` and ``!(…)``; every other sub-expression
(a comparison, a function call, an attribute, a ``?:``) is one condition.
Steps are numbered in evaluation order (children first), so ``[2]`` is
``[0] && [1]``. Unlike HTCondor, ``!(…)`` gets a step of its own (HTCondor
shows its operand's count under the operand's number), and comparisons nested
inside other conditions are not listed apart.
The split itself is done by HTCondor's parser: a candidate cut at an
operator is kept only when both sides parse on their own (see ``_split``),
and every count comes from evaluating the step's own text with the ClassAd
library, the job as MY and the slot as TARGET.

>>> [(s.index, s.label()) for s in split_steps('A == 1 && (B || C)')]
[(0, 'A == 1'), (1, 'B'), (2, 'C'), (3, '[1] || [2]'), (4, '[0] && [3]')]
"""

from __future__ import annotations

import dataclasses
import re
import time as _time
from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from simulator.condor import ClassAd, ExprTree, parse_one, quote
from simulator.exceptions import RequirementsError
from simulator.snapshot import Snapshot

# Units condor_q prints beside the job attributes it lists.
_UNITS = {"requestdisk": "kb", "requestmemory": "mb", "diskusage": "kb", "imagesize": "kb"}


@dataclasses.dataclass
class Step:
    """One row of the analysis: a condition, or a logical operator over two earlier steps."""

    index: int
    text: str
    op: Optional[str] = None  # None for a condition; "&&", "||" or "!"
    left: int = -1
    right: int = -1
    depth: int = 0

    def label(self, left: Optional[int] = None, right: Optional[int] = None) -> str:
        left = self.left if left is None else left
        right = self.right if right is None else right
        if self.op == "!":
            return f" ! [{left}]"
        if self.op:
            return f"[{left}] {self.op} [{right}]"
        return self.text.strip()


# --- splitting ----------------------------------------------------------------


def _parses(text: str) -> bool:
    if not text.strip():
        return False
    try:
        ExprTree(text)
    except Exception:  # classad2 raises ClassAdException on a parse error
        return False
    return True


def _positions(text: str, token: str) -> List[int]:
    found, start = [], 0
    while True:
        at = text.find(token, start)
        if at < 0:
            return found
        found.append(at)
        start = at + 1


def _split(text: str, op: str):
    """(left, right) if ``op`` is the root operator of ``text``, else None.

    ``text`` is the library's own unparse, so binary operators are written
    ``" op "``. A cut inside a string, parentheses or a function call leaves a
    side that does not parse. ``&&`` and ``||`` are left-associative, so the
    root is the rightmost top-level one; callers look for a top-level ``?:``
    first, then ``||``, then ``&&`` (lowest precedence first).
    """
    token = f" {op} "
    for at in reversed(_positions(text, token)):
        left, right = text[:at], text[at + len(token):]
        if _parses(left) and _parses(right):
            return left, right
    return None


def _is_ternary(text: str) -> bool:
    """Is the root of ``text`` a ``c ? a : b`` or ``a ?: b``? (It binds loosest.)"""
    for at in _positions(text, " ?: "):
        if _parses(text[:at]) and _parses(text[at + 4:]):
            return True
    for at in _positions(text, " ? "):
        if not _parses(text[:at]):
            continue
        rest = text[at + 3:]
        for colon in _positions(rest, " : "):
            if _parses(rest[:colon]) and _parses(rest[colon + 3:]):
                return True
    return False


def _paren_inner(text: str) -> Optional[str]:
    """The inside of ``(X)`` when the whole text is one parenthesized group."""
    body = text.strip()
    if not (body.startswith("(") and body.endswith(")")):
        return None
    inner = body[1:-1]
    # "(a) && (b)" also starts and ends with parentheses: its inside "a) && (b"
    # does not parse. When it parses, the library must agree it is the same tree.
    if _parses(inner) and ExprTree(f"({inner})") == ExprTree(body):
        return inner
    return None


def split_steps(requirements) -> List[Step]:
    """The steps of a Requirements expression (text or ExprTree), in HTCondor's numbering."""
    try:
        text = str(ExprTree(str(requirements)))
    except Exception:
        raise RequirementsError(f"cannot parse requirement {str(requirements)!r}") from None
    steps: List[Step] = []
    _walk(text, 0, steps)
    return steps


def _walk(text: str, depth: int, steps: List[Step]) -> int:
    if not _is_ternary(text):
        for op in ("||", "&&"):
            parts = _split(text, op)
            if parts:
                left = _walk(parts[0], depth, steps)
                right = _walk(parts[1], depth, steps)
                return _push(steps, Step(len(steps), text, op, left, right, depth))
        inner = _paren_inner(text)
        if inner is not None:
            return _walk(inner, depth + 1, steps)
        body = text.strip()
        if body.startswith("!"):
            inner = _paren_inner(body[1:])
            if inner is not None:
                child = _walk(inner, depth + 1, steps)
                return _push(steps, Step(len(steps), text, "!", child, -1, depth))
    return _push(steps, Step(len(steps), text, None, -1, -1, depth))


def _push(steps: List[Step], step: Step) -> int:
    steps.append(step)
    return step.index


# --- evaluation -----------------------------------------------------------------


def _strip_scope(ref: str) -> str:
    low = ref.lower()
    for prefix in ("target.", "my."):
        if low.startswith(prefix):
            return low[len(prefix):]
    return low


_READS_CLOCK = re.compile(r"time\s*\(|currenttime", re.I)
_CLOCK_COLUMNS = ("mycurrenttime", "currenttime")


def _refs(ad: ClassAd, tree: ExprTree) -> List[str]:
    """References ``ad`` cannot resolve (the library answers [''] when there are none)."""
    return [r for r in ad.externalRefs(tree) if r]


def _slot_columns(snapshot: Snapshot, trees: Sequence[ExprTree], job: ClassAd) -> List[str]:
    """Slot columns the steps can read, followed through the slots' own expressions."""
    wanted = set()
    for tree in trees:
        wanted.update(_strip_scope(r) for r in _refs(job, tree))
    empty = ClassAd()
    seen, frontier = set(), [c for c in wanted if c in snapshot.ads.columns]
    while frontier:
        col = frontier.pop()
        if col in seen:
            continue
        seen.add(col)
        for cell in snapshot.ads[col].dropna().unique():
            if _READS_CLOCK.search(cell):
                # Frozen per slot at its own MyCurrentTime (Snapshot.classad): part of the class.
                frontier += [c for c in _CLOCK_COLUMNS if c in snapshot.ads.columns]
            try:
                refs = _refs(empty, ExprTree(cell))
            except Exception:
                continue
            for ref in refs:
                name = _strip_scope(ref)
                if name in snapshot.ads.columns and name not in seen:
                    frontier.append(name)
    return sorted(seen)


def _groups(snapshot: Snapshot, columns: List[str]):
    """A group number per slot (slots equal on ``columns``) and one slot per group.

    Each column is factorized (absent cells are one more value), and the codes
    are combined column by column, re-factorizing so the numbers stay small.
    """
    n = len(snapshot)
    if not columns or n == 0:
        return np.zeros(n, dtype=np.int64), [0] if n else []
    combined = np.zeros(n, dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(snapshot.ads[column], use_na_sentinel=True)
        codes = codes.astype(np.int64) + 1  # absent (-1) becomes 0
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
    _, first = np.unique(combined, return_index=True)
    return combined, first.tolist()


class _Cells:
    """Column arrays of a snapshot, read once: pandas indexing per cell is slow."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.arrays: Dict[str, np.ndarray] = {}

    def get(self, column: str, i: int) -> Optional[str]:
        if column not in self.snapshot.ads.columns:
            return None
        if column not in self.arrays:
            self.arrays[column] = self.snapshot.ads[column].to_numpy(dtype=object)
        cell = self.arrays[column][i]
        return cell if isinstance(cell, str) else None

    def slot_ad(self, i: int, columns: Sequence[str]) -> ClassAd:
        """Slot ``i`` with only ``columns``: all a step can read (see ``_slot_columns``).

        Built as ``Snapshot.classad`` builds the whole ad, ``time()`` frozen at
        the slot's own capture, but a few attributes parse much faster than hundreds.
        """
        from simulator import clock

        snap = self.snapshot
        cells = [(c, self.get(c, i)) for c in columns]
        cells = [(c, src) for c, src in cells if src is not None]
        if snap.time and cells:
            when = clock.slot_time({"mycurrenttime": self.get("mycurrenttime", i)}, snap.time)
            plain = self.get("currenttime", i) is None
            cells = [(c, clock.freeze_time(src, when, current_time=plain)) for c, src in cells]
        text = "; ".join(f"{snap.display_name(c)} = {src}" for c, src in cells)
        return parse_one(f"[{text}]")


def _frozen(job: ClassAd, steps: List[Step], when: int):
    """The job and its steps as of the capture time: ``time()`` reads ``when``, not the clock.

    The steps keep their text for display; what is evaluated is the frozen text.
    """
    from simulator import clock

    if not when:
        return job, [ExprTree(s.text) for s in steps]
    plain = "CurrentTime" not in job
    trees = [ExprTree(clock.freeze_time(s.text, when, current_time=plain)) for s in steps]
    return clock.freeze_job(job, when), trees


def _is_true(value) -> bool:
    return value is True


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
    slots: int
    rejected_by_job: int
    rejected_by_slot: int
    running_yours: int
    serving_others: int
    available: int
    time: int = 0
    source: str = ""

    def label(self, i: int) -> str:
        return self.steps[i].label(self.left.get(i), self.right.get(i))

    def matched_text(self, i: int) -> str:
        if i in self.constant:
            return "always" if self.constant[i] else "never"
        return str(self.matches[i])


def job_name(job: ClassAd) -> str:
    try:
        return f"{int(job.eval('ClusterId'))}.{int(job.eval('ProcId')):03d}"
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
        if not _refs(job, tree):  # nothing from the slot: the same everywhere
            constant[s.index] = _is_true(tree.eval(job))
    # Each step is evaluated once per class of slots equal on what that step reads
    # (as the negotiator's autoclusters do), then spread back to every slot.
    groupings: Dict[tuple, tuple] = {}
    ads: Dict[tuple, ClassAd] = {}
    cells = _Cells(snapshot)
    per_slot = []
    for s in steps:
        tree = trees[s.index]
        if s.index in constant:
            per_slot.append(np.full(n, constant[s.index]))
            continue
        columns = tuple(_slot_columns(snapshot, [tree], job))
        if columns not in groupings:
            groupings[columns] = _groups(snapshot, list(columns))
        codes, reps = groupings[columns]
        values = []
        for i in reps:
            if (columns, i) not in ads:
                ads[columns, i] = cells.slot_ad(i, columns)
            values.append(_is_true(tree.eval(job, ads[columns, i])))
        per_group = np.array(values, dtype=bool)
        per_slot.append(per_group[codes] if n else np.zeros(0, dtype=bool))
    _check_split(steps, per_slot)
    matches = [int(v.sum()) for v in per_slot]

    shown, left, right = _prune(steps, matches, constant, n)
    job_ok = per_slot[-1]
    matched = _match(snapshot, job)
    state = _literals(snapshot, "State")
    owner = _owner(snapshot)
    user = _job_user(job)
    claimed = np.array([v == "Claimed" for v in state], dtype=bool)
    yours = claimed & np.array([u is not None and u == user for u in owner], dtype=bool)
    return Analysis(
        job_name=job_name(job),
        requirements=str(shown_job.lookup("Requirements")),
        steps=steps,
        matches=[None if s.index in constant else matches[s.index] for s in steps],
        constant=constant,
        shown=shown,
        left=left,
        right=right,
        slots=n,
        rejected_by_job=int((~job_ok).sum()),
        rejected_by_slot=int((job_ok & ~matched).sum()),
        running_yours=int((matched & yours).sum()),
        serving_others=int((matched & claimed & ~yours).sum()),
        available=int((matched & ~claimed).sum()),
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


def _match(snapshot: Snapshot, job: ClassAd) -> np.ndarray:
    """Both sides' Requirements, with the project's matcher (slot classes when available)."""
    try:
        from simulator.slot_classes import fast_match
    except ImportError:
        from simulator.match import plain_match as fast_match
    return np.asarray(fast_match(snapshot, job), dtype=bool)


def _literals(snapshot: Snapshot, attr: str) -> List[object]:
    """The literal value of ``attr`` in each slot (None where absent or not a literal)."""
    if attr.lower() not in snapshot.ads.columns:
        return [None] * len(snapshot)
    cache: Dict[str, object] = {}
    out = []
    for cell in snapshot.ads[attr.lower()]:
        if not isinstance(cell, str):
            out.append(None)
            continue
        if cell not in cache:
            try:
                value = ExprTree(cell).eval()
            except Exception:
                value = None
            cache[cell] = value if isinstance(value, (str, bool, int, float)) else None
        out.append(cache[cell])
    return out


def _owner(snapshot: Snapshot) -> List[Optional[str]]:
    for attr in ("RemoteOwner", "RemoteUser"):
        if attr.lower() in snapshot.ads.columns:
            return _literals(snapshot, attr)
    return [None] * len(snapshot)


def _job_user(job: ClassAd) -> Optional[str]:
    for attr in ("User", "Owner"):
        if attr in job:
            value = job.eval(attr)
            if isinstance(value, str):
                return value
    return None


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


# --- rendering --------------------------------------------------------------------


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
    a = analysis
    return "\n".join([
        f"{a.job_name}:  Run analysis summary ignoring user priority.  Of {a.slots} slots,",
        f"{a.rejected_by_job:>7} are rejected by your job's requirements",
        f"{a.rejected_by_slot:>7} reject your job because of their own requirements",
        f"{a.running_yours:>7} match and are already running your jobs",
        f"{a.serving_others:>7} match but are serving other users",
        f"{a.available:>7} are able to run your job",
    ])


def report(analysis: Analysis, job: ClassAd) -> str:
    """The whole ``-better-analyze``-style report for one job and one snapshot."""
    name = analysis.job_name
    parts = [
        f"-- Pool: {analysis.source}: {analysis.slots} slots"
        + (f", as of {_when(analysis.time)}" if analysis.time else ""),
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


def as_record(analysis: Analysis) -> dict:
    """One analysis as plain data for ``--format json``."""
    a = analysis
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
        "summary": {
            "rejected_by_job": a.rejected_by_job,
            "rejected_by_slot": a.rejected_by_slot,
            "running_yours": a.running_yours,
            "serving_others": a.serving_others,
            "available": a.available,
        },
    }


def _when(epoch: int, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return _time.strftime(fmt, _time.gmtime(epoch))


def time_table(analyses: Sequence[Analysis]) -> str:
    """Each step (unpruned) against each snapshot: one column per capture time."""
    first = analyses[0]
    heads = [_when(a.time, "%Y-%m-%d %H:%M") if a.time else a.source for a in analyses]
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

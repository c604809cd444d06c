"""``needs``: what programs need, the loosest safe Requirements, and (with a pool) how many
slots it and the ladder's profiles reach, as one call (``tribes requirements``).

The verdict also holds the expression's clauses, the optional clauses that only the OS
release can state (a C++ program's libstdc++ version, see ``runtimes``), and with a pool
the slots each of them keeps on its own.

>>> verdict = needs(["/bin/true"])     # doctest: +SKIP
>>> verdict.requirements               # doctest: +SKIP
'TARGET.OpSys == "LINUX" && TARGET.Arch == "X86_64" && versionGE(...)'
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional, Sequence

from simulator.analyses.needs import expression, rates
from simulator.analyses.progress import counted
from simulator.io import sources


@dataclasses.dataclass
class NeedsVerdict:
    """The expression, the facts behind it, and the match rates on a pool (when given)."""

    programs: List[str]
    requirements: str
    facts: List[str]
    rates: List[rates.Rate]
    notes: List[str]
    clauses: List[str] = dataclasses.field(default_factory=list)
    # (clause, why): needs only the OS release tells; not in ``requirements``
    optional: List[tuple] = dataclasses.field(default_factory=list)
    clause_counts: List[rates.ClauseCount] = dataclasses.field(default_factory=list)

    def as_record(self) -> dict:
        return {"programs": self.programs, "requirements": self.requirements,
                "clauses": self.clauses,
                "optional": [{"clause": c, "why": w} for c, w in self.optional],
                "facts": self.facts, "pool": [r.as_dict() for r in self.rates],
                "clause_counts": [c.as_dict() for c in self.clause_counts],
                "notes": self.notes}


def needs(programs: Sequence, *, pool=None, template="plain",
          reference: Optional[str] = None, progress: bool = False) -> NeedsVerdict:
    """Read ``programs`` and write the loosest Requirements that is safe for all of them;
    with a ``pool``, its match rates (``progress``: a bar on stderr while snapshots load)."""
    found = expression.read_programs(list(programs))
    expr = expression.expression(found)
    parts = expression.clauses(found)
    optional = expression.optional_clauses(found)
    facts = expression.facts(found)
    image = next((n for n in found if n.container), None)
    note = None if image else expression.submit_note(expr)
    if note:
        facts.append(note)
    pool_rates: List[rates.Rate] = []
    notes: List[str] = []
    counts: List[rates.ClauseCount] = []
    if pool is not None:
        # One snapshot in memory at a time: the jobs are written on the first, and each
        # snapshot leaves only its rates, clause counts and the slots lacking an attribute.
        snapshots = sources.open_snapshots(pool)
        jobs = rates.Comparison.of(expr, snapshots[0], template=template, reference=reference,
                                   image=_image_name(image) if image else None)
        lacking = []
        required, extra = parts, [c for c, _ in optional]

        def per_snapshot(snap):
            return (jobs.rates(snap), rates.clause_counts_on(required, extra, snap),
                    rates.lacking(expr, snap))

        for found, kept, lacks in counted(snapshots.map(per_snapshot), len(snapshots),
                                          progress, "tribes requirements", "snapshot"):
            pool_rates += found
            counts += kept
            lacking.append(lacks)
        notes = rates.missing_notes(lacking)
    return NeedsVerdict([str(p) for p in programs], expr, facts, pool_rates, notes, parts,
                        optional, counts)


def _image_name(image) -> str:
    """The image as a submit file names it: ``x.sif``, or a directory ``x/``."""
    from pathlib import Path

    name = Path(image.path).name
    return name if image.container == "SIF" and name.endswith(".sif") else (
        f"{name}.sif" if image.container == "SIF" else f"{name}/")

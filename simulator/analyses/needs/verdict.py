"""``needs``: what programs need, the loosest safe Requirements, and (with a pool) how many
slots it and the ladder's profiles reach, as one call (``tribes requirements``).

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

    def as_record(self) -> dict:
        return {"programs": self.programs, "requirements": self.requirements,
                "facts": self.facts, "pool": [r.as_dict() for r in self.rates],
                "notes": self.notes}


def needs(programs: Sequence, *, pool=None, template="plain",
          reference: Optional[str] = None, progress: bool = False) -> NeedsVerdict:
    """Read ``programs`` and write the loosest Requirements that is safe for all of them;
    with a ``pool``, its match rates (``progress``: a bar on stderr while snapshots load)."""
    found = expression.read_programs(list(programs))
    expr = expression.expression(found)
    facts = expression.facts(found)
    note = expression.submit_note(expr)
    if note:
        facts.append(note)
    pool_rates: List[rates.Rate] = []
    notes: List[str] = []
    if pool is not None:
        snapshots = list(counted(sources.iter_snapshots(pool), sources.snapshot_count(pool),
                                 progress, "tribes requirements", "snapshot"))
        pool_rates = rates.compare(expr, snapshots, template=template, reference=reference)
        notes = rates.missing(expr, snapshots)
    return NeedsVerdict([str(p) for p in programs], expr, facts, pool_rates, notes)

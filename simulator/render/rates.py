"""The table of ``tribes simulate``: one block per snapshot, the expressions last."""

from __future__ import annotations

from typing import List

from simulator.analyses.simulation import SimulationResult
from simulator.io.readers.build import describe_skipped
from simulator.render.formats import count, percent
from simulator.render.tables import grid_lines

COLUMNS = (
    ("profile", "profile", "<"),
    ("matching_slots", "slots", ">"),
    ("match_rate", "rate", ">"),
    ("matching_cores", "cores", ">"),
    ("matching_machines", "machines", ">"),
    ("available_now", "free now", ">"),
    ("matching_busy", "busy", ">"),
    ("rejected_by_job", "job rejects", ">"),
    ("rejecting_job", "slot rejects", ">"),
)


def _cell(key, value) -> str:
    return percent(value) if key == "match_rate" else str(value)


def rates_table(result: SimulationResult) -> str:
    """A readable table: one block per snapshot, headed by what the pool is."""
    out: List[str] = []
    records = result.records()
    per = len(records) // max(len(result.pools), 1)  # records keep the snapshot order
    for n, pool in enumerate(result.pools):
        rows = records[n * per:(n + 1) * per]
        if not rows:
            continue
        first = rows[0]
        if out:
            out.append("")
        out.append(
            f"{pool.source}: {count(first['total_slots'], 'slot')} on "
            f"{count(first['total_machines'], 'machine')}, as of {pool.label} ({pool.time_source})"
        )
        if pool.skipped:
            # Ads of other types never take part in a match; say how many there were.
            out.append(f"other ads left out: {describe_skipped(pool.skipped)}")
        if result.reference is not None and n == 0:
            ref = result.reference
            out.append(f"reference: {ref.name}, whose tribe has {count(ref.size, 'slot')}:")
            out.append(f"  {', '.join(ref.tribe) or '(no release, kernel or glibc published)'}")
        out.append("")
        out.extend(grid_lines(rows, COLUMNS, _cell))
    # The expressions last, in full: they are what the numbers are about.
    out += ["", "requirements:"]
    width = max(len(r["profile"]) for r in records)
    seen = set()
    for r in records:
        if r["profile"] not in seen:
            seen.add(r["profile"])
            out.append(f"  {r['profile']:<{width}}  {r['requirements']}")
    return "\n".join(out)

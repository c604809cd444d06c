"""The tables of ``tribes requirements --pool``: match rates beside the ladder's, or one row per
snapshot of a store."""

from __future__ import annotations

from typing import List

from simulator.analyses.needs.rates import ClauseCount, Rate
from simulator.analyses.needs.verdict import NeedsVerdict
from simulator.model import clock
from simulator.render.formats import percent

RATE_KEYS = ("profile", "requirements", "source", "time", "slots", "matched", "rate", "unsafe",
             "dynamic_slots_skipped")


def table(rates: List[Rate]) -> str:
    lines = []
    source = None
    for r in rates:
        if r.source != source or r.profile == "needs":
            source = r.source
            if lines:
                lines.append("")
            left_out = (f", {r.dynamic_slots_skipped} dynamic left out"
                        if r.dynamic_slots_skipped else "")
            lines.append(f"Match rate on {r.source} ({r.slots} slots{left_out}):")
            lines.append(f"{'profile':<9} {'matched':>7} {'rate':>7} {'unsafe':>8}  "
                         "requirements")
        cannot = "-" if r.unsafe is None else str(r.unsafe)
        lines.append(f"{r.profile:<9} {r.matched:>7} {percent(r.rate):>7} {cannot:>8}  "
                     f"{r.requirements}")
    return "\n".join(lines)


def time_table(rates: List[Rate]) -> str:
    """Several snapshots: one row per snapshot, the slots each profile matches."""

    profiles: List[str] = []
    rows: dict = {}
    for r in rates:
        if r.profile not in profiles:
            profiles.append(r.profile)
        rows.setdefault((r.time, r.source), {"slots": r.slots})[r.profile] = r.matched
    width = max(8, *(len(p) + 1 for p in profiles))
    lines = ["matched slots per snapshot (needs = the loosest safe requirements)",
             "time                  " + "".join(p.rjust(width) for p in ["slots", *profiles])]
    for (when, source), row in rows.items():
        label = clock.format_time(when) if when else source
        cells = [str(row.get(p, "-")).rjust(width) for p in ["slots", *profiles]]
        lines.append(f"{label:<22}" + "".join(cells))
    return "\n".join(lines)


def rate_records(verdict: NeedsVerdict) -> List[dict]:
    """``--format csv``: one row per profile and snapshot (the records under ``pool`` in
    JSON); without a pool, the one row of the loosest safe requirements."""
    rows = verdict.as_record()["pool"]
    if not rows:
        rows = [{"profile": "needs", "requirements": verdict.requirements}]
    return [{k: r.get(k) for k in RATE_KEYS} for r in rows]


def clause_table(counts: List[ClauseCount]) -> str:
    """The slots each clause keeps on its own, on the newest snapshot."""
    if not counts:
        return ""
    newest = max(c.time for c in counts)
    rows = [c for c in counts if c.time == newest]
    several = len({c.time for c in counts}) > 1
    when = f", the newest snapshot ({clock.format_time(newest)})" if several and newest else ""
    lines = [f"Slots each clause keeps on its own, on {rows[0].source}{when} "
             f"({rows[0].slots} slots):",
             f"{'kept':>7} {'of':>7}  clause"]
    for c in rows:
        mark = "  (optional)" if c.optional else ""
        lines.append(f"{c.kept:>7} {c.slots:>7}  {c.clause}{mark}")
    return "\n".join(lines)

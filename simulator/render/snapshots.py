"""What ``tribes snapshot`` prints for a snapshot it stored: a line, or one record.

The line and the record hold the same facts: the file, its slots, the ads left out, the
capture time and where it came from, and the slot ads without OpSys. ``leftovers_notes``
are the notes of any write into a store (``tribes snapshot``, ``tribes scenario run``).
"""

from __future__ import annotations

from simulator.io.readers import build
from simulator.model import clock


def snapshot_record(snap, path) -> dict:
    """The stored snapshot as one record (``--format csv`` and ``json``)."""
    return {
        "path": str(path),
        "source": snap.source,
        "slots": len(snap),
        "skipped": dict(sorted((snap.skipped or {}).items(), key=lambda kv: (-kv[1], kv[0]))),
        "time": clock.format_time(snap.time),
        "time_source": snap.time_source,
        "without_opsys": build.without_opsys(snap),
    }


def snapshot_line(snap, path) -> str:
    """The one line ``tribes snapshot`` prints."""
    stamp = clock.format_time(snap.time)
    line = (
        f"{path}: {len(snap)} slot{'' if len(snap) == 1 else 's'}; "
        f"skipped {build.describe_skipped(snap.skipped)}; "
        f"time {stamp} (from {snap.time_source})"
    )
    missing = build.without_opsys(snap)
    if missing:
        line += f"; {missing} slot ad{'' if missing == 1 else 's'} without OpSys (kept)"
    return line


def leftovers_notes(store, leftovers) -> list:
    """The notes on what a write into ``store`` cleaned up of interrupted ones before it
    (a ``store.Leftovers``; none when there was nothing)."""
    notes = []
    if leftovers is None:
        return notes
    if leftovers.restored:
        notes.append(f"{store}: put back the snapshots an interrupted write had moved aside")
    if leftovers.count:
        plural = "" if leftovers.count == 1 else "s"
        notes.append(f"removed {leftovers.count} leftover{plural} of an interrupted write "
                     f"({leftovers.size / 1e6:.1f} MB)")
    return notes

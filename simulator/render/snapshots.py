"""What ``tribes snapshot`` prints for a snapshot it stored: a line, or one record.

The line and the record hold the same facts: the file, its slots, the ads left out, the
capture time and where it came from, and the slot ads without OpSys.
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

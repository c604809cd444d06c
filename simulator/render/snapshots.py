"""The line ``tribes snapshot`` prints for a snapshot it stored."""

from __future__ import annotations

from simulator.io.readers import build
from simulator.model import clock


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

"""Capture time: the moment a snapshot was taken, and evaluation as of that moment.

A snapshot is evaluated as of when it was captured, never today's clock: real
glidein START policies say ``time() < GLIDEIN_ToRetire``, and a year-old
snapshot read at today's clock would show every glidein retired.

The capture time comes from the ads' ``MyCurrentTime`` (set by each daemon
when it sent the ad), else ``LastHeardFrom`` (set by the collector), else the
``--time`` the user gave, else the file's modification time.

>>> capture_time([{"mycurrenttime": "1783241538"}], given=None, path=None)
(1783241538, 'MyCurrentTime')
>>> freeze_time("time() < GLIDEIN_ToRetire", 1783241538)
'1783241538 < GLIDEIN_ToRetire'
"""

from __future__ import annotations

import calendar
import os
import re
import time as _time
from typing import Iterable, Mapping, Optional, Tuple, Union

from simulator.exceptions import TribesError

TimeSpec = Union[int, float, str, None]

_INT = re.compile(r"[0-9]{1,12}\Z")


def parse_time(spec: TimeSpec) -> Optional[int]:
    """``--time`` as epoch seconds: an integer, or an ISO date/time in UTC.

    >>> parse_time("2026-07-05T12:00:00Z")
    1783252800
    """
    if spec is None or spec == "":
        return None
    if isinstance(spec, (int, float)):
        return int(spec)
    text = str(spec).strip()
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return calendar.timegm(_time.strptime(text, fmt))
        except ValueError:
            pass
    raise TribesError(
        f"--time {spec!r}: not a time (give epoch seconds or YYYY-MM-DD[THH:MM:SSZ], UTC)"
    )


def ad_time(row: Mapping[str, Optional[str]], attr: str = "mycurrenttime") -> Optional[int]:
    """The integer literal ``attr`` holds in one slot row (expression text), or None."""
    text = row.get(attr)
    if text is not None and _INT.match(text):
        return int(text)
    return None


def capture_time(
    rows: Iterable[Mapping[str, Optional[str]]],
    *,
    given: TimeSpec = None,
    path: Optional[Union[str, os.PathLike]] = None,
) -> Tuple[int, str]:
    """(capture time, where it came from) for a set of slot rows.

    When ads disagree the latest one is taken: the snapshot was complete only
    then. Each slot is still evaluated at its own ``MyCurrentTime``.
    """
    rows = list(rows)
    for attr, label in (("mycurrenttime", "MyCurrentTime"), ("lastheardfrom", "LastHeardFrom")):
        times = [t for t in (ad_time(r, attr) for r in rows) if t is not None]
        if times:
            return max(times), label
    given_time = parse_time(given)
    if given_time is not None:
        return given_time, "--time"
    if path is not None:
        try:
            return int(os.stat(path).st_mtime), "mtime"
        except OSError:
            pass
    return int(_time.time()), "now"

"""Capture time: the moment a snapshot was taken, and evaluation as of that moment.

A snapshot is evaluated as of when it was captured, never today's clock: real
glidein START policies say ``time() < GLIDEIN_ToRetire``, and a year-old
snapshot read at today's clock would show every glidein retired.

The capture time comes from the ads' ``MyCurrentTime`` (set by each daemon
when it sent the ad), else ``LastHeardFrom`` (set by the collector), else the
``--time`` the user gave, else the file's modification time (for a live
collector whose ads carry neither: the moment of the query, ``now``).

>>> capture_time([{"mycurrenttime": "1783241538"}], given=None, path=None)
(1783241538, 'MyCurrentTime')
>>> freeze_time("time() < GLIDEIN_ToRetire", 1783241538)
'1783241538 < GLIDEIN_ToRetire'
"""

from __future__ import annotations

import calendar
import functools
import os
import re
import time as _time
from typing import Iterable, Mapping, Optional, Tuple, Union

from simulator.model.errors import TribesError, in_range

TimeSpec = Union[int, float, str, None]

# Every way a time is written, spelled once.
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # records, tables, --time
DAY_FORMAT = "%Y-%m-%d"
MINUTE_FORMAT = "%Y-%m-%d %H:%M"  # chart subtitles and narrow table heads
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"  # snapshot file names (snapshot-STAMP.parquet)


def format_time(epoch, fmt: str = ISO_FORMAT) -> str:
    """Epoch seconds written in UTC.

    >>> format_time(1270468800), format_time(1270468800, DAY_FORMAT)
    ('2010-04-05T12:00:00Z', '2010-04-05')
    """
    return _time.strftime(fmt, _time.gmtime(int(epoch)))


def format_duration(seconds: float) -> str:
    """Seconds as s, min, h or d, whichever reads best.

    >>> format_duration(45), format_duration(5400), format_duration(20000), format_duration(3e5)
    ('45 s', '90.0 min', '5.6 h', '3.5 d')
    """
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def parse_stamp(text: str, fmt: str = STAMP_FORMAT) -> int:
    """The epoch seconds a ``format_time`` text names (``ValueError`` when it names none).

    >>> parse_stamp("20100405T120000Z")
    1270468800
    """
    return calendar.timegm(_time.strptime(text, fmt))

_INT = re.compile(r"[0-9]{1,12}\Z")


def parse_time(spec: TimeSpec) -> Optional[int]:
    """``--time`` as epoch seconds: an integer, or an ISO date/time in UTC.

    >>> parse_time("2026-07-05T12:00:00Z")
    1783252800
    """
    if spec is None or spec == "":
        return None
    if isinstance(spec, (int, float)):
        return _in_time_range(spec)
    text = str(spec).strip()
    if re.fullmatch(r"-?[0-9]+", text):
        return _in_time_range(int(text))
    for fmt in (ISO_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", DAY_FORMAT):
        try:
            return calendar.timegm(_time.strptime(text, fmt))
        except ValueError:
            pass
    raise TribesError(
        f"--time {spec!r}: not a time (give epoch seconds or YYYY-MM-DD[THH:MM:SSZ], UTC)"
    )


# The times a snapshot may be taken at: from the epoch to the last second of year 9999
# (what a file name and an ISO time can write).
LAST_TIME = 253402300799


def _in_time_range(epoch) -> int:
    return int(in_range("--time", epoch, 0, LAST_TIME, whole=True,
                        unit="epoch seconds (or YYYY-MM-DD[THH:MM:SSZ], UTC)"))


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
    columns = {a: [r.get(a) for r in rows] for a in ("mycurrenttime", "lastheardfrom")}
    return capture_time_of(columns, given=given, path=path)


def capture_time_of(
    columns: Mapping[str, Iterable[Optional[str]]],
    *,
    given: TimeSpec = None,
    path: Optional[Union[str, os.PathLike]] = None,
) -> Tuple[int, str]:
    """``capture_time`` from columns of expression text keyed by lower-case name."""
    for attr, label in (("mycurrenttime", "MyCurrentTime"), ("lastheardfrom", "LastHeardFrom")):
        times = [int(t) for t in set(columns.get(attr, ())) if t is not None and _INT.match(t)]
        times = [t for t in times if 0 <= t <= LAST_TIME]  # no other time can be written
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


# --- evaluation as of the capture time ----------------------------------------------

# String literals and quoted attribute names are matched first so that nothing
# inside them is touched; then time() calls (function names are
# case-insensitive) and bare CurrentTime references (old ClassAds' clock).
_TOKENS = re.compile(
    r""""[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*'"""
    r"|(?<![\w.])(?P<call>time\s*\(\s*\))"
    r"|(?<![\w.])(?P<attr>CurrentTime)\b(?!\s*\()",
    re.I | re.S,
)
_MENTIONS_TIME = re.compile(r"time", re.I)


@functools.lru_cache(maxsize=1 << 16)
def freeze_time(expr_text: str, when: int, *, current_time: bool = True) -> str:
    """``expr_text`` with every ``time()`` call replaced by the integer ``when``.

    With ``current_time`` (the ad does not define CurrentTime itself), bare
    ``CurrentTime`` references are replaced too. Text inside string literals is
    never touched; nothing else changes. The result is checked with the ClassAd
    library.

    >>> freeze_time('regexp("time()", X) && TIME() > CurrentTime - 60', 100)
    'regexp("time()", X) && 100 > 100 - 60'
    """
    if not _MENTIONS_TIME.search(expr_text):
        return expr_text
    literal = str(int(when))
    changed = False

    def replace(m):
        nonlocal changed
        if m.group("call") or (m.group("attr") and current_time):
            changed = True
            return literal
        return m.group(0)

    frozen = _TOKENS.sub(replace, expr_text)
    if not changed:
        return expr_text
    from simulator.model.condor import ExprTree

    try:
        ExprTree(frozen)
    except Exception as exc:  # the library's own parse error
        raise TribesError(f"cannot freeze time() in {expr_text!r}: {exc}") from None
    return frozen


def slot_time(row, snapshot_time: int) -> int:
    """The moment one slot is evaluated at: its own MyCurrentTime, else the snapshot's."""
    own = ad_time(row, "mycurrenttime")
    return own if own is not None else int(snapshot_time)


def freeze_job(job, when: Optional[int]):
    """A copy of a job ClassAd whose expressions read ``when`` instead of the clock.

    ``when`` None or 0 leaves the job as it is (a generated pool has no capture time).

    >>> from simulator.model.condor import ClassAd, ExprTree
    >>> freeze_job(ClassAd({"Deadline": ExprTree("time() + 60")}), 100).eval("Deadline")
    160
    """
    from simulator.model.condor import ClassAd, ExprTree

    if not when:
        return job
    defines_current_time = "CurrentTime" in job
    out = ClassAd()
    for key in job:
        expr = job.lookup(key)
        text = str(expr)
        frozen = freeze_time(text, int(when), current_time=not defines_current_time)
        out[key] = expr if frozen == text else ExprTree(frozen)
    return out

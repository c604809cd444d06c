"""Job traces in the Standard Workload Format (SWF) of the Parallel Workloads Archive.

An SWF file starts with ``;`` comment lines (the header: ``; MaxJobs: …``),
then one job per line, 18 whitespace-separated numbers, ``-1`` where unknown:

 1 job number       7 used memory (KB)     13 group id
 2 submit time (s)  8 requested procs      14 executable number
 3 wait time (s)    9 requested time (s)   15 queue number
 4 run time (s)    10 requested memory     16 partition number
 5 allocated procs 11 status               17 preceding job
 6 average CPU     12 user id              18 think time

The replay takes the submit and run times (the requested time where the run
time is unknown), the user id as the job's submitter (``submitters``), and
gives each job a profile: from an optional 19th field
(a profile name, an extension of the format) or from a mapping rule on one
field, ``FIELD`` (values spread over the profiles in turn, ``value mod n``) or
``FIELD:VALUE=PROFILE,…,*=PROFILE``. Jobs without a usable run time are left
out and counted.

>>> trace = parse_swf("; Version: 2\\n1 0 5 100 1 -1 -1 1 200 -1 1 3 1 -1 1 -1 -1 -1\\n")
>>> trace.submit.tolist(), trace.runtime.tolist(), trace.fields["user"].tolist()
([0.0], [100.0], [3])
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from simulator.model.errors import TribesError, in_range, number_text
from simulator.model.text import read_text

FIELDS = ("job", "submit", "wait", "runtime", "procs", "cpu_time", "memory", "requested_procs",
          "requested_time", "requested_memory", "status", "user", "group", "executable", "queue",
          "partition", "preceding_job", "think_time")
# Fields a profile mapping may read (identifiers, not measurements).
MAPPABLE = ("user", "group", "executable", "queue", "partition", "status")


class TraceError(TribesError, ValueError):
    """A trace file or a profile mapping is wrong; the message names the file and line."""


@dataclasses.dataclass
class Trace:
    """Jobs of an SWF trace, submit times shifted so the first job arrives at 0."""

    path: str
    submit: np.ndarray
    runtime: np.ndarray
    fields: Dict[str, np.ndarray]
    profile_names: Optional[List[str]]
    skipped: int
    header: Dict[str, str]

    def __len__(self) -> int:
        return len(self.submit)


# The largest magnitude of a field: SWF fields are whole seconds, counts and ids (-1: unknown),
# and every one is held as a 64-bit integer.
MAX_FIELD = 1e15


def read_swf(path: Union[str, Path]) -> Trace:
    """Read an SWF file; a bad line raises TraceError naming the file and line."""
    path = Path(path)
    text = read_text(path, TraceError)
    return parse_swf(text, str(path))


def parse_swf(text: str, path: str = "<trace>") -> Trace:
    rows: List[List[float]] = []
    names: List[Optional[str]] = []
    header: Dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(";"):
            match = re.match(r";\s*([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$", stripped)
            if match:
                header.setdefault(match.group(1), match.group(2).strip())
            continue
        parts = stripped.split()
        if len(parts) not in (18, 19):
            raise TraceError(f"{path}: line {number}: expected 18 fields (or 19 with a profile "
                             f"name), found {len(parts)}")
        try:
            values = [float(p) for p in parts[:18]]
        except ValueError:
            bad = next(p for p in parts[:18] if not _is_number(p))
            field = FIELDS[parts.index(bad)]
            raise TraceError(f"{path}: line {number}: field {field} is not a number: {bad!r}") \
                from None
        for value, written, field in zip(values, parts, FIELDS):  # noqa: B905 (3.9)
            try:
                in_range(f"{path}: line {number}: field {field}", value, -MAX_FIELD, MAX_FIELD,
                         cls=TraceError)
            except TraceError as exc:  # as written, not as Python reads it (1e400: inf)
                raise TraceError(str(exc).replace(f" {number_text(value)}: ", f" {written}: ", 1)
                                 ) from None
        if values[1] < 0:
            raise TraceError(f"{path}: line {number}: field submit is negative ({parts[1]})")
        rows.append(values)
        names.append(parts[18] if len(parts) == 19 else None)
    if not rows:
        raise TraceError(f"{path}: no jobs (only comments or blank lines)")
    table = np.array(rows, dtype=float)
    if any(n is not None for n in names) and any(n is None for n in names):
        line = _line_of(text, names.index(None))
        raise TraceError(f"{path}: line {line}: a profile name in field 19 on some lines but "
                         "not on this one")
    runtime = np.where(table[:, 3] >= 0, table[:, 3], table[:, 8])
    usable = runtime > 0
    table, runtime = table[usable], runtime[usable]
    kept_names = list(itertools.compress(names, usable.tolist())) if names[0] else None
    submit = table[:, 1] - (table[:, 1].min() if len(table) else 0.0)
    fields = {name: table[:, i].astype(np.int64) for i, name in enumerate(FIELDS)}
    return Trace(path, submit, runtime, fields, kept_names, int((~usable).sum()), header)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _line_of(text: str, job_index: int) -> int:
    seen = -1
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith(";"):
            seen += 1
            if seen == job_index:
                return number
    return 0


def submitters(trace: Trace):
    """Each job's submitter, from the user field (field 12): (index per job, names).

    A user id becomes ``user<ID>``; an unknown one (-1) ``unknown``.

    >>> index, names = submitters(parse_swf("1 0 0 9 1 -1 -1 1 -1 -1 1 7 1 -1 1 -1 -1 -1\\n"
    ...                                     "2 5 0 9 1 -1 -1 1 -1 -1 1 -1 1 -1 1 -1 -1 -1\\n"))
    >>> index.tolist(), names
    ([1, 0], ['unknown', 'user7'])
    """
    values, index = np.unique(trace.fields["user"], return_inverse=True)
    names = [f"user{v}" if v >= 0 else "unknown" for v in values.tolist()]
    return index.astype(np.int64), names


def assign_profiles(trace: Trace, profiles: Sequence[str], rule: Optional[str] = None
                    ) -> np.ndarray:
    """The profile index of each job of ``trace``.

    ``rule`` is ``FIELD`` (value mod the number of profiles) or
    ``FIELD:VALUE=PROFILE,…[,*=PROFILE]``; without a rule, the 19th field
    names the profile, and failing that, jobs go round the profiles by user.
    """
    index = {name: i for i, name in enumerate(profiles)}
    if rule is None:
        if trace.profile_names is not None:
            out = []
            for name in trace.profile_names:
                if name not in index:
                    raise TraceError(f"{trace.path}: profile {name!r} in field 19 is not one of "
                                     f"{', '.join(profiles)}")
                out.append(index[name])
            return np.array(out, dtype=np.int64)
        rule = "user"
    field, _, mapping = rule.partition(":")
    field = field.strip()
    if field not in MAPPABLE:
        raise TraceError(f"--profile-map {rule!r}: field {field!r} is not one of "
                         f"{', '.join(MAPPABLE)}")
    values = trace.fields[field]
    if not mapping:
        return np.mod(values, len(profiles)).astype(np.int64)
    table: Dict[int, int] = {}
    default = None
    for item in mapping.split(","):
        key, eq, name = item.partition("=")
        key, name = key.strip(), name.strip()
        if not eq or name not in index:
            raise TraceError(f"--profile-map {rule!r}: {item.strip()!r} is not VALUE=PROFILE "
                             f"with a profile among {', '.join(profiles)}")
        if key == "*":
            default = index[name]
        else:
            try:
                table[int(key)] = index[name]
            except ValueError:
                raise TraceError(f"--profile-map {rule!r}: {key!r} is not a number") from None
    out = np.array([table.get(int(v), -1 if default is None else default) for v in values],
                   dtype=np.int64)
    if (out < 0).any():
        missing = sorted(set(values[out < 0].tolist()))[:5]
        raise TraceError(f"--profile-map {rule!r}: no profile for {field} "
                         f"{', '.join(map(str, missing))} (add *=PROFILE)")
    return out

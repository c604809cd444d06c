"""The table of ``tribes replay``: its header line, then one row per profile or submitter
(and period)."""

from __future__ import annotations

from simulator.analyses.replay.result import RECORD_KEYS
from simulator.analyses.replay.session import ReplayRun
from simulator.model import clock
from simulator.render.formats import duration, percent, seconds
from simulator.render.tables import grid

COLUMNS = (
    ("profile", "profile", "<"),
    ("jobs", "jobs", ">"),
    ("finished", "finished", ">"),
    ("never_started", "never started", ">"),
    ("mean_wait_s", "mean wait", ">"),
    ("median_wait_s", "median wait", ">"),
    ("p95_wait_s", "p95 wait", ">"),
    ("mean_slowdown", "slowdown", ">"),
    ("evictions", "evictions", ">"),
    ("goodput_core_h", "goodput core-h", ">"),
    ("lost_core_h", "lost core-h", ">"),
    ("pool_share", "pool share", ">"),
)
SUBMITTER = ("submitter", "submitter", "<")
PRIORITY = ("priority", "priority", ">")
PERIOD = ("period", "submitted", "<")


def record_keys(per: str = "profile", by: bool = False):
    """The keys of one record, in order, for ``--per`` and ``--by``."""
    head = {"profile": ("profile",), "submitter": ("submitter", "priority"),
            "both": ("profile", "submitter")}[per]
    return head + (("period",) if by else ()) + RECORD_KEYS[1:]


def _cell(key, value) -> str:
    if value is None:
        return "-"
    if key in ("never_started", "pool_share"):
        return percent(value)
    if key.endswith("_s"):
        return duration(value)
    if key == "mean_slowdown":
        return f"{value:.2f}"
    if key in ("lost_core_h", "goodput_core_h"):
        return f"{value:.0f}"
    if key == "priority":
        return f"{value:.1f}"
    return str(value)


def stream_text(stream: dict) -> str:
    """The job stream in words."""
    users = stream.get("users", 1)
    who = f"{users} submitters" if users != 1 else "one submitter"
    if stream["kind"] == "trace":
        text = f"trace {stream['path']} ({stream['jobs']} jobs, {who}"
        return text + (f"; left out: {', '.join(stream['left_out'])})" if stream["left_out"]
                       else ")")
    return (f"{stream['jobs']} synthetic jobs (lognormal runtimes, median "
            f"{duration(stream['runtime_median'])}, sigma {stream['runtime_sigma']:g}; "
            f"offered load {stream['offered_load']:.2f} of {stream['cores']:.0f} cores; {who})")


def header(run: ReplayRun) -> str:
    first, last = (clock.format_time(t, clock.DAY_FORMAT) for t in (run.times[0], run.times[-1]))
    return (f"{run.store}: {len(run.paths)} snapshots, {first} to {last}; "
            f"{stream_text(run.stream)}; {run.negotiator} negotiator, cycle {run.cycle:g} s; "
            f"{run.cycles} cycles in {seconds(run.elapsed)}")


def replay_table(records, by: bool = False, per: str = "profile") -> str:
    head = {"profile": COLUMNS[:1], "submitter": (SUBMITTER, PRIORITY),
            "both": (COLUMNS[0], SUBMITTER)}[per]
    columns = head + ((PERIOD,) if by else ()) + COLUMNS[1:]
    return grid(records, columns, _cell)

"""The table of ``tribes replay``: its header line, then one row per profile (and period)."""

from __future__ import annotations

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
)


def _cell(key, value) -> str:
    if key == "never_started":
        return percent(value)
    if key.endswith("_s"):
        return duration(value)
    if key == "mean_slowdown":
        return "-" if value is None else f"{value:.2f}"
    return str(value)


def stream_text(stream: dict) -> str:
    """The job stream in words."""
    if stream["kind"] == "trace":
        text = f"trace {stream['path']} ({stream['jobs']} jobs"
        return text + (f"; left out: {', '.join(stream['left_out'])})" if stream["left_out"]
                       else ")")
    return (f"{stream['jobs']} synthetic jobs (lognormal runtimes, median "
            f"{duration(stream['runtime_median'])}, sigma {stream['runtime_sigma']:g}; "
            f"offered load {stream['offered_load']:.2f} of {stream['cores']:.0f} cores)")


def header(run: ReplayRun) -> str:
    first, last = (clock.format_time(t, clock.DAY_FORMAT) for t in (run.times[0], run.times[-1]))
    return (f"{run.store}: {len(run.paths)} snapshots, {first} to {last}; "
            f"{stream_text(run.stream)}; cycle {run.cycle:g} s; {run.cycles} cycles "
            f"in {seconds(run.elapsed)}")


def columns(by: bool = False):
    """The table's columns (record key, title, alignment); the keys of --format csv and json."""
    return COLUMNS[:1] + (("period", "submitted", "<"),) + COLUMNS[1:] if by else COLUMNS


def replay_table(records, by: bool = False) -> str:
    return grid(records, columns(by), _cell)

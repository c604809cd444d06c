"""The replay's event loop: snapshots taking effect, arrivals, negotiation cycles.

``replay`` walks time in negotiation cycles, skipping those in which nothing
can change, and returns a ``ReplayResult``. ``negotiator="fairshare"`` (the
default) runs ``fairshare.FairShareEngine`` with ``knobs``; ``"fifo"`` the
single oldest-first queue of ``negotiator.Engine``.
"""

from __future__ import annotations

import heapq
import math
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

import numpy as np

from simulator.analyses.replay.fairshare import FairShareEngine
from simulator.analyses.replay.jobs import JobProfile, Jobs, ReplayError
from simulator.analyses.replay.knobs import DEFAULT_NEGOTIATOR, NEGOTIATORS, NegotiatorKnobs
from simulator.analyses.replay.ledger import IDLE, RUNNING
from simulator.analyses.replay.negotiator import Engine, Matcher, default_matcher
from simulator.analyses.replay.result import ReplayResult
from simulator.model.snapshot import Snapshot

DEFAULT_CYCLE = 60  # seconds; HTCondor's NEGOTIATOR_INTERVAL
SnapshotLike = Union[Snapshot, str, Path]


def snapshot_time(item: SnapshotLike) -> int:
    """The capture time of a snapshot, or of a store file from its name (without reading it)."""
    if isinstance(item, Snapshot):
        return int(item.time)
    from simulator.io import store

    try:
        return store.filename_time(item)
    except ValueError:
        return int(store.load(item).time)


def _load(item: SnapshotLike) -> Snapshot:
    if isinstance(item, Snapshot):
        return item
    from simulator.io import store

    return store.load(item)


def replay(
    snapshots: Sequence[SnapshotLike],
    profiles: Sequence[JobProfile],
    jobs: Jobs,
    *,
    cycle: float = DEFAULT_CYCLE,
    horizon: Optional[float] = None,
    matcher: Optional[Matcher] = None,
    seed: int = 0,
    on_snapshot: Optional[Callable[[], None]] = None,
    negotiator: str = DEFAULT_NEGOTIATOR,
    knobs: Optional[NegotiatorKnobs] = None,
) -> ReplayResult:
    """Replay ``jobs`` (times relative to the first snapshot) over ``snapshots``.

    Snapshot i is the pool from its capture time until the next one's; the
    last one lasts as long as the spacing before it (a day if there is only
    one), unless ``horizon`` (seconds) says otherwise. Jobs still running at
    the horizon are not finished; jobs submitted after it are left out.
    ``on_snapshot()`` is called as each snapshot takes effect (a progress bar's step).
    """
    if not snapshots:
        raise ReplayError("no snapshots to replay over")
    if cycle <= 0:
        raise ReplayError(f"the negotiation cycle must be positive, not {cycle}")
    if negotiator not in NEGOTIATORS:
        raise ReplayError(f"--negotiator {negotiator}: give one of {', '.join(NEGOTIATORS)}")
    if len(jobs) and (jobs.profile.max() >= len(profiles) or jobs.profile.min() < 0):
        raise ReplayError("a job names a profile that is not given")
    times = np.array([snapshot_time(s) for s in snapshots], dtype=float)
    order = np.argsort(times, kind="stable")
    snapshots = [snapshots[i] for i in order]
    offsets = times[order] - times[order][0]
    if horizon is None:
        spacing = offsets[-1] - offsets[-2] if len(offsets) > 1 else 86400.0
        horizon = offsets[-1] + (spacing if spacing > 0 else 86400.0)
    jobs = jobs.subset(jobs.submit < horizon)
    if negotiator == "fairshare":
        return _fairshare(snapshots, offsets, profiles, jobs, cycle=cycle, horizon=horizon,
                          matcher=matcher or default_matcher(), seed=seed,
                          knobs=knobs or NegotiatorKnobs(), origin=int(times[order][0]))
    engine = Engine(profiles, jobs, matcher or default_matcher(), seed)

    submit = jobs.submit
    n_jobs, arrived, next_snapshot, cycles = len(jobs), 0, 0, 0
    k = 0
    while True:
        now = k * cycle
        if now >= horizon:
            break
        while next_snapshot < len(snapshots) and offsets[next_snapshot] <= now:
            engine.release_until(now)
            engine.use(_load(snapshots[next_snapshot]), now)
            next_snapshot += 1
            if on_snapshot is not None:
                on_snapshot()
        engine.release_until(now)
        while arrived < n_jobs and submit[arrived] <= now:
            j = arrived
            engine.state[j] = IDLE
            heapq.heappush(engine.queues[jobs.profile[j]], (submit[j], j))
            arrived += 1
        engine.negotiate(now)
        cycles += 1
        upcoming = []
        if engine.finishing:
            upcoming.append(engine.finishing[0][0])
        if arrived < n_jobs:
            upcoming.append(submit[arrived])
        if next_snapshot < len(snapshots):
            upcoming.append(offsets[next_snapshot])
        if not upcoming:
            break
        k = max(k + 1, int(math.ceil(min(upcoming) / cycle)))
    engine.release_until(horizon)
    engine.close(horizon)
    return _result(engine, profiles, jobs, horizon, cycles, int(times[order][0]), "fifo")


def _result(engine, profiles, jobs: Jobs, horizon: float, cycles: int, origin: int,
            negotiator: str, priorities=None) -> ReplayResult:
    finish = np.where(engine.finish <= horizon, engine.finish, np.nan)
    start = np.where(engine.state >= RUNNING, engine.start, np.nan)
    return ReplayResult(
        profiles=[p.name for p in profiles],
        jobs=jobs,
        start=start,
        first_start=engine.first_start,
        finish=finish,
        evictions=engine.evictions,
        horizon=float(horizon),
        cycles=cycles,
        origin=origin,
        used_core_s=engine.used_core_s,
        lost_core_s=engine.lost_core_s,
        pool_core_s=float(engine.pool_core_s),
        priorities=priorities,
        negotiator=negotiator,
    )


class _Arrivals:
    """The job stream in submission order, consumed as time passes."""

    def __init__(self, submit: np.ndarray):
        self.submit = submit
        self.next = 0

    def peek(self) -> float:
        return float(self.submit[self.next]) if self.next < len(self.submit) else math.inf

    def pop(self) -> int:
        self.next += 1
        return self.next - 1


def _fairshare(snapshots, offsets, profiles, jobs: Jobs, *, cycle, horizon, matcher, seed,
               knobs, origin) -> ReplayResult:
    engine = FairShareEngine(profiles, jobs, matcher, seed, knobs, cycle, horizon, origin)
    arrivals = _Arrivals(jobs.submit)
    next_snapshot, cycles, k = 0, 0, 0
    while True:
        now = k * cycle
        if now >= horizon:
            break
        while next_snapshot < len(snapshots) and offsets[next_snapshot] <= now:
            engine.events_until(now, arrivals)
            until = offsets[next_snapshot + 1] if next_snapshot + 1 < len(snapshots) else horizon
            engine.use(_load(snapshots[next_snapshot]), now, float(offsets[next_snapshot]),
                       float(min(until, horizon)))
            next_snapshot += 1
        engine.events_until(now, arrivals)
        engine.negotiate(now)
        cycles += 1
        if engine.stalled:
            k += 1
            continue
        upcoming = [arrivals.peek()]
        if engine.finishing:
            upcoming.append(engine.finishing[0][0])
        if engine.timers:
            upcoming.append(engine.timers[0][0])
        if next_snapshot < len(snapshots):
            upcoming.append(offsets[next_snapshot])
        soonest = min(upcoming)
        if not math.isfinite(soonest):
            break
        k = max(k + 1, int(math.ceil(soonest / cycle)))
    engine.events_until(horizon, arrivals)
    engine.close(horizon)
    priorities = dict(zip(jobs.user_names, (round(float(x), 3)
                                            for x in engine.acct.effective()), strict=True))
    return _result(engine, profiles, jobs, horizon, cycles, origin, "fairshare", priorities)

"""Queue replay: what match rates cost in wait time, over a series of snapshots.

A discrete-event simulation of the negotiator. Every ``cycle`` seconds (60 s,
HTCondor's default NEGOTIATOR_INTERVAL) the idle jobs, oldest first, are
matched to free slots that match them. Matching is exact: per snapshot and
profile, one boolean mask from HTCondor's own ``symmetricMatch`` (the fast
slot-class path when installed), computed once and reused for every cycle of
that snapshot. A static slot holds one job; a partitionable slot is carved
into RequestCpus and RequestMemory until it runs out. A job holds its slot
for its runtime. When the next snapshot takes effect, the slots that are gone
from it (their machine left the pool) evict their jobs, which go back to the
queue in their original order and start over; a job whose machine stays but
changes tribe keeps running (the negotiator does not re-check a running
job's Requirements). The replay starts with an empty pool: what the
snapshots say is running is not carried over.

Cycles in which nothing can change (no arrival, no slot freed, no new
snapshot) are skipped, and a profile that found no slot stays asleep until a
slot that matches it frees up, so the cost grows with jobs, not with time.

Per profile: ``jobs``, ``finished``, ``never_started`` (the share of jobs that
never started), ``mean_wait_s``, ``median_wait_s``, ``p95_wait_s`` (submit to
the start of the job's last run, over the jobs that started) and
``mean_slowdown`` ((finish - submit) / max(runtime, 10 s), over finished jobs:
the bounded slowdown of the parallel-workloads literature).

>>> result = replay(snapshots, profiles, synthetic_jobs(...))   # doctest: +SKIP
>>> result.summary()                                            # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from simulator.condor import ClassAd, ExprTree
from simulator.exceptions import TribesError
from simulator.snapshot import Snapshot

DEFAULT_CYCLE = 60  # seconds; HTCondor's NEGOTIATOR_INTERVAL
DEFAULT_LOAD = 0.7
DEFAULT_RUNTIME_MEDIAN = 4 * 3600
DEFAULT_RUNTIME_SIGMA = 1.0
SLOWDOWN_BOUND = 10.0  # seconds
RECORD_KEYS = ("profile", "jobs", "finished", "never_started", "mean_wait_s", "median_wait_s",
               "p95_wait_s", "mean_slowdown")

_PENDING, _IDLE, _RUNNING, _DONE = 0, 1, 2, 3

Matcher = Callable[[Snapshot, ClassAd], np.ndarray]
SnapshotLike = Union[Snapshot, str, Path]


class ReplayError(TribesError, ValueError):
    """The replay cannot run as asked (no snapshots, unknown profile, bad option)."""


@dataclasses.dataclass
class JobProfile:
    """What the replay needs of a profile: its job ad and what one job requests."""

    name: str
    job: ClassAd
    cpus: int = 1
    memory: float = 0.0

    @classmethod
    def from_job(cls, name: str, job: ClassAd) -> JobProfile:
        return cls(name, job, max(1, int(_number(job, "RequestCpus", 1))),
                   float(_number(job, "RequestMemory", 0)))


def _number(job: ClassAd, attr: str, default):
    try:
        value = job.eval(attr) if attr in job else default
    except Exception:  # an expression that cannot evaluate outside a match
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return value


@dataclasses.dataclass
class Jobs:
    """A job stream: submit time (seconds from the replay's start), runtime (s), profile index."""

    submit: np.ndarray
    runtime: np.ndarray
    profile: np.ndarray

    def __post_init__(self):
        order = np.argsort(self.submit, kind="stable")
        self.submit = np.asarray(self.submit, dtype=float)[order]
        self.runtime = np.asarray(self.runtime, dtype=float)[order]
        self.profile = np.asarray(self.profile, dtype=np.int64)[order]

    def __len__(self) -> int:
        return len(self.submit)


def synthetic_jobs(
    n_profiles: int,
    *,
    horizon: float,
    jobs: Optional[int] = None,
    rate_per_hour: Optional[float] = None,
    runtime_median: float = DEFAULT_RUNTIME_MEDIAN,
    runtime_sigma: float = DEFAULT_RUNTIME_SIGMA,
    weights: Optional[Sequence[float]] = None,
    seed: int = 0,
) -> Jobs:
    """Poisson arrivals over ``[0, horizon)``, lognormal runtimes, profiles drawn by ``weights``.

    Give the number of ``jobs`` or the arrival ``rate_per_hour``.
    """
    rng = np.random.default_rng(seed)
    if jobs is None:
        if rate_per_hour is None:
            raise ReplayError("give a number of jobs or an arrival rate")
        jobs = int(rng.poisson(rate_per_hour * horizon / 3600.0))
    weights = np.ones(n_profiles) if weights is None else np.asarray(weights, dtype=float)
    if len(weights) != n_profiles or weights.sum() <= 0 or (weights < 0).any():
        raise ReplayError("profile weights must be non-negative, one per profile, not all zero")
    submit = np.sort(rng.uniform(0.0, horizon, jobs))
    runtime = np.maximum(1.0, rng.lognormal(math.log(runtime_median), runtime_sigma, jobs))
    profile = rng.choice(n_profiles, size=jobs, p=weights / weights.sum())
    return Jobs(submit, np.round(runtime), profile)


def jobs_for_load(cores: float, horizon: float, *, load: float = DEFAULT_LOAD,
                  runtime_median: float = DEFAULT_RUNTIME_MEDIAN,
                  runtime_sigma: float = DEFAULT_RUNTIME_SIGMA, cpus_per_job: float = 1.0) -> int:
    """How many jobs keep ``cores`` busy at ``load`` (0..1) on average over ``horizon``."""
    mean_runtime = runtime_median * math.exp(runtime_sigma ** 2 / 2)
    return max(1, int(round(load * cores * horizon / (mean_runtime * cpus_per_job))))


# --------------------------------------------------------------------------- snapshots


def snapshot_time(item: SnapshotLike) -> int:
    """The capture time of a snapshot, or of a store file from its name (without reading it)."""
    if isinstance(item, Snapshot):
        return int(item.time)
    import calendar
    import time as _time

    stem = Path(item).name
    try:
        return calendar.timegm(_time.strptime(stem, "snapshot-%Y%m%dT%H%M%SZ.parquet"))
    except ValueError:
        from simulator import store

        return int(store.load(item).time)


def _load(item: SnapshotLike) -> Snapshot:
    if isinstance(item, Snapshot):
        return item
    from simulator import store

    return store.load(item)


def default_matcher() -> Matcher:
    try:
        from simulator.slot_classes import fast_match
    except ImportError:  # pragma: no cover - the fast path ships with the package
        from simulator.match import plain_match

        return plain_match
    return fast_match


def _at_capture_time(job: ClassAd, when: int) -> ClassAd:
    try:
        from simulator.simulation import at_capture_time
    except ImportError:  # pragma: no cover
        return job
    return at_capture_time(job, when)


def capacity(snapshot: Snapshot):
    """Per slot: (is partitionable, cores, memory MB, is dynamic).

    A partitionable slot offers its whole size (``TotalSlotCpus``/``Memory``
    where published, else its own plus its dynamic slots'): the replay carves
    it itself, so dynamic slots count for nothing.
    """
    partitionable, dynamic, whole = _whole_sizes(snapshot)
    cpus = np.nan_to_num(whole["cpus"], nan=1.0)
    memory = np.nan_to_num(whole["memory"], nan=0.0)
    cpus[dynamic] = 0
    memory[dynamic] = 0
    return partitionable, cpus, memory, dynamic


_SIZES = (("cpus", "totalslotcpus"), ("memory", "totalslotmemory"), ("disk", "totalslotdisk"))


def _whole_sizes(snapshot: Snapshot):
    """(partitionable, dynamic, {size column: values with the dynamic slots given back})."""
    ads = snapshot.ads
    n = len(ads)

    def flag(col):
        if col not in ads.columns:
            return np.zeros(n, dtype=bool)
        return (ads[col] == "true").to_numpy(dtype=bool, copy=True)

    def numbers(col):
        if col not in ads.columns:
            return np.full(n, np.nan)
        return np.array([v if isinstance(v, (int, float)) and not isinstance(v, bool) else np.nan
                         for v in snapshot.values(col)], dtype=float)

    partitionable = flag("partitionableslot")
    dynamic = flag("dynamicslot")
    if "slottype" in ads.columns:
        dynamic |= (ads["slottype"] == '"Dynamic"').to_numpy(dtype=bool)
    owner = None
    if partitionable.any() and dynamic.any() and "name" in ads.columns:
        # slot1_3@host is a piece of slot1@host.
        parents = ads["name"][dynamic].str.replace(r"_\d+@", "@", regex=True)
        owner = pd.Index(ads["name"]).get_indexer(parents)
    whole = {}
    for col, total_col in _SIZES:
        values = numbers(col)
        if partitionable.any():
            if owner is not None:
                known = owner >= 0
                np.add.at(values, owner[known], np.nan_to_num(values[dynamic][known]))
            total = numbers(total_col)
            values = np.where(partitionable & ~np.isnan(total), total, values)
        whole[col] = values
    return partitionable, dynamic, whole


def empty_pool(snapshot: Snapshot) -> Snapshot:
    """The snapshot as it would be with no job running: partitionable slots whole again.

    A captured partitionable slot shows only what its dynamic slots left
    (``Cpus = 0`` when it is full, which its own ``WithinResourceLimits``
    then refuses); the replay starts empty, so it matches against the whole
    slot. Other slots are unchanged.
    """
    partitionable, _, whole = _whole_sizes(snapshot)
    if not partitionable.any():
        return snapshot
    ads = snapshot.ads.copy()
    rows = np.flatnonzero(partitionable)
    for col, _ in _SIZES:
        if col not in ads.columns:
            continue
        cells = ads[col].to_numpy(dtype=object, copy=True)
        for i in rows:
            value = whole[col][i]
            if np.isnan(value):
                continue
            cells[i] = str(int(value)) if float(value).is_integer() else str(ExprTree(repr(value)))
        ads[col] = cells
    return dataclasses.replace(snapshot, ads=ads)


def slot_keys(snapshot: Snapshot) -> np.ndarray:
    """A slot's identity across snapshots: its ``Name`` (else its row)."""
    ads = snapshot.ads
    if "name" in ads.columns and ads["name"].notna().all() and ads["name"].is_unique:
        return ads["name"].to_numpy(dtype=object)
    return np.array([f"#{i}" for i in range(len(ads))], dtype=object)


# --------------------------------------------------------------------------- the engine


@dataclasses.dataclass
class ReplayResult:
    profiles: List[str]
    jobs: Jobs
    start: np.ndarray
    first_start: np.ndarray
    finish: np.ndarray
    evictions: np.ndarray
    horizon: float
    cycles: int
    origin: int = 0

    def records(self, by: Optional[float] = None) -> List[dict]:
        """One record per profile, keys as ``RECORD_KEYS`` (plus ``evictions``).

        With ``by`` (seconds, e.g. 7 * 86400), one record per profile and
        period of submission, with ``period`` (the period's first day, as of
        ``origin``): how waits change as the pool changes.
        """
        out = []
        if by:
            period = (self.jobs.submit // by).astype(np.int64)
            periods = range(int(period.max()) + 1 if len(period) else 0)
        for p, name in enumerate(self.profiles):
            mine = self.jobs.profile == p
            if not by:
                out.append({"profile": name, **self._stats(mine)})
                continue
            for k in periods:
                day = _iso_day(self.origin + k * by)
                out.append({"profile": name, "period": day, **self._stats(mine & (period == k))})
        return out

    def _stats(self, mine: np.ndarray) -> dict:
        n = int(mine.sum())
        started = mine & ~np.isnan(self.start)
        done = mine & ~np.isnan(self.finish)
        waits = (self.start - self.jobs.submit)[started]
        slow = ((self.finish - self.jobs.submit)[done]
                / np.maximum(self.jobs.runtime[done], SLOWDOWN_BOUND))
        return {
            "jobs": n,
            "finished": int(done.sum()),
            "never_started": float((mine & np.isnan(self.first_start)).sum() / n) if n else 0.0,
            "mean_wait_s": _stat(np.mean, waits),
            "median_wait_s": _stat(np.median, waits),
            "p95_wait_s": _stat(lambda w: np.percentile(w, 95), waits),
            "mean_slowdown": _stat(np.mean, slow),
            "evictions": int(self.evictions[mine].sum()),
        }

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.records())


def _iso_day(epoch: float) -> str:
    import time as _time

    return _time.strftime("%Y-%m-%d", _time.gmtime(int(epoch)))


def _stat(func, values):
    return float(round(float(func(values)), 3)) if len(values) else None


class _Engine:
    def __init__(self, profiles: Sequence[JobProfile], jobs: Jobs, matcher: Matcher, seed: int):
        self.profiles = list(profiles)
        self.jobs = jobs
        self.matcher = matcher
        self.seed = seed
        n = len(jobs)
        self.state = np.zeros(n, dtype=np.int8)
        self.start = np.full(n, np.nan)
        self.first_start = np.full(n, np.nan)
        self.finish = np.full(n, np.nan)
        self.slot = np.full(n, -1, dtype=np.int64)
        self.runs = np.zeros(n, dtype=np.int64)
        self.evictions = np.zeros(n, dtype=np.int64)
        self.took_cpus = np.zeros(n)
        self.took_mem = np.zeros(n)
        self.finishing: List[tuple] = []  # heap of (finish time, job, run number)
        self.queues: List[List[tuple]] = [[] for _ in self.profiles]  # heaps of (submit, job)
        self.asleep = [False] * len(self.profiles)
        self.released: List[int] = []
        self.switched = True
        self.rc = np.array([p.cpus for p in self.profiles], dtype=float)
        self.rm = np.array([p.memory for p in self.profiles], dtype=float)
        self.keys = np.zeros(0, dtype=object)

    # -- snapshots ----------------------------------------------------------

    def use(self, snapshot: Snapshot, now: float):
        """Make ``snapshot`` the pool: new slot arrays and masks; evict from vanished slots."""
        keys = slot_keys(snapshot)
        # Slots are tried in one fixed pseudo-random order per name, the same every day.
        order = np.argsort(pd.util.hash_array(keys.astype(str), hash_key=_hash_key(self.seed)),
                           kind="stable")
        keys = keys[order]
        partitionable, cpus, memory, dynamic = capacity(snapshot)
        self.partitionable = partitionable[order]
        self.cap_cpus = cpus[order]
        self.cap_mem = memory[order]
        empty = empty_pool(snapshot)
        masks = []
        for profile in self.profiles:
            job = _at_capture_time(profile.job, snapshot.time)
            mask = np.asarray(self.matcher(empty, job), dtype=bool)
            masks.append((mask & ~dynamic)[order])
        self.masks = masks

        running = np.flatnonzero(self.state == _RUNNING)
        if len(self.keys):
            new_index = pd.Index(keys).get_indexer(self.keys[self.slot[running]])
        else:
            new_index = np.full(len(running), -1)
        for j in running[new_index < 0]:
            self._evict(j)
        kept, where = running[new_index >= 0], new_index[new_index >= 0]
        self.keys = keys
        self.slot[kept] = where
        static = ~self.partitionable
        self.free_cpus = np.where(static, np.inf, self.cap_cpus)
        self.free_mem = np.where(static, np.inf, self.cap_mem)
        for j, s in np.column_stack([kept, where]).tolist():
            if static[s]:
                self.free_cpus[s] = self.free_mem[s] = 0.0
            else:
                self.free_cpus[s] -= self.took_cpus[j]
                self.free_mem[s] -= self.took_mem[j]
        # A partitionable slot that shrank below what runs on it loses those jobs.
        short = np.flatnonzero((self.free_cpus < 0) | (self.free_mem < 0))
        if len(short):
            for j in kept[np.isin(where, short)]:
                self._evict(j)
            self.free_cpus[short] = self.cap_cpus[short]
            self.free_mem[short] = self.cap_mem[short]
        self.switched = True

    def _evict(self, j: int):
        self.state[j] = _IDLE
        self.runs[j] += 1
        self.evictions[j] += 1
        self.slot[j] = -1
        heapq.heappush(self.queues[self.jobs.profile[j]], (self.jobs.submit[j], int(j)))

    # -- events -------------------------------------------------------------

    def release_until(self, now: float):
        heap = self.finishing
        while heap and heap[0][0] <= now:
            when, j, run = heapq.heappop(heap)
            if self.runs[j] != run or self.state[j] != _RUNNING:
                continue  # evicted since it started
            self.state[j] = _DONE
            self.finish[j] = when
            s = self.slot[j]
            if self.partitionable[s]:
                self.free_cpus[s] += self.took_cpus[j]
                self.free_mem[s] += self.took_mem[j]
            else:
                self.free_cpus[s] = self.free_mem[s] = np.inf
            self.released.append(s)

    def negotiate(self, now: float):
        """One negotiation cycle: start idle jobs, oldest first, on free matching slots."""
        released = np.array(self.released, dtype=np.int64)
        candidates: Dict[int, np.ndarray] = {}
        pointer: Dict[int, int] = {}
        for p, queue in enumerate(self.queues):
            if not queue:
                continue
            # Asleep since it last found nothing: only a freed slot it matches wakes it.
            woken = len(released) and self.masks[p][released].any()
            if self.asleep[p] and not self.switched and not woken:
                continue
            fits = self.masks[p] & (self.free_cpus >= self.rc[p]) & (self.free_mem >= self.rm[p])
            candidates[p] = np.flatnonzero(fits)
            pointer[p] = 0
            self.asleep[p] = False
        self.released = []
        self.switched = False
        active = [p for p in candidates if len(candidates[p])]
        for p in candidates:
            if not len(candidates[p]):
                self.asleep[p] = True
        free_cpus, free_mem, partitionable = self.free_cpus, self.free_mem, self.partitionable
        while active:
            p = min(active, key=lambda q: self.queues[q][0])
            rc, rm = self.rc[p], self.rm[p]
            slots, i = candidates[p], pointer[p]
            while i < len(slots) and not (free_cpus[slots[i]] >= rc and free_mem[slots[i]] >= rm):
                i += 1
            if i == len(slots):
                self.asleep[p] = True
                active.remove(p)
                continue
            pointer[p] = i
            s = int(slots[i])
            _, j = heapq.heappop(self.queues[p])
            if partitionable[s]:
                self.took_cpus[j], self.took_mem[j] = rc, rm
                free_cpus[s] -= rc
                free_mem[s] -= rm
            else:
                free_cpus[s] = free_mem[s] = 0.0
            self.state[j] = _RUNNING
            self.slot[j] = s
            self.start[j] = now
            if np.isnan(self.first_start[j]):
                self.first_start[j] = now
            heapq.heappush(self.finishing, (now + self.jobs.runtime[j], j, int(self.runs[j])))
            if not self.queues[p]:
                active.remove(p)


def _hash_key(seed: int) -> str:
    return f"{seed:016d}"[-16:]


def replay(
    snapshots: Sequence[SnapshotLike],
    profiles: Sequence[JobProfile],
    jobs: Jobs,
    *,
    cycle: float = DEFAULT_CYCLE,
    horizon: Optional[float] = None,
    matcher: Optional[Matcher] = None,
    seed: int = 0,
) -> ReplayResult:
    """Replay ``jobs`` (times relative to the first snapshot) over ``snapshots``.

    Snapshot i is the pool from its capture time until the next one's; the
    last one lasts as long as the spacing before it (a day if there is only
    one), unless ``horizon`` (seconds) says otherwise. Jobs still running at
    the horizon are not finished; jobs submitted after it are left out.
    """
    if not snapshots:
        raise ReplayError("no snapshots to replay over")
    if cycle <= 0:
        raise ReplayError(f"the negotiation cycle must be positive, not {cycle}")
    if len(jobs) and (jobs.profile.max() >= len(profiles) or jobs.profile.min() < 0):
        raise ReplayError("a job names a profile that is not given")
    times = np.array([snapshot_time(s) for s in snapshots], dtype=float)
    order = np.argsort(times, kind="stable")
    snapshots = [snapshots[i] for i in order]
    offsets = times[order] - times[order][0]
    if horizon is None:
        spacing = offsets[-1] - offsets[-2] if len(offsets) > 1 else 86400.0
        horizon = offsets[-1] + (spacing if spacing > 0 else 86400.0)
    keep = jobs.submit < horizon
    jobs = Jobs(jobs.submit[keep], jobs.runtime[keep], jobs.profile[keep])
    engine = _Engine(profiles, jobs, matcher or default_matcher(), seed)

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
        engine.release_until(now)
        while arrived < n_jobs and submit[arrived] <= now:
            j = arrived
            engine.state[j] = _IDLE
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
    finish = np.where(engine.finish <= horizon, engine.finish, np.nan)
    start = np.where(engine.state >= _RUNNING, engine.start, np.nan)
    return ReplayResult(
        profiles=[p.name for p in profiles],
        jobs=jobs,
        start=start,
        first_start=engine.first_start,
        finish=finish,
        evictions=engine.evictions,
        horizon=float(horizon),
        cycles=cycles,
        origin=int(times[order][0]),
    )

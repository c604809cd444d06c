"""``replay_store``: a whole queue replay over a store, as one call (``tribes replay``).

It builds the profiles (as ``simulate`` does), the job stream (synthetic, sized to a load,
or an SWF trace) and replays it over the store's snapshots.

>>> run = replay_store(store_folder, profiles=["opsys", "kernel"])  # doctest: +SKIP
>>> run.result.records()                                          # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import List, Optional, Sequence

from simulator.analyses.progress import bar as progress_bar
from simulator.analyses.replay import trace as tr
from simulator.analyses.replay.jobs import (
    DEFAULT_HEAVY_SHARE,
    DEFAULT_LOAD,
    DEFAULT_RUNTIME_MEDIAN,
    DEFAULT_RUNTIME_SIGMA,
    DEFAULT_USERS,
    MAX_SEED,
    JobProfile,
    Jobs,
    check_stream,
    jobs_for_load,
    synthetic_jobs,
)
from simulator.analyses.replay.knobs import DEFAULT_NEGOTIATOR, NegotiatorKnobs
from simulator.analyses.replay.result import ReplayResult
from simulator.analyses.replay.run import replay, snapshot_time
from simulator.analyses.replay.slots import capacity
from simulator.analyses.simulation import store_files
from simulator.io import store
from simulator.jobs import choose_profiles
from simulator.model.errors import TribesError, in_range, range_text

# A pool whose default stream would pass this many jobs gets longer jobs instead.
MAX_DEFAULT_JOBS = 100_000


@dataclasses.dataclass
class ReplayRun:
    """A replay's result and what it ran: the store's files and times, the job stream."""

    results: List[ReplayResult]  # one, or one per profile replayed alone
    store: str
    paths: List[Path]
    times: List[int]
    stream: dict  # what the job stream was: synthetic (its size and load) or a trace
    cycle: float
    elapsed: float
    warnings: List[str]
    negotiator: str = DEFAULT_NEGOTIATOR
    knobs: Optional[NegotiatorKnobs] = None

    @property
    def cycles(self) -> int:
        return sum(r.cycles for r in self.results)

    @property
    def result(self) -> ReplayResult:
        """The one result of a replay whose profiles shared the stream."""
        return self.results[0]

    def records(self, by: Optional[float] = None, per: str = "profile") -> List[dict]:
        """One record per profile, submitter or both (``per``), and period of ``by`` seconds."""
        return [record for result in self.results
                for record in result.records(by=by, per=per)]


def weights_for(spec: Optional[str], names: Sequence[str]) -> Optional[List[float]]:
    """Profile weights in profile order from a ``NAME=WEIGHT,…`` mix (``None``: equal shares)."""
    if not spec:
        return None
    weights = dict.fromkeys(names, 0.0)
    for item in spec.split(","):
        name, eq, value = item.partition("=")
        name = name.strip()
        if name not in weights or not eq:
            raise TribesError(f"--mix {spec!r}: {item!r} is not NAME=WEIGHT with a NAME among "
                              f"{', '.join(names)}")
        try:
            weights[name] = float(value)
        except ValueError:
            raise TribesError(f"--mix {spec!r}: {value!r} is not a number") from None
        try:
            in_range("--mix", weights[name], 0)
        except TribesError:
            raise TribesError(f"--mix {name}={value.strip()}: give {range_text(0)} (a weight)"
                              ) from None
    return [weights[n] for n in names]


def _trace_stream(path, names, rule, horizon):
    trace = tr.read_swf(path)
    which = tr.assign_profiles(trace, names, rule)
    user, user_names = tr.submitters(trace)
    jobs = Jobs(trace.submit, trace.runtime, which, user, user_names)
    late = int((trace.submit >= horizon).sum())
    notes = [f"{trace.skipped} without a run time"] if trace.skipped else []
    notes += [f"{late} submitted after the last day"] if late else []
    return jobs, {"kind": "trace", "path": str(path), "jobs": len(trace), "left_out": notes,
                  "users": len(user_names)}


def _synthetic_stream(first, profiles, horizon, *, count, rate, load, median, sigma, mix, seed,
                      streams, users, heavy_users, heavy_share):
    given = median is not None  # 0 is a value (and an error), not a default
    median = median if given else DEFAULT_RUNTIME_MEDIAN
    sigma = DEFAULT_RUNTIME_SIGMA if sigma is None else sigma
    check_stream(jobs=count, rate=rate, horizon=horizon, runtime_median=median,
                 runtime_sigma=sigma, seed=seed, load=load)
    _, cpus, _, _ = capacity(first)
    per_job = sum(p.cpus for p in profiles) / len(profiles)
    if count is None and rate is None:
        load = DEFAULT_LOAD if load is None else load
        count = jobs_for_load(cpus.sum(), horizon, load=load, runtime_median=median,
                              runtime_sigma=sigma, cpus_per_job=per_job)
        if count > MAX_DEFAULT_JOBS and not given:
            # A big pool gets longer jobs rather than millions of them.
            median *= count / MAX_DEFAULT_JOBS
            count = MAX_DEFAULT_JOBS
    weights = weights_for(mix, [p.name for p in profiles])  # checked even if unused
    jobs = synthetic_jobs(streams, horizon=horizon, jobs=count, rate_per_hour=rate,
                          runtime_median=median, runtime_sigma=sigma,
                          weights=weights if streams > 1 else None, seed=seed,
                          users=users, heavy_users=heavy_users, heavy_share=heavy_share)
    offered = (jobs.runtime.sum() * per_job / (cpus.sum() * horizon)) if cpus.sum() else 0
    return jobs, {"kind": "synthetic", "jobs": len(jobs), "runtime_median": float(median),
                  "runtime_sigma": float(sigma), "offered_load": float(offered),
                  "cores": float(cpus.sum()), "users": len(jobs.user_names),
                  "heavy_share": float(heavy_share)}


def replay_store(store_folder, *, profiles: Optional[Sequence[str]] = None,
                 requirements: Sequence[str] = (), template="plain",
                 reference: Optional[str] = None, jobs: Optional[int] = None,
                 rate: Optional[float] = None, load: Optional[float] = None,
                 runtime_median: Optional[float] = None, runtime_sigma: Optional[float] = None,
                 mix: Optional[str] = None, trace=None,
                 profile_map: Optional[str] = None, cycle: float = 60.0,
                 seed: int = 0, alone: bool = False, submit_files: Sequence = (),
                 submit_host: Optional[str] = None,
                 condor_version: Optional[str] = None, as_written: bool = False,
                 progress: bool = False, negotiator: str = DEFAULT_NEGOTIATOR,
                 knobs: Optional[NegotiatorKnobs] = None, users: int = DEFAULT_USERS,
                 heavy_users: Optional[int] = None,
                 heavy_share: float = DEFAULT_HEAVY_SHARE) -> ReplayRun:
    """Replay a job stream over the snapshots of ``store_folder``, one profile per way of
    writing Requirements (the ladder by default).

    The profiles share the stream (each job drawn to one of them), or with ``alone`` each
    profile gets the whole stream to itself, as if every user wrote their Requirements
    that way (a synthetic stream only). ``progress`` draws a bar on stderr, a step per
    snapshot replayed. ``knobs`` default to HTCondor's, with a scenario store's ``[reboot]``
    settings (``reboot.toml``, written by ``tribes scenario run``) in force.
    """
    in_range("--cycle", cycle, 1, 86400, unit="seconds")
    in_range("--seed", seed, 0, MAX_SEED, whole=True)
    paths = store_files(store_folder)
    first = store.load(paths[0])
    notes: List[str] = []
    chosen, _ = choose_profiles(first, profiles=profiles, requirements=requirements,
                                submit_files=submit_files, template=template,
                                reference=reference, submit_host=submit_host,
                                condor_version=condor_version, as_written=as_written,
                                notes=notes)
    job_profiles = [JobProfile.from_job(p.name, p.job) for p in chosen]
    names = [p.name for p in job_profiles]
    times = [snapshot_time(p) for p in paths]
    spacing = times[-1] - times[-2] if len(times) > 1 else 86400
    horizon = times[-1] - times[0] + (spacing or 86400)
    if trace and alone:
        raise TribesError("--alone replays a synthetic stream; a trace assigns its own profiles")
    if trace:
        stream_jobs, stream = _trace_stream(trace, names, profile_map, horizon)
    else:
        stream_jobs, stream = _synthetic_stream(
            first, job_profiles, horizon, count=jobs, rate=rate, load=load,
            median=runtime_median, sigma=runtime_sigma, mix=mix, seed=seed,
            streams=1 if alone else len(job_profiles), users=users,
            heavy_users=heavy_users, heavy_share=heavy_share)
    del first
    if knobs is None:
        knobs = store_knobs(store_folder)
    began = time.perf_counter()
    groups = [[p] for p in job_profiles] if alone else [job_profiles]
    with progress_bar(len(paths) * len(groups), progress, "tribes replay", "snapshot") as bar:
        results = [replay(paths, group, stream_jobs, cycle=cycle, horizon=horizon, seed=seed,
                          negotiator=negotiator, knobs=knobs,
                          on_snapshot=lambda: bar.update(1))
                   for group in groups]
    elapsed = time.perf_counter() - began
    return ReplayRun(results, str(store_folder), paths, times, stream, cycle, elapsed, notes,
                     negotiator, knobs)


def store_knobs(store_folder, **given) -> NegotiatorKnobs:
    """The negotiator's knobs for a replay of ``store_folder``: HTCondor's defaults, then
    the ``[reboot]`` settings a scenario left in the store, then each of ``given`` that is
    not None (the command line's overrides, named as :class:`NegotiatorKnobs` fields).

    >>> store_knobs("no-such-store", reboot_time=60, claim_worklife=None).reboot_time
    60.0
    """
    settings = store_reboot_settings(store_folder)
    settings.update((name, value) for name, value in given.items() if value is not None)
    return NegotiatorKnobs(**settings)


def store_reboot_settings(store_folder) -> dict:
    """The ``[reboot]`` settings a scenario left in its store (``reboot.toml``), as knobs."""
    from simulator.analyses.scenario import read_reboot_settings

    path = Path(store_folder) / "reboot.toml"
    return read_reboot_settings(path) if path.is_file() else {}

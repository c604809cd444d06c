"""The job stream of a replay: job profiles, and synthetic arrivals and runtimes.

A ``JobProfile`` is a job ad and what one job of it requests; ``Jobs`` is the
stream (submit time, runtime, profile index per job). ``synthetic_jobs`` draws
Poisson arrivals and lognormal runtimes; ``simulator.analyses.replay.trace`` reads a
real log instead.

>>> stream = synthetic_jobs(2, horizon=3600.0, jobs=5, seed=1)
>>> len(stream), bool((stream.submit < 3600).all())
(5, True)
"""

from __future__ import annotations

import dataclasses
import math
from typing import Optional, Sequence

import numpy as np

from simulator.model.condor import ClassAd
from simulator.model.errors import TribesError

DEFAULT_LOAD = 0.7
DEFAULT_RUNTIME_MEDIAN = 4 * 3600
DEFAULT_RUNTIME_SIGMA = 1.0


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

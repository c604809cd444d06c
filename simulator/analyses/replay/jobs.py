"""The job stream of a replay: job profiles, and synthetic arrivals, runtimes and users.

A ``JobProfile`` is a job ad and what one job of it requests; ``Jobs`` is the
stream (submit time, runtime, profile index and submitter per job).
``synthetic_jobs`` draws Poisson arrivals, lognormal runtimes and, with
``users``, the submitter of each job: a handful of heavy users submit
``heavy_share`` of the jobs between them, the many light users the rest (the
usual shape of a batch pool's users). ``simulator.analyses.replay.trace``
reads a real log instead, whose user field names the submitter.

>>> stream = synthetic_jobs(2, horizon=3600.0, jobs=5, seed=1)
>>> len(stream), bool((stream.submit < 3600).all())
(5, True)
"""

from __future__ import annotations

import dataclasses
import math
from typing import List, Optional, Sequence

import numpy as np

from simulator.model.condor import ClassAd
from simulator.model.errors import TribesError, in_range, number_text, range_text
from simulator.model.memory import available_memory, size_text

DEFAULT_LOAD = 0.7
DEFAULT_RUNTIME_MEDIAN = 4 * 3600
DEFAULT_RUNTIME_SIGMA = 1.0
DEFAULT_USERS = 20
DEFAULT_HEAVY_SHARE = 0.8

# The ranges of the stream's options (each message says its range).
MAX_RATE = 1e6  # jobs per hour
MAX_RUNTIME = 1e9  # seconds (31 years): a median, or a runtime
MAX_SIGMA = 10.0  # a lognormal's sigma; e**(10 * 4) is still a finite runtime
MAX_USERS = 100_000
MAX_SEED = 2 ** 32 - 1
# Memory a job of the stream takes over a replay, measured: the peak RSS of ``tribes replay``
# grows by about 260 bytes a job (the stream's arrays, the negotiator's per-job state, the
# records), from 0.4 to 3.2 million jobs on a one-slot store; rounded up.
BYTES_PER_JOB = 300


class ReplayError(TribesError, ValueError):
    """The replay cannot run as asked (no snapshots, unknown profile, bad option)."""


@dataclasses.dataclass
class JobProfile:
    """What the replay needs of a profile: its job ad and what one job requests."""

    name: str
    job: ClassAd
    cpus: int = 1
    memory: float = 0.0
    disk: float = 0.0  # KB, as RequestDisk
    prio: int = 0  # JobPrio: within a submitter, higher goes first

    @classmethod
    def from_job(cls, name: str, job: ClassAd) -> JobProfile:
        return cls(name, job, max(1, int(_number(job, "RequestCpus", 1))),
                   float(_number(job, "RequestMemory", 0)), float(_number(job, "RequestDisk", 0)),
                   int(_number(job, "JobPrio", 0)))


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
    """A job stream: submit time (seconds from the replay's start), runtime (s), profile index,
    and the submitter (an index into ``user_names``; one submitter ``user`` if not given)."""

    submit: np.ndarray
    runtime: np.ndarray
    profile: np.ndarray
    user: Optional[np.ndarray] = None
    user_names: Optional[List[str]] = None

    def __post_init__(self):
        order = np.argsort(self.submit, kind="stable")
        self.submit = np.asarray(self.submit, dtype=float)[order]
        self.runtime = np.asarray(self.runtime, dtype=float)[order]
        self.profile = np.asarray(self.profile, dtype=np.int64)[order]
        user = np.zeros(len(order), dtype=np.int64) if self.user is None else self.user
        self.user = np.asarray(user, dtype=np.int64)[order]
        if self.user_names is None:
            top = int(self.user.max()) + 1 if len(self.user) else 1
            self.user_names = ["user"] if top == 1 else [f"user{i}" for i in range(top)]
        self.user_names = list(self.user_names)
        if len(self.user) and (self.user.min() < 0 or self.user.max() >= len(self.user_names)):
            raise ReplayError("a job names a submitter that is not given")

    def __len__(self) -> int:
        return len(self.submit)

    def subset(self, keep: np.ndarray) -> Jobs:
        """The jobs where ``keep`` holds (same submitters)."""
        return Jobs(self.submit[keep], self.runtime[keep], self.profile[keep], self.user[keep],
                    self.user_names)


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
    users: int = 1,
    heavy_users: Optional[int] = None,
    heavy_share: float = DEFAULT_HEAVY_SHARE,
) -> Jobs:
    """Poisson arrivals over ``[0, horizon)``, lognormal runtimes, profiles drawn by ``weights``.

    Give the number of ``jobs`` or the arrival ``rate_per_hour``. With ``users``
    above one, each job's submitter is drawn independently of its profile:
    ``heavy_users`` (default: a fifth of the users, at least one) submit
    ``heavy_share`` of the jobs in equal parts, the other users the rest in
    equal parts. Submit times, runtimes and profiles are drawn first, so a
    seed gives the same jobs whatever the users.
    """
    check_stream(jobs=jobs, rate=rate_per_hour, horizon=horizon, runtime_median=runtime_median,
                 runtime_sigma=runtime_sigma, seed=seed)
    runtime_sigma = abs(runtime_sigma)  # -0.0 is in range; numpy takes only +0.0
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
    names, user_weights = user_mix(users, heavy_users, heavy_share)
    shares = np.asarray(user_weights, dtype=float)
    user = (rng.choice(len(names), size=jobs, p=shares / shares.sum()) if len(names) > 1
            else np.zeros(jobs, dtype=np.int64))
    return Jobs(submit, np.round(runtime), profile, user, names)


def user_mix(users: int, heavy_users: Optional[int] = None,
             heavy_share: float = DEFAULT_HEAVY_SHARE):
    """Submitter names and the share of jobs each submits.

    >>> user_mix(5, 1, 0.6)
    (['heavy1', 'light1', 'light2', 'light3', 'light4'], [0.6, 0.1, 0.1, 0.1, 0.1])
    """
    in_range("--users", users, 1, MAX_USERS, whole=True, cls=ReplayError)
    in_range("--heavy-share", heavy_share, 0, 1, cls=ReplayError)
    in_range("--heavy-users", heavy_users, 0, users, whole=True, cls=ReplayError,
             why=f"at most --users, {users}")
    if users == 1:
        return ["user"], [1.0]
    heavy = max(1, users // 5) if heavy_users is None else heavy_users
    light = users - heavy
    if heavy == 0 or light == 0:
        share = [1.0 / users] * users
    else:
        share = [heavy_share / heavy] * heavy + [(1 - heavy_share) / light] * light
    names = [f"heavy{i + 1}" for i in range(heavy)] + [f"light{i + 1}" for i in range(light)]
    return names, [round(x, 12) for x in share]


def jobs_for_load(cores: float, horizon: float, *, load: float = DEFAULT_LOAD,
                  runtime_median: float = DEFAULT_RUNTIME_MEDIAN,
                  runtime_sigma: float = DEFAULT_RUNTIME_SIGMA, cpus_per_job: float = 1.0) -> int:
    """How many jobs keep ``cores`` busy at ``load`` (0..1) on average over ``horizon``."""
    mean_runtime = runtime_median * math.exp(runtime_sigma ** 2 / 2)
    return max(1, int(round(load * cores * horizon / (mean_runtime * cpus_per_job))))


def check_stream(*, jobs=None, rate=None, horizon: float = 86400.0, runtime_median=None,
                 runtime_sigma=None, seed=None, load=None) -> None:
    """Refuse, up front, any option of a synthetic stream that is not a finite number in its
    range (the message says the range), and a stream too big for this machine's memory."""
    in_range("--runtime-median", runtime_median, 0, MAX_RUNTIME, low_excluded=True,
             unit="seconds", cls=ReplayError)
    in_range("--runtime-sigma", runtime_sigma, 0, MAX_SIGMA, cls=ReplayError)
    in_range("--seed", seed, 0, MAX_SEED, whole=True, cls=ReplayError)
    in_range("--load", load, 0, 10, low_excluded=True, cls=ReplayError,
             why="a share of the cores, such as 0.7")
    in_range("--rate", rate, 0, MAX_RATE, low_excluded=True, unit="per hour", cls=ReplayError)
    most = max_jobs()
    if jobs is not None:
        in_range("--jobs", jobs, 0, None, whole=True, cls=ReplayError)
        if jobs > most:
            raise _too_big("--jobs", jobs, jobs, range_text(0, most, whole=True))
    if rate is not None and rate * horizon / 3600.0 > most:
        count = int(rate * horizon / 3600.0)
        days = number_text(round(horizon / 86400.0, 1))
        high = float(f"{most * 3600.0 / horizon:.3g}")
        raise _too_big("--rate", rate, count, range_text(0, high, low_excluded=True,
                                                         unit=f"per hour over {days} days"))


def max_jobs() -> int:
    """The most jobs a replay's stream may hold: what this machine's available memory fits,
    at ``BYTES_PER_JOB``."""
    return available_memory() // BYTES_PER_JOB


def _too_big(option: str, value, count: int, valid: str) -> ReplayError:
    need = count * BYTES_PER_JOB
    return ReplayError(
        f"{option} {number_text(value)}: about {count:,} jobs would need about {size_text(need)} "
        f"of memory ({BYTES_PER_JOB} bytes a job), more than the {size_text(available_memory())} "
        f"this machine has available; give {valid}")




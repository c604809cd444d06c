"""What a replay found: per job when it started and finished, per profile and submitter
the statistics.

``ReplayResult.records()`` gives one record per profile (or per submitter, or
per profile and submitter; each optionally per period of submission) with the
keys of ``RECORD_KEYS``: waits, the share of jobs that never started, the
bounded slowdown, evictions, the core-hours of finished runs (goodput) and of
evicted runs (lost), and the share of the pool's core-hours the group held.
Per submitter, ``priority`` is its effective user priority at the end (as
``condor_userprio`` shows it; ``None`` for the FIFO model).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional

import numpy as np
import pandas as pd

from simulator.analyses.replay.jobs import Jobs
from simulator.model import clock

SLOWDOWN_BOUND = 10.0  # seconds
RECORD_KEYS = ("profile", "jobs", "finished", "never_started", "mean_wait_s", "median_wait_s",
               "p95_wait_s", "mean_slowdown", "evictions", "goodput_core_h", "lost_core_h",
               "pool_share")
GROUPINGS = ("profile", "submitter", "both")


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
    used_core_s: Optional[np.ndarray] = None  # per job, core-seconds held (all runs)
    lost_core_s: Optional[np.ndarray] = None  # per job, core-seconds of evicted runs
    pool_core_s: float = 0.0  # the pool's cores integrated over the replay
    priorities: Optional[Dict[str, float]] = None  # effective user priority at the end
    negotiator: str = "fifo"

    def records(self, by: Optional[float] = None, per: str = "profile") -> List[dict]:
        """One record per profile (``per="submitter"``: per submitter; ``"both"``: per
        profile and submitter), keys as ``RECORD_KEYS``.

        With ``by`` (seconds, e.g. 7 * 86400), one record per group and
        period of submission, with ``period`` (the period's first day, as of
        ``origin``): how waits change as the pool changes.
        """
        if per not in GROUPINGS:
            raise ValueError(f"per must be one of {', '.join(GROUPINGS)}, not {per!r}")
        groups = []
        if per in ("profile", "both"):
            for p, name in enumerate(self.profiles):
                mine = self.jobs.profile == p
                if per == "profile":
                    groups.append(({"profile": name}, mine))
                    continue
                for u, user in enumerate(self.jobs.user_names):
                    both = mine & (self.jobs.user == u)
                    if both.any():
                        groups.append(({"profile": name, "submitter": user}, both))
        else:
            for u, user in enumerate(self.jobs.user_names):
                prio = (self.priorities or {}).get(user)
                groups.append(({"submitter": user, "priority": prio}, self.jobs.user == u))
        out = []
        if by:
            period = (self.jobs.submit // by).astype(np.int64)
            periods = range(int(period.max()) + 1 if len(period) else 0)
        for head, mine in groups:
            if not by:
                out.append({**head, **self._stats(mine)})
                continue
            for k in periods:
                day = _iso_day(self.origin + k * by)
                out.append({**head, "period": day, **self._stats(mine & (period == k))})
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
            **self._core_hours(mine, done),
        }

    def _core_hours(self, mine: np.ndarray, done: np.ndarray) -> dict:
        if self.used_core_s is None:
            return {"goodput_core_h": None, "lost_core_h": None, "pool_share": None}
        lost = float(self.lost_core_s[mine].sum())
        good = float((self.used_core_s - self.lost_core_s)[done].sum())
        used = float(self.used_core_s[mine].sum())
        return {"goodput_core_h": round(good / 3600, 3), "lost_core_h": round(lost / 3600, 3),
                "pool_share": round(used / self.pool_core_s, 6) if self.pool_core_s else None}

    def summary(self, per: str = "profile") -> pd.DataFrame:
        return pd.DataFrame.from_records(self.records(per=per))


def _iso_day(epoch: float) -> str:

    return clock.format_time(epoch, clock.DAY_FORMAT)


def _stat(func, values):
    return float(round(float(func(values)), 3)) if len(values) else None

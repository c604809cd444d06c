"""What a replay found: per job when it started and finished, per profile the statistics.

``ReplayResult.records()`` gives one record per profile (or per profile and
period of submission) with the keys of ``RECORD_KEYS``: waits, the share of
jobs that never started and the bounded slowdown.
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional

import numpy as np
import pandas as pd

from simulator.analyses.replay.jobs import Jobs
from simulator.model import clock

SLOWDOWN_BOUND = 10.0  # seconds
RECORD_KEYS = ("profile", "jobs", "finished", "never_started", "mean_wait_s", "median_wait_s",
               "p95_wait_s", "mean_slowdown", "evictions")


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
        """One record per profile, keys as ``RECORD_KEYS``.

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

    return clock.format_time(epoch, clock.DAY_FORMAT)


def _stat(func, values):
    return float(round(float(func(values)), 3)) if len(values) else None

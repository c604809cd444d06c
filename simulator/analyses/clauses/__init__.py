"""Which clause of a job's Requirements costs the matches: the expression split into steps
(``steps``) and each step counted over the pool (``analysis``).
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional

from simulator import jobs as job_ads
from simulator.analyses.clauses.analysis import Analysis, analyze
from simulator.analyses.progress import counted
from simulator.io import sources
from simulator.model.condor import ClassAd
from simulator.model.errors import TribesError
from simulator.pools import DEFAULT_POOL


@dataclasses.dataclass
class ClauseRun:
    """The analyses of each job over each snapshot: ``results[j][s]`` is job j on snapshot s."""

    jobs: List[ClassAd]
    results: List[List[Analysis]]

    def records(self) -> List[dict]:
        return [a.as_record() for per_job in self.results for a in per_job]


def job_ads_for(requirements: Optional[str] = None, job_file=None,
                template="plain") -> List[ClassAd]:
    """The job ads an analysis runs: one built from ``requirements``, or those of a file."""
    if requirements is not None:
        return [job_ads.with_requirements(job_ads.load_template(template), requirements,
                                          "--requirements")]
    ads = job_ads.read_job_file(job_file)
    for n, job in enumerate(ads, 1):
        if "Requirements" not in job:  # say which file and ad, as tribes simulate --job does
            raise TribesError(f"{job_file}: ad {n} has no Requirements")
    return ads


def analyze_pool(pool=DEFAULT_POOL, *, requirements: Optional[str] = None, job_file=None,
                 template="plain", progress: bool = False) -> ClauseRun:
    """The clause table of each job on every snapshot of ``pool``, one snapshot in memory;
    ``progress`` draws a bar on stderr, a step per snapshot."""
    ads = job_ads_for(requirements, job_file, template)
    results: List[List[Analysis]] = [[] for _ in ads]
    snapshots = sources.iter_snapshots(pool)
    for snapshot in counted(snapshots, sources.snapshot_count(pool), progress, "tribes analyze",
                            "snapshot"):
        for n, job in enumerate(ads):
            results[n].append(analyze(snapshot, job))
    if not results or not results[0]:
        raise TribesError(f"{pool}: no snapshots")
    return ClauseRun(ads, results)


__all__ = ["Analysis", "ClauseRun", "analyze", "analyze_pool", "job_ads_for"]

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
from simulator.model.snapshot import Snapshot
from simulator.pools import DEFAULT_POOL


@dataclasses.dataclass
class ClauseRun:
    """The analyses of each job over each snapshot: ``results[j][s]`` is job j on snapshot s."""

    jobs: List[ClassAd]
    results: List[List[Analysis]]

    def records(self) -> List[dict]:
        return [a.as_record() for per_job in self.results for a in per_job]


def job_ads_for(first: Snapshot, *, requirements: Optional[str] = None, job_file=None,
                submit_file=None, template="plain", submit_host: Optional[str] = None,
                condor_version: Optional[str] = None, as_written: bool = False) -> List[ClassAd]:
    """The job ads an analysis runs: one written from ``requirements`` or a submit file as
    condor_submit writes it (from the first snapshot's reference slot, or ``submit_host``),
    or the queued ads of a job file, as they are."""
    if job_file is not None:
        ads = job_ads.read_job_file(job_file)
        for n, job in enumerate(ads, 1):
            if "Requirements" not in job:  # say which file and ad, as tribes simulate --job does
                raise TribesError(f"{job_file}: ad {n} has no Requirements")
        return ads
    chosen, _ = job_ads.choose_profiles(
        first, requirements=[] if requirements is None else [requirements],
        submit_files=[] if submit_file is None else [submit_file], template=template,
        submit_host=submit_host, condor_version=condor_version, as_written=as_written)
    return [profile.job for profile in chosen]


def analyze_pool(pool=DEFAULT_POOL, *, requirements: Optional[str] = None, job_file=None,
                 submit_file=None, template="plain", submit_host: Optional[str] = None,
                 condor_version: Optional[str] = None, as_written: bool = False,
                 progress: bool = False) -> ClauseRun:
    """The clause table of each job on every snapshot of ``pool``, one snapshot in memory;
    ``progress`` draws a bar on stderr, a step per snapshot."""
    ads: List[ClassAd] = []

    def per_job(snapshot: Snapshot) -> List[Analysis]:
        if not ads:  # the jobs are written from the first snapshot
            ads.extend(job_ads_for(snapshot, requirements=requirements, job_file=job_file,
                                   submit_file=submit_file, template=template,
                                   submit_host=submit_host, condor_version=condor_version,
                                   as_written=as_written))
        return [analyze(snapshot, job) for job in ads]

    results: List[List[Analysis]] = []
    snapshots = sources.open_snapshots(pool)
    for found in counted(snapshots.map(per_job), len(snapshots), progress, "tribes analyze",
                         "snapshot"):
        if not results:
            results = [[] for _ in ads]
        for n, analysis in enumerate(found):
            results[n].append(analysis)
    if not results or not results[0]:
        raise TribesError(f"{pool}: no snapshots")
    return ClauseRun(ads, results)


__all__ = ["Analysis", "ClauseRun", "analyze", "analyze_pool", "job_ads_for"]

"""The condor_q run analysis (simulator.match.condor_q) by slot class, against the plain loop.

For modern pools of 10k and 100k slots (and 1M with --full) it runs the ladder's seven
profiles as condor_submit writes them, and prints per size: the slot-class path's seconds
(``run_analysis``: both halves of the match, the WithinResourceLimits probe and the drained
overlay, cold caches), the plain path's seconds (``plain_run_analysis``, jobmatch.cpp's rules
one slot at a time, timed on a random sample of slots and scaled to the pool, in the same
process), and their ratio. Every category of the sample is checked against the plain one.
Medians of --repeats runs.

    python benchmarks/bench_condor_q.py            # 10k and 100k
    python benchmarks/bench_condor_q.py --full     # and 1M
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator import jobs, pools
from simulator.match import condor_q
from simulator.match.slot_classes import clear_caches
from simulator.model import clock


def _sample(snapshot, size, rng):
    import dataclasses

    rows = np.sort(rng.choice(len(snapshot), size=min(size, len(snapshot)), replace=False))
    return dataclasses.replace(snapshot, ads=snapshot.ads.iloc[rows].reset_index(drop=True)), rows


def run(slots: int, repeats: int, sample: int) -> dict:
    snapshot = pools.generate("modern", slots=slots)
    profiles = jobs.choose_profiles(snapshot)[0]
    job_ads = [clock.freeze_job(p.job, snapshot.time) for p in profiles]
    fast = []
    for _ in range(repeats):
        clear_caches()
        began = time.perf_counter()
        results = [condor_q.run_analysis(snapshot, job) for job in job_ads]
        fast.append(time.perf_counter() - began)
    rng = np.random.default_rng(0)
    part, rows = _sample(snapshot, sample, rng)
    began = time.perf_counter()
    plain = [condor_q.plain_run_analysis(part, job) for job in job_ads]
    plain_s = (time.perf_counter() - began) * len(snapshot) / len(part)
    for got, want in zip(results, plain, strict=True):
        # the sample's own machines differ, so compare categories slot by slot
        assert (got.codes[rows] == want.codes).all()
    median = statistics.median(fast)
    return {"slots": slots, "fast_s": median, "plain_s": plain_s, "ratio": plain_s / median}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also 1,000,000 slots")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args(argv)
    sizes = [10_000, 100_000] + ([1_000_000] if args.full else [])
    print(f"{'slots':>9}  {'classes s':>10}  {'plain s':>10}  {'ratio':>7}")
    for slots in sizes:
        r = run(slots, args.repeats, args.sample)
        print(f"{r['slots']:>9,}  {r['fast_s']:>10.2f}  {r['plain_s']:>10.1f}  {r['ratio']:>6.0f}x",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Replay speed: 30 days of a 10,000-slot pool with 100,000 jobs (target: 2 minutes).

--large: 60 days of a 50,000-slot pool with 500,000 jobs (target: 10 minutes).

A store of daily snapshots is made from a shipped scenario (the modern pool's
EL8 to EL9/EL10 migration by default; --pool pool_2010 runs the RHEL 4 to 5.4
one on a 2010 pool of static slots scaled up), cut to --days days. Then
--jobs jobs of the ladder's seven profiles, in equal shares, are replayed with
60 s negotiation cycles, the runtimes sized so the offered load is --load of
the pool's cores. Prints the time to write the store, the replay time (loading
the snapshots, one exact mask per snapshot and profile, the cycles) and the
per-profile table.

    python benchmarks/bench_replay.py [--slots 10000] [--days 30] [--jobs 100000]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator import jobs as prof  # noqa: E402
from simulator import pools
from simulator.analyses import replay as rp  # noqa: E402
from simulator.analyses import scenario as sc  # noqa: E402
from simulator.io import store  # noqa: E402
from simulator.render.replay import replay_table  # noqa: E402

SCENARIOS = {
    "modern": ROOT / "simulator/data/scenarios/el8_to_el9_el10.toml",
    "pool_2010": ROOT / "simulator/data/scenarios/rhel4_to_rhel5.toml",
}


def start_pool(name: str, slots: int, seed: int):
    """The start pool at ``slots`` slots; the 2010 pool is copied under new host names."""
    if name != "pool_2010":
        return pools.generate(name, seed=seed, slots=slots)
    base = pools.generate(name, seed=seed)
    copies = []
    for k in range(-(-slots // len(base))):
        frame = base.ads.copy()
        for col in ("name", "machine"):
            frame[col] = frame[col].str.replace(".campus.", f".c{k}.campus.", regex=False)
        copies.append(frame)
    ads = pd.concat(copies, ignore_index=True).iloc[:slots]
    return dataclasses.replace(base, ads=ads)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", choices=sorted(SCENARIOS), default="modern")
    parser.add_argument("--slots", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--load", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--negotiator", choices=rp.NEGOTIATORS, default=rp.DEFAULT_NEGOTIATOR)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--large", action="store_true",
                        help="60 days, 50,000 slots, 500,000 jobs (target: 10 minutes)")
    args = parser.parse_args(argv)
    target = 120
    if args.large:
        args.days, args.slots, args.jobs, target = 60, 50_000, 500_000, 600

    scenario = dataclasses.replace(sc.load_scenario(SCENARIOS[args.pool]), days=args.days)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        start = start_pool(args.pool, args.slots, args.seed)
        paths = sc.run_scenario(scenario, Path(tmp) / "store", pool=start)
        made = time.perf_counter() - began
        print(f"store: {len(paths)} daily snapshots of {len(start)} slots ({args.pool}) "
              f"written in {made:.1f} s")

        began = time.perf_counter()
        first = store.load(paths[0])
        profiles = [rp.JobProfile.from_job(p.name, p.job)
                    for p in prof.ladder(first, prof.load_template("plain"))]
        _, cpus, _, _ = rp.capacity(first)
        horizon = args.days * 86400
        sigma = rp.DEFAULT_RUNTIME_SIGMA
        # Runtimes sized so that the jobs offer --load of the cores on average.
        mean_runtime = args.load * cpus.sum() * horizon / args.jobs
        median = mean_runtime / math.exp(sigma ** 2 / 2)
        jobs = rp.synthetic_jobs(len(profiles), horizon=horizon, jobs=args.jobs,
                                 runtime_median=median, runtime_sigma=sigma, seed=args.seed,
                                 users=args.users)
        result = rp.replay(paths, profiles, jobs, horizon=horizon, seed=args.seed,
                           negotiator=args.negotiator)
        took = time.perf_counter() - began
    print(f"replay: {len(jobs)} jobs, {len(profiles)} profiles, {cpus.sum():.0f} cores, "
          f"median runtime {median / 3600:.1f} h, offered load {args.load:g}, "
          f"{len(jobs.user_names)} submitters, {args.negotiator} negotiator; "
          f"{result.cycles} cycles in {took:.1f} s (target: {target} s)")
    print()
    print(replay_table(result.records()))
    print()
    print(replay_table(result.records(per="submitter"), per="submitter"))
    return 0 if took <= target else 1


if __name__ == "__main__":
    sys.exit(main())

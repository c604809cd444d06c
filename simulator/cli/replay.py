"""Replay a job queue over a store of snapshots: what each way of asking costs in wait.

Every negotiation cycle (--cycle, 60 s as NEGOTIATOR_INTERVAL) idle jobs,
oldest first, start on free slots that match them (HTCondor's own
symmetricMatch, one mask per snapshot and profile); partitionable slots are
carved by RequestCpus/RequestMemory; slots whose machine is gone from the next
day's snapshot evict their jobs back to the queue. By default the ladder's
profiles (relative to the first snapshot's most common tribe) share a
synthetic stream (Poisson arrivals, lognormal runtimes, median 4 h) sized to
keep 70 % of the pool's cores busy. --trace replays an SWF file of the
Parallel Workloads Archive instead. Per profile: jobs, finished, the share
never started, mean/median/p95 wait of the jobs that started, mean bounded
slowdown.

examples:
  tribes scenario run simulator/data/scenarios/rhel4_to_rhel5.toml --store store/rhel
  tribes replay --store store/rhel
  tribes replay --store store/rhel --profiles opsys,kernel --jobs 20000 --format json
  tribes replay --store store/rhel --profiles opsys,kernel --by week
  tribes replay --store store/rhel --profiles opsys,kernel \\
      --trace simulator/data/scenarios/example.swf --profile-map 'queue:1=kernel,*=opsys'
"""

from __future__ import annotations

import json
import sys
import time
from typing import List, Optional

from simulator.cli.options import add_command
from simulator.model import clock
from simulator.model.errors import TribesError

FORMATS = ("table", "json")
MAX_DEFAULT_JOBS = 100_000
PERIODS = {"day": 86400, "week": 7 * 86400}


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    parser.add_argument("--store", required=True, metavar="DIR",
                        help="a folder of snapshots (tribes scenario run, tribes snapshot)")
    load = parser.add_argument_group("synthetic jobs (the default)")
    size = load.add_mutually_exclusive_group()
    size.add_argument("--jobs", type=int, metavar="N", help="this many jobs over the replay")
    size.add_argument("--rate", type=float, metavar="PER_HOUR", help="Poisson arrivals per hour")
    size.add_argument("--load", type=float, default=None, metavar="FRACTION",
                      help="size the stream to keep this share of the cores busy (default 0.7)")
    load.add_argument("--runtime-median", type=float, metavar="SECONDS",
                      help="median of the lognormal runtimes (default 14400)")
    load.add_argument("--runtime-sigma", type=float, metavar="SIGMA",
                      help="sigma of the lognormal runtimes (default 1.0)")
    load.add_argument("--mix", metavar="NAME=W,…",
                      help="profile weights (default: equal shares)")
    trace = parser.add_argument_group("a trace instead")
    trace.add_argument("--trace", metavar="FILE.swf", help="jobs from an SWF trace")
    trace.add_argument("--profile-map", metavar="RULE",
                       help="FIELD (spread by value) or FIELD:VALUE=PROFILE,…,*=PROFILE "
                       "(default: the trace's 19th field if any, else by user)")
    parser.add_argument("--profiles", metavar="A,B", help="ladder steps (default: all)")
    parser.add_argument("--requirements", action="append", default=[], metavar="[NAME=]EXPR",
                        help="a profile with these Requirements (repeatable)")
    parser.add_argument("--job-template", "--template", default="plain", metavar="FILE",
                        help="job ad the profiles are built on (default: %(default)s)")
    parser.add_argument("--reference", metavar="NAME",
                        help="the ladder's reference machine (default: the most common tribe)")
    parser.add_argument("--cycle", type=float, default=60.0, metavar="SECONDS",
                        help="negotiation cycle (default: %(default)g)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    parser.add_argument("--by", choices=sorted(PERIODS),
                        help="one row per profile and day/week of submission")
    parser.add_argument("--format", choices=FORMATS, default="table")


def _profiles(args, first):
    from simulator import jobs as prof
    from simulator.analyses.replay import JobProfile

    template = prof.load_template(args.job_template)
    notes: List[str] = []
    chosen = []
    if args.profiles or not args.requirements:
        # "opsys,kernel," and "opsys,opsys" mean what they say: no empty name, none twice.
        given = dict.fromkeys(n.strip() for n in (args.profiles or "").split(",") if n.strip())
        names = list(given) or prof.LADDER
        chosen += prof.ladder(first, template, reference=args.reference, names=names, notes=notes)
    chosen += prof.from_requirements(args.requirements, template)
    for line in notes:
        print(f"tribes: warning: {line}", file=sys.stderr)
    if not chosen:
        raise TribesError("no profile to replay")
    return [JobProfile.from_job(p.name, p.job) for p in chosen]


def _weights(spec: Optional[str], names: List[str]):
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
    return [weights[n] for n in names]


def run(args) -> int:
    from simulator.analyses import replay as rp
    from simulator.analyses.replay import trace as tr
    from simulator.io import store

    paths = store.list_store(args.store)
    if not paths:
        raise TribesError(f"{args.store}: no snapshots in this store")
    if args.cycle <= 0:
        raise TribesError(f"--cycle {args.cycle:g}: must be positive")
    first = store.load(paths[0])
    profiles = _profiles(args, first)
    names = [p.name for p in profiles]
    times = [rp.snapshot_time(p) for p in paths]
    spacing = times[-1] - times[-2] if len(times) > 1 else 86400
    horizon = times[-1] - times[0] + (spacing or 86400)

    if args.trace:
        trace = tr.read_swf(args.trace)
        which = tr.assign_profiles(trace, names, args.profile_map)
        jobs = rp.Jobs(trace.submit, trace.runtime, which)
        late = int((trace.submit >= horizon).sum())
        notes = [f"{trace.skipped} without a run time"] if trace.skipped else []
        notes += [f"{late} submitted after the last day"] if late else []
        stream = f"trace {args.trace} ({len(trace)} jobs"
        stream += f"; left out: {', '.join(notes)})" if notes else ")"
    else:
        given = args.runtime_median is not None  # 0 is a value (and an error), not a default
        median = args.runtime_median if given else rp.DEFAULT_RUNTIME_MEDIAN
        sigma = rp.DEFAULT_RUNTIME_SIGMA if args.runtime_sigma is None else args.runtime_sigma
        if median <= 0 or sigma < 0:
            raise TribesError("--runtime-median must be positive and --runtime-sigma not negative")
        count = args.jobs
        _, cpus, _, _ = rp.capacity(first)
        per_job = sum(p.cpus for p in profiles) / len(profiles)
        if count is None and args.rate is None:
            load = rp.DEFAULT_LOAD if args.load is None else args.load
            if not 0 < load <= 10:
                raise TribesError(f"--load {load:g}: give a share of the cores, such as 0.7")
            count = rp.jobs_for_load(cpus.sum(), horizon, load=load, runtime_median=median,
                                     runtime_sigma=sigma, cpus_per_job=per_job)
            if count > MAX_DEFAULT_JOBS and not given:
                # A big pool gets longer jobs rather than millions of them.
                median *= count / MAX_DEFAULT_JOBS
                count = MAX_DEFAULT_JOBS
        if (count is not None and count < 0) or (args.rate is not None and args.rate < 0):
            raise TribesError("--jobs and --rate must not be negative")
        jobs = rp.synthetic_jobs(len(profiles), horizon=horizon, jobs=count,
                                 rate_per_hour=args.rate, runtime_median=median,
                                 runtime_sigma=sigma, weights=_weights(args.mix, names),
                                 seed=args.seed)
        offered = (jobs.runtime.sum() * per_job / (cpus.sum() * horizon)) if cpus.sum() else 0
        stream = (f"{len(jobs)} synthetic jobs (lognormal runtimes, median {_duration(median)}, "
                  f"sigma {sigma:g}; offered load {offered:.2f} of {cpus.sum():.0f} cores)")

    began = time.perf_counter()
    result = rp.replay(paths, profiles, jobs, cycle=args.cycle, horizon=horizon, seed=args.seed)
    elapsed = time.perf_counter() - began
    records = result.records(by=PERIODS.get(args.by))
    if args.format == "json":
        keys = (("profile", "period") if args.by else ("profile",)) + rp.RECORD_KEYS[1:]
        print(json.dumps([{k: r[k] for k in keys} for r in records], indent=2))
        return 0
    print(f"{args.store}: {len(paths)} snapshots, {_day(times[0])} to {_day(times[-1])}; "
          f"{stream}; cycle {args.cycle:g} s; {result.cycles} cycles in {elapsed:.1f} s")
    print()
    print(render_table(records, by=bool(args.by)))
    return 0


def _day(epoch) -> str:
    return clock.format_time(epoch, clock.DAY_FORMAT)


def _duration(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


_COLUMNS = (
    ("profile", "profile", "<"),
    ("jobs", "jobs", ">"),
    ("finished", "finished", ">"),
    ("never_started", "never started", ">"),
    ("mean_wait_s", "mean wait", ">"),
    ("median_wait_s", "median wait", ">"),
    ("p95_wait_s", "p95 wait", ">"),
    ("mean_slowdown", "slowdown", ">"),
    ("evictions", "evictions", ">"),
)


def _cell(key, value) -> str:
    if key == "never_started":
        return f"{100 * value:.1f}%"
    if key.endswith("_s"):
        return _duration(value)
    if key == "mean_slowdown":
        return "-" if value is None else f"{value:.2f}"
    return str(value)


def render_table(records, by: bool = False) -> str:
    columns = _COLUMNS[:1] + (("period", "submitted", "<"),) + _COLUMNS[1:] if by else _COLUMNS
    rows = [[title for _, title, _ in columns]]
    rows += [[_cell(key, r[key]) for key, _, _ in columns] for r in records]
    widths = [max(len(row[j]) for row in rows) for j in range(len(columns))]
    lines = []
    for row in rows:
        parts = [f"{row[j]:{columns[j][2]}{widths[j]}}" for j in range(len(columns))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)

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
  tribes replay --pool store/rhel
  tribes replay --pool store/rhel --profiles opsys,kernel --jobs 20000 --format json
  tribes replay --pool store/rhel --profiles opsys,kernel --by week
  tribes replay --pool store/rhel --profiles opsys,kernel \\
      --trace simulator/data/scenarios/example.swf --profile-map 'queue:1=kernel,*=opsys'
"""

from __future__ import annotations

import sys

from simulator.cli.options import (
    add_command,
    add_format_option,
    add_pool_option,
    add_quiet_option,
    add_submit_options,
    add_template_option,
    show_progress,
)

MAX_DEFAULT_JOBS = 100_000
PERIODS = {"day": 86400, "week": 7 * 86400}


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    add_pool_option(parser, None, metavar="DIR", required=True,
                    spec="a store folder of snapshots (tribes scenario run, tribes snapshot)",
                    old={"--store": "--store is deprecated here; use --pool DIR"})
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
    load.add_argument("--alone", action="store_true",
                      help="replay each profile alone on the whole stream, as if every user "
                      "wrote their Requirements that way")
    trace = parser.add_argument_group("a trace instead")
    trace.add_argument("--trace", metavar="FILE.swf", help="jobs from an SWF trace")
    trace.add_argument("--profile-map", metavar="RULE",
                       help="FIELD (spread by value) or FIELD:VALUE=PROFILE,…,*=PROFILE "
                       "(default: the trace's 19th field if any, else by user)")
    parser.add_argument("--profiles", metavar="A,B", help="ladder steps (default: all)")
    parser.add_argument("--requirements", action="append", default=[], metavar="[NAME=]EXPR",
                        help="a profile with these Requirements (repeatable)")
    add_template_option(parser, "job ad the profiles are built on")
    add_submit_options(parser)
    parser.add_argument("--reference", metavar="NAME",
                        help="the ladder's reference machine (default: the most common tribe)")
    parser.add_argument("--cycle", type=float, default=60.0, metavar="SECONDS",
                        help="negotiation cycle (default: %(default)g)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    parser.add_argument("--by", choices=sorted(PERIODS),
                        help="one row per profile and day/week of submission")
    add_format_option(parser)
    add_quiet_option(parser)


def run(args) -> int:
    from simulator.analyses.replay.session import replay_store
    from simulator.render.output import write_csv, write_json
    from simulator.render.replay import columns, header, replay_table

    run_ = replay_store(
        args.pool, profiles=args.profiles.split(",") if args.profiles else None,
        requirements=args.requirements, template=args.template, reference=args.reference,
        jobs=args.jobs, rate=args.rate, load=args.load, runtime_median=args.runtime_median,
        runtime_sigma=args.runtime_sigma, mix=args.mix, trace=args.trace,
        profile_map=args.profile_map, cycle=args.cycle, seed=args.seed, alone=args.alone,
        submit_files=args.submit, submit_host=args.submit_host,
        condor_version=args.condor_version, as_written=args.as_written,
        progress=show_progress(args),
    )
    for line in run_.warnings:
        print(f"tribes: warning: {line}", file=sys.stderr)
    records = run_.records(by=PERIODS.get(args.by))
    keys = [key for key, _, _ in columns(by=bool(args.by))]
    if args.format == "json":
        write_json([{k: r[k] for k in keys} for r in records])
        return 0
    if args.format == "csv":
        write_csv(records, keys)
        return 0
    print(header(run_))
    print()
    print(replay_table(records, by=bool(args.by)))
    return 0

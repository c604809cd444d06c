"""Match job profiles against a pool: how much of it can run each way of writing Requirements.

With no arguments, runs the requirement ladder (opsys, major, release, kernel,
glibc, java, vm) on the embedded 2010 campus pool, relative to the pool's most
common tribe, and prints per profile: matching slots, match rate, matching
cores and machines, and the condor_q -better-analyze summary (slots rejected by
the job, rejecting the job, matching but busy, free now). Evaluation is as of
each snapshot's capture time.

examples:
  tribes simulate
  tribes simulate --profiles opsys,glibc --format json
  tribes simulate --requirements 'new=versionGE(TARGET.glibc_base_version, "2.5")'
  tribes simulate --pool pool_sample.ads.gz --job-template ospool \\
      --requirements 'TARGET.HasSingularity && TARGET.Memory >= RequestMemory'
  tribes simulate --pool store/ --job my_job.ad --format csv
  tribes simulate --store store/ --dask                      # a LocalCluster
  tribes simulate --store store/ --dask tcp://scheduler:8786 --quiet
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from simulator.cli.options import DEFAULT_POOL, add_command, add_pool_option
from simulator.model.errors import TribesError

DEFAULT_TEMPLATE = "plain"  # simulator.jobs.profiles.DEFAULT_TEMPLATE, without importing it here
FORMATS = ("table", "csv", "json")


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    add_pool_option(parser)
    parser.add_argument(
        "--profiles", metavar="A,B", help="ladder steps to run (default: all, unless "
        "--requirements or --job name profiles of their own)",
    )
    parser.add_argument(
        "--requirements", action="append", default=[], metavar="[NAME=]EXPR",
        help="a profile with these Requirements (repeatable; named req1, req2 … or NAME)",
    )
    parser.add_argument(
        "--job", action="append", default=[], metavar="FILE",
        help="a job ad file (condor_q -l form), used as it is; named after the file (repeatable)",
    )
    parser.add_argument(
        "--job-template", "--template", default=DEFAULT_TEMPLATE, metavar="FILE",
        help="job ad the profiles are built on: plain, ospool or a file (default: %(default)s)",
    )
    parser.add_argument(
        "--reference", metavar="NAME",
        help="the reference machine of the ladder, by slot Name or Machine "
        "(default: a slot of the pool's most common tribe)",
    )
    parser.add_argument(
        "--time", metavar="T",
        help="capture time of a --pool file whose ads carry none (MyCurrentTime, "
        "LastHeardFrom); epoch seconds or YYYY-MM-DDTHH:MM:SSZ",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    # Many snapshots, on one machine or many (simulator.analyses.rates_dask).
    parser.add_argument(
        "--store", metavar="DIR",
        help="a snapshot store folder (instead of --pool): one task per (snapshot, profile "
        "block), each snapshot loaded only by its own task",
    )
    parser.add_argument(
        "--dask", nargs="?", const="", default=None, metavar="ADDRESS",
        help="run the tasks on Dask: a LocalCluster on this machine, or the scheduler at "
        "ADDRESS (e.g. tcp://host:8786)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args) -> int:
    from simulator.analyses.simulation import simulate
    from simulator.render.rates import rates_table

    if args.store and args.pool != DEFAULT_POOL:
        raise TribesError("give the store once: --pool DIR (or --store DIR), not both")
    if args.dask is not None and not args.store and not Path(args.pool).is_dir():
        raise TribesError(f"--dask runs snapshot files the workers can read: give --pool DIR "
                          f"(not {args.pool!r})")
    result = simulate(
        args.pool, store_folder=args.store,
        profiles=args.profiles.split(",") if args.profiles else None,
        requirements=args.requirements, job_files=args.job, template=args.job_template,
        reference=args.reference, time=args.time, dask=args.dask,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    for line in result.warnings:
        print(f"tribes: warning: {line}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(result.records(), indent=2))
    elif args.format == "csv":
        sys.stdout.write(result.frame.to_csv(index=False))
    else:
        print(rates_table(result))
    return 0

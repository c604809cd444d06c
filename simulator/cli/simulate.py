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
  tribes simulate --pool pool_sample.ads.gz --template ospool \\
      --requirements 'TARGET.HasSingularity && TARGET.Memory >= RequestMemory'
  tribes simulate --pool store/ --job my_job.ad --format csv
  tribes simulate --pool store/ --dask                       # a LocalCluster
  tribes simulate --pool store/ --dask tcp://scheduler:8786 --quiet
"""

from __future__ import annotations

import sys

from simulator.cli import options


def register(subparsers):
    parser = options.add_command(subparsers, __name__, run)
    which = parser.add_mutually_exclusive_group()
    options.add_pool_option(which, purpose="the pool: ")
    # The old spelling of --pool DIR; store_folder insists on a store folder.
    options.deprecated_alias(which, "--store", "store", "--pool DIR",
                     "--store is deprecated here; use --pool DIR", metavar="DIR")
    parser.add_argument(
        "--profiles", metavar="A,B", help="ladder steps to run (default: all, unless "
        "--requirements or --job name profiles of their own)",
    )
    parser.add_argument(
        "--requirements", action="append", default=[], metavar="[NAME=]EXPR",
        help="a profile with these Requirements (repeatable; named req1, req2 … or NAME; "
        f"{options.EXPRESSION_LIMITS})",
    )
    parser.add_argument(
        "--job", action="append", default=[], metavar="FILE",
        help="a job ad file (condor_q -l form), used as it is; named after the file (repeatable)",
    )
    options.add_template_option(parser, "job ad the profiles are built on")
    options.add_submit_options(parser)
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
    options.add_format_option(parser)
    # Many snapshots, on one machine or many (simulator.analyses.rates_dask).
    parser.add_argument(
        "--dask", nargs="?", const="", default=None, metavar="ADDRESS",
        help="run a store's snapshots (--pool DIR) on Dask, one task per (snapshot, profile "
        "block): a LocalCluster on this machine, or the scheduler at ADDRESS "
        "(e.g. tcp://host:8786)",
    )
    options.add_quiet_option(parser)


def run(args) -> int:
    from simulator.analyses.simulation import simulate
    from simulator.render.output import write_csv, write_json
    from simulator.render.rates import rates_table

    result = simulate(
        args.pool, store_folder=getattr(args, "store", None),
        profiles=args.profiles.split(",") if args.profiles else None,
        requirements=args.requirements, job_files=args.job, submit_files=args.submit,
        submit_host=args.submit_host, condor_version=args.condor_version,
        as_written=args.as_written, template=args.template,
        reference=args.reference, time=args.time, dask=args.dask,
        progress=options.show_progress(args),
    )
    for line in result.warnings:
        print(f"tribes: warning: {line}", file=sys.stderr)
    if args.format == "json":
        write_json(result.records())
    elif args.format == "csv":
        write_csv(result.records(), list(result.frame.columns))
    else:
        print(rates_table(result))
    return 0

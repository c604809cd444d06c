"""Show which clause of a job's Requirements costs the matches, as condor_q -better-analyze does.

The Requirements is split into its conditions (through parentheses, && and
||); each step counts the slots it accepts, alone and in the running
conjunction ([2] is [0] && [1]). Steps that change nothing are hidden, as
HTCondor hides them. The summary splits the pool into slots the job rejects,
slots that reject the job (their own START), and slots that match. Over a
store of snapshots, every step gets one column per capture time.

--format json prints one record per job and snapshot, its steps nested (every
step, shown or hidden) and its summary; --format csv the same facts with one
row per job, snapshot and step.

examples:
  tribes analyze --requirements 'versionGE(glibc_base_version, "2.5") && Memory >= 2048'
  tribes analyze --job job.ad --pool pool_sample.ads.gz
  tribes analyze --requirements 'TARGET.Memory >= 4096' --pool store/ --format json
"""

from __future__ import annotations

from simulator.cli import options

# Past this many snapshots a column each is unreadable: one line per (time, step).
MAX_COLUMNS = 8


def register(subparsers):
    parser = options.add_command(subparsers, __name__, run)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--requirements", metavar="EXPR",
                       help=f"a Requirements expression ({options.EXPRESSION_LIMITS})")
    which.add_argument(
        "--job", metavar="FILE", help="a job ad file (condor_q -l, -json or [ ... ])"
    )
    which.add_argument("--submit", metavar="FILE.sub", help="a submit description")
    options.add_submit_options(parser, submit=False)
    options.add_pool_option(parser)
    options.add_template_option(parser, "job ad that --requirements goes into")
    options.add_format_option(parser, what="the analysis")
    options.add_quiet_option(parser)


def run(args) -> int:
    from simulator.analyses.clauses import analyze_pool
    from simulator.render.clauses import report, step_records, step_rows, time_table
    from simulator.render.output import write_csv, write_json

    run_ = analyze_pool(args.pool, requirements=args.requirements, job_file=args.job,
                        submit_file=args.submit, template=args.template,
                        submit_host=args.submit_host, condor_version=args.condor_version,
                        as_written=args.as_written, progress=options.show_progress(args))
    if args.format == "json":
        write_json(run_.records())
        return 0
    if args.format == "csv":
        write_csv(step_records(run_.records()))
        return 0
    blocks = []
    for job, per_job in zip(run_.jobs, run_.results, strict=True):
        if len(per_job) == 1:
            blocks.append(report(per_job[0], job))
        elif len(per_job) <= MAX_COLUMNS:
            blocks.append(f"Job {per_job[0].job_name}: {per_job[0].requirements}\n\n"
                          + time_table(per_job))
        else:
            blocks.append(step_rows(per_job))
    print("\n\n".join(blocks))
    return 0

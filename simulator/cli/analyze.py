"""Show which clause of a job's Requirements costs the matches, as condor_q -better-analyze does.

The Requirements is split into its conditions (through parentheses, && and
||); each step counts the slots it accepts, alone and in the running
conjunction ([2] is [0] && [1]). Steps that change nothing are hidden, as
HTCondor hides them. The summary splits the pool into slots the job rejects,
slots that reject the job (their own START), and slots that match. Over a
store of snapshots, every step gets one column per capture time.

examples:
  tribes analyze --requirements 'versionGE(glibc_base_version, "2.5") && Memory >= 2048'
  tribes analyze --job job.ad --pool pool_sample.ads.gz
  tribes analyze --requirements 'TARGET.Memory >= 4096' --pool store/ --format json
"""

from __future__ import annotations

import json

from simulator.cli.options import add_command, add_pool_option, add_template_option
from simulator.model.errors import TribesError

# Past this many snapshots a column each is unreadable: one line per (time, step).
MAX_COLUMNS = 8


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--requirements", metavar="EXPR", help="a Requirements expression")
    which.add_argument(
        "--job", metavar="FILE", help="a job ad file (condor_q -l, -json or [ ... ])"
    )
    add_pool_option(parser)
    add_template_option(parser, "job ad that --requirements goes into")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _jobs(args):
    from simulator import jobs as profiles

    if args.requirements is not None:
        template = profiles.load_template(args.template)
        return [profiles.with_requirements(template, args.requirements, "--requirements")]
    jobs = profiles.read_job_file(args.job)
    for n, job in enumerate(jobs, 1):
        if "Requirements" not in job:  # say which file and ad, as tribes simulate --job does
            raise TribesError(f"{args.job}: ad {n} has no Requirements")
    return jobs


def run(args) -> int:
    from simulator import analysis_table
    from simulator.analyses.clauses import analysis as analyze
    from simulator.io import sources

    jobs = _jobs(args)
    snapshots = sources.open_snapshots(args.pool)
    if not snapshots:
        raise TribesError(f"{args.pool}: no snapshots")
    results = [[analyze.analyze(snap, job) for snap in snapshots] for job in jobs]
    if args.format == "json":
        records = [analysis_table.as_record(a) for per_job in results for a in per_job]
        print(json.dumps(records, indent=2))
        return 0
    blocks = []
    for n, job in enumerate(jobs):
        per_job = results[n]
        if len(per_job) == 1:
            blocks.append(analysis_table.report(per_job[0], job))
        elif len(per_job) <= MAX_COLUMNS:
            blocks.append(f"Job {per_job[0].job_name}: {per_job[0].requirements}\n\n"
                          + analysis_table.time_table(per_job))
        else:
            blocks.append(_records(per_job))
    print("\n\n".join(blocks))
    return 0


def _records(analyses) -> str:
    """One row per snapshot, one column per step (the steps listed above the table)."""
    from simulator.analysis_table import _when

    steps = analyses[0].steps
    lines = [f"{'[' + str(s.index) + ']':>6}  {s.label()}" for s in steps]
    width = max(7, *(len(str(a.slots)) + 1 for a in analyses))
    heads = [f"[{s.index}]".rjust(width) for s in steps]
    lines += ["", "time                  " + " ".join(heads)
              + " ".join(["", "slots".rjust(width), "able".rjust(width)])]
    for a in analyses:
        cells = [a.matched_text(s.index).rjust(width) for s in steps]
        lines.append(f"{_when(a.time):<22}" + " ".join(cells)
                     + " ".join(["", str(a.slots).rjust(width), str(a.available).rjust(width)]))
    return "\n".join(lines)

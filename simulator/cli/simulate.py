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
from typing import List

from simulator.cli.options import add_command, add_pool_option
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


def choose_matcher(args):
    """The matcher the run uses (options that pick another one go here)."""
    from simulator.analyses.rates import default_matcher

    return default_matcher()


def open_pool(spec: str, time=None):
    """The snapshots a ``--pool`` SPEC names, oldest first."""
    from simulator.io.sources import open_snapshots
    from simulator.model import clock

    clock.parse_time(time)  # a bad --time is an error even where the ads carry their own
    return open_snapshots(spec, time=time)


def store_paths(args):
    """The snapshot files of --store (or of a --pool folder with --dask); None otherwise."""
    if getattr(args, "store", None) is None and getattr(args, "dask", None) is None:
        return None
    from pathlib import Path

    from simulator.io import store

    folder = args.store or args.pool
    if args.store and not Path(folder).is_dir():
        what = "a file, not a store folder" if Path(folder).exists() else "no such folder"
        raise TribesError(f"--store {folder}: {what}")
    if not Path(folder).is_dir():
        raise TribesError(f"--dask runs snapshot files the workers can read: give --store DIR "
                          f"(not {folder!r})")
    files = store.list_store(folder)
    if not files:
        raise TribesError(f"{folder}: a folder, but no snapshot-*.parquet files in it")
    return files


def store_headers(paths):
    """The first snapshot (the ladder's reference), then only the others' headers."""
    from simulator.analyses import rates_dask as parallel

    return [parallel.load(paths[0])] + [parallel.header(p) for p in paths[1:]]


def run_store(args, paths, profiles):
    """One task per (snapshot, profile block), here or on Dask; same frame as simulate()."""
    from simulator.analyses import rates_dask as parallel

    progress = not args.quiet
    if args.dask is None:
        return parallel.simulate_store(paths, profiles, progress=progress)
    with parallel.connect(args.dask or None) as client:
        return parallel.simulate_store(paths, profiles, client=client, progress=progress)


def run(args) -> int:
    from simulator import jobs as prof
    from simulator.analyses.rates import simulate
    from simulator.model.tribes import reference_slot

    paths = store_paths(args)
    snapshots = store_headers(paths) if paths else open_pool(args.pool, args.time)
    if not snapshots:
        raise TribesError(f"--pool {args.pool}: no snapshot found")
    template = prof.load_template(args.job_template)
    notes: List[str] = []
    chosen = []
    user = bool(args.requirements or args.job)
    reference = None
    if args.profiles or not user:
        # "opsys,kernel," and "opsys,opsys" mean what they say: no empty name, none twice.
        given = dict.fromkeys(n.strip() for n in (args.profiles or "").split(",") if n.strip())
        names = list(given) or prof.LADDER
        first = snapshots[0]
        reference = reference_slot(first, args.reference)
        chosen += prof.ladder(first, template, reference=args.reference, names=names, notes=notes)
    elif args.reference:
        notes.append("--reference is for the ladder; add --profiles to run ladder steps")
    chosen += prof.from_requirements(args.requirements, template)
    chosen += prof.from_job_files(args.job)
    if not chosen:
        raise TribesError("no profile to run")
    names = [p.name for p in chosen]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise TribesError(f"two profiles are named {', '.join(twice)}: give each its own NAME=")

    if paths:
        frame = run_store(args, paths, chosen)
    else:
        frame = simulate(snapshots, chosen, matcher=choose_matcher(args))
    for line in notes + frame.attrs.get("warnings", []):
        print(f"tribes: warning: {line}", file=sys.stderr)

    if args.format == "json":
        print(json.dumps(frame.to_dict(orient="records"), indent=2))
    elif args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        print(render_table(frame, snapshots, reference))
    return 0


# --- the table --------------------------------------------------------------

_COLUMNS = (
    ("profile", "profile", "<"),
    ("matching_slots", "slots", ">"),
    ("match_rate", "rate", ">"),
    ("matching_cores", "cores", ">"),
    ("matching_machines", "machines", ">"),
    ("available_now", "free now", ">"),
    ("matching_busy", "busy", ">"),
    ("rejected_by_job", "job rejects", ">"),
    ("rejecting_job", "slot rejects", ">"),
)


def _cell(key, value) -> str:
    if key == "match_rate":
        return f"{100 * value:.1f}%"
    return str(value)


def _grid(rows, columns) -> List[str]:
    cells = [[title for _, title, _ in columns]] + [
        [_cell(key, row[key]) for key, _, _ in columns] for row in rows
    ]
    widths = [max(len(r[j]) for r in cells) for j in range(len(columns))]
    lines = []
    for r in cells:
        parts = [f"{r[j]:{columns[j][2]}{widths[j]}}" for j in range(len(columns))]
        lines.append("  ".join(parts).rstrip())
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _reference_lines(snapshot, reference) -> List[str]:
    """Who the ladder is relative to: the reference slot and its tribe."""
    from simulator.model.condor import ExprTree
    from simulator.model.tribes import slot_name, tribe, tribes

    name = slot_name(snapshot, reference)
    own = tribe(snapshot, reference)
    size = sum(1 for t in tribes(snapshot) if t == own)
    parts = [str(ExprTree(p).eval()) for p in own if p]
    return [
        f"reference: {name}, whose tribe has {_count(size, 'slot')}:",
        f"  {', '.join(parts) or '(no release, kernel or glibc published)'}",
    ]


def render_table(frame, snapshots, reference=None) -> str:
    """A readable table: one block per snapshot, headed by what the pool is."""
    from simulator.analyses.rates import snapshot_label
    from simulator.io.readers.build import describe_skipped

    out: List[str] = []
    records = frame.to_dict(orient="records")
    per = len(records) // max(len(snapshots), 1)  # simulate() keeps snapshot order
    for n, snapshot in enumerate(snapshots):
        label = snapshot_label(snapshot)
        rows = records[n * per:(n + 1) * per]
        if not rows:
            continue
        first = rows[0]
        if out:
            out.append("")
        out.append(
            f"{snapshot.source}: {_count(first['total_slots'], 'slot')} on "
            f"{_count(first['total_machines'], 'machine')}, as of {label} ({snapshot.time_source})"
        )
        if snapshot.skipped:
            # Ads of other types never take part in a match; say how many there were.
            out.append(f"other ads left out: {describe_skipped(snapshot.skipped)}")
        if reference is not None and n == 0:
            out.extend(_reference_lines(snapshot, reference))
        out.append("")
        out.extend(_grid(rows, _COLUMNS))
    # The expressions last, in full: they are what the numbers are about.
    out += ["", "requirements:"]
    width = max(len(r["profile"]) for r in records)
    seen = set()
    for r in records:
        if r["profile"] not in seen:
            seen.add(r["profile"])
            out.append(f"  {r['profile']:<{width}}  {r['requirements']}")
    return "\n".join(out)

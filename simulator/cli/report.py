"""Count slots by attribute values, as `condor_status -format ... | sort | uniq -c | sort -rn`.

Most common first (ties by value). Several attributes give a joint count, one
line per combination, as chained -format options do; slots lacking any of the
attributes are left out, as condor_status -format leaves them out. --each
prints one table per attribute instead. The default pool is the embedded 2010
campus pool, so each of the seed's tables comes back to the slot.

--format json prints a list of records, one key per attribute plus "count";
with --each or a store of several snapshots, one entry per table:
{"snapshot", "time", "attributes", "counts": [records]}. --format csv is wide
(one column per attribute), or with --each long like the seed's marginals file
(attributes,value,count).

examples:
  tribes report redhat_version
  tribes report JavaVendor JavaVersion
  tribes report --each redhat_version kernel_version glibc_version
  tribes report OpSysAndVer glibc_base_version --pool modern --slots 100000 --format json
  tribes report OpSysAndVer --pool pool_sample.ads.gz
  tribes report redhat_version --plot os.png
  tribes report redhat_version glibc_version --grid --plot os-glibc.png
"""

from __future__ import annotations

import json

from simulator.cli.options import add_command, add_pool_option
from simulator.model.errors import TribesError

FORMATS = ("table", "csv", "json")


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    parser.add_argument("attrs", nargs="+", metavar="ATTR", help="slot attributes to count by")
    add_pool_option(parser)
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of a generated pool (default: its own)"
    )
    parser.add_argument(
        "--slots", type=int, default=None, help="size of a generated pool that takes one (modern)"
    )
    parser.add_argument(
        "--each", action="store_true", help="one table per attribute instead of a joint count"
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--plot", metavar="FILE.png", default=None,
        help="also draw the counts as a chart (sorted bars; --each: one panel per attribute); "
        "the suffix picks the format (png, svg, pdf)",
    )  # fmt: skip
    parser.add_argument(
        "--grid", action="store_true",
        help="with --plot and two attributes: draw their joint count as a grid (heatmap)",
    )  # fmt: skip


def run(args) -> int:
    from simulator.analyses import counts as report

    if args.grid and not args.plot:
        raise TribesError("--grid draws a chart: give --plot FILE.png too")
    snapshots = _open(args.pool, seed=args.seed, slots=args.slots)
    groups = [[a] for a in args.attrs] if args.each else [list(args.attrs)]
    results = []
    for snap in snapshots:
        for attrs in groups:
            results.append((snap, attrs, report.counts(snap, attrs)))
    for attrs in groups:
        # A store may gain an attribute over time (the hook rolled out mid-way):
        # only an attribute no snapshot has is an error.
        empty = [snap for snap, group, table in results if group == attrs and table.empty]
        if len(empty) == len(snapshots):
            where = empty[0].source if len(empty) == 1 else f"none of {len(empty)} snapshots"
            raise TribesError(f"{where}: no slot has {' and '.join(attrs)}")
    several = len(snapshots) > 1
    if args.plot:
        _plot(snapshots, args)
    if args.format == "json":
        out = []
        for snap, attrs, table in results:
            entry = report.records(table)
            if several or args.each:
                entry = {"snapshot": snap.source, "time": snap.time, "attributes": attrs,
                         "counts": entry}  # fmt: skip
                out.append(entry)
            else:
                out = entry
        print(json.dumps(out, indent=2))
        return 0
    if args.format == "csv":
        print(_csv(results, long=args.each, several=several))
        return 0
    blocks = []
    for snap, attrs, table in results:
        text = report.format_table(table) if not table.empty else (
            f"      0 (no slot has {' and '.join(attrs)})")
        if several or args.each:
            text = f"# {' '.join(attrs)} ({snap.source})\n{text}"
        blocks.append(text)
    print("\n\n".join(blocks))
    return 0


def _csv(results, *, long, several) -> str:
    """Wide (one column per attribute) or, with --each, long like the seed's marginals CSV."""
    import pandas as pd

    from simulator.analyses import counts as report

    frames = []
    for snap, attrs, table in results:
        if table.empty:  # a snapshot of a store without the attribute: no rows
            continue
        if long:
            shown = table.drop(columns=report.COUNT).apply(lambda col: col.map(report.show))
            table = pd.DataFrame(
                {
                    "attributes": " ".join(attrs),
                    "value": shown.agg(" ".join, axis=1),
                    report.COUNT: table[report.COUNT],
                }
            )
        if several:
            table = table.copy()
            table.insert(0, "snapshot", snap.source)
        frames.append(table)
    if long or several:
        return report.format_csv(pd.concat(frames, ignore_index=True))
    return report.format_csv(frames[0])


def _plot(snapshots, args):
    import sys

    from simulator import plots

    if args.grid and len(args.attrs) != 2:
        raise TribesError("--grid draws the joint of exactly two attributes")
    for path in plots.write_report(snapshots, args.attrs, args.plot, each=args.each,
                                   grid=args.grid):  # fmt: skip
        print(f"tribes: wrote {path}", file=sys.stderr)


def _open(spec, *, seed, slots):
    from simulator import pools

    parsed = pools.parse_spec(spec)
    if parsed is not None:
        name, params = parsed
        params.update({k: v for k, v in (("seed", seed), ("slots", slots)) if v is not None})
        return [pools.generate(name, **params)]
    if slots is not None:
        raise TribesError(f"--slots applies only to a generated pool, not {spec}")
    from simulator.io.sources import open_snapshots

    return open_snapshots(spec, pool_seed=seed)

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

import sys

from simulator.cli.options import (
    add_command,
    add_format_option,
    add_pool_option,
    add_quiet_option,
    show_progress,
)
from simulator.model.errors import TribesError


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
    add_format_option(parser, what="the counts")
    parser.add_argument(
        "--plot", metavar="FILE.png", default=None,
        help="also draw the counts as a chart (sorted bars; --each: one panel per attribute); "
        "the suffix picks the format (png, svg, pdf)",
    )  # fmt: skip
    parser.add_argument(
        "--grid", action="store_true",
        help="with --plot and two attributes: draw their joint count as a grid (heatmap)",
    )  # fmt: skip
    add_quiet_option(parser)


def run(args) -> int:
    from simulator.analyses.counts import count_pool, records
    from simulator.render.counts import counts_csv, format_table
    from simulator.render.output import write_json

    if args.grid and not args.plot:
        raise TribesError("--grid draws a chart: give --plot FILE.png too")
    if args.grid and len(args.attrs) != 2:
        raise TribesError("--grid draws the joint of exactly two attributes")
    results = count_pool(args.pool, args.attrs, each=args.each, seed=args.seed, slots=args.slots,
                         progress=show_progress(args))
    several = len({(r.source, r.time) for r in results}) > 1
    if args.plot:
        _plot(args, several)
    if args.format == "json":
        out = []
        for r in results:
            entry = records(r.table)
            if several or args.each:
                out.append({"snapshot": r.source, "time": r.time, "attributes": r.attrs,
                            "counts": entry})
            else:
                out = entry
        write_json(out)
        return 0
    if args.format == "csv":
        print(counts_csv(results, long=args.each, several=several))
        return 0
    blocks = []
    for r in results:
        text = format_table(r.table) if not r.table.empty else (
            f"      0 (no slot has {' and '.join(r.attrs)})")
        if several or args.each:
            text = f"# {' '.join(r.attrs)} ({r.source})\n{text}"
        blocks.append(text)
    print("\n\n".join(blocks))
    return 0


def _plot(args, several):
    from simulator import plots
    from simulator.io.sources import iter_snapshots

    snapshots = iter_snapshots(args.pool, pool_seed=args.seed, pool_slots=args.slots)
    for path in plots.write_report(snapshots, args.attrs, args.plot, each=args.each,
                                   grid=args.grid, several=several):  # fmt: skip
        print(f"tribes: wrote {path}", file=sys.stderr)

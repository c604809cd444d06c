"""Add a pool snapshot to a store: from a file of ads, or from a live collector.

Reads slot ads (MyType "Machine") from condor_status -long/-xml/-json output or
new-syntax ads (gzip or not; the format is sniffed), or queries a collector,
and writes one Parquet file named after the capture time into the store
folder. Ads of other types are counted and left out. The capture time is the
ads' MyCurrentTime, else LastHeardFrom, else --time, else the file's mtime.

examples:
  tribes snapshot --from pool_sample.ads.gz --store store/
  tribes snapshot --from status.xml --store store/ --time 2013-06-10T17:00:00Z
  tribes snapshot --pool cm.example.org --store store/
"""

from __future__ import annotations

from pathlib import Path

from simulator.cli.options import add_command
from simulator.io import sources, store
from simulator.model import clock
from simulator.model.errors import TribesError


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--from", dest="from_file", metavar="FILE",
        help="condor_status -long, -xml or -json output, or new-syntax ads (gzip is fine)",
    )
    source.add_argument(
        "--pool", metavar="HOST", help="query this collector (central manager) for its slot ads"
    )
    parser.add_argument("--store", required=True, metavar="DIR", help="the snapshot store folder")
    parser.add_argument(
        "--time", metavar="T",
        help="capture time when the ads carry none: epoch seconds or YYYY-MM-DD[THH:MM:SSZ] (UTC)",
    )


def run(args) -> int:
    from simulator.render.snapshots import snapshot_line

    store_dir = Path(args.store)
    if store_dir.exists() and not store_dir.is_dir():
        raise TribesError(f"--store {args.store}: a file, not a store folder")
    clock.parse_time(args.time)  # a bad --time is an error even where the ads carry their own
    if args.from_file:
        snap = sources.open_file(args.from_file, time=args.time)
    else:
        snap = sources.open_collector(args.pool, time=args.time)
    path = store.save(snap, args.store)
    print(snapshot_line(snap, path))
    return 0

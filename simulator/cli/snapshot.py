"""Add a pool snapshot to a store: from a file of ads, or from a live collector.

--pool reads slot ads (MyType "Machine") from condor_status -long/-xml/-json
output or new-syntax ads (gzip or not; the format is sniffed), a Parquet
snapshot, a generated pool, or a live collector (collector:HOST), and writes
one Parquet file named after the capture time into the --store folder. Ads of
other types are counted and left out. The capture time is the ads'
MyCurrentTime, else LastHeardFrom, else --time, else the file's mtime. A store that
already holds a snapshot of that capture time is left alone unless --replace.

examples:
  tribes snapshot --pool pool_sample.ads.gz --store store/
  tribes snapshot --pool status.xml --store store/ --time 2013-06-10T17:00:00Z
  tribes snapshot --pool collector:cm.example.org --store store/ --format json
"""

from __future__ import annotations

from simulator.cli.options import (
    Spelled,
    add_command,
    add_format_option,
    add_pool_option,
    deprecate,
    note,
)
from simulator.io import sources


class PoolOrHost(Spelled):
    """--pool SPEC; a bare host (the old spelling of collector:HOST) still works, and warns."""

    def __call__(self, parser, namespace, values, option_string=None):
        if sources.bare_host(values):
            deprecate(namespace, "--pool HOST is deprecated; use --pool collector:HOST")
            values = sources.COLLECTOR_PREFIX + values
        super().__call__(parser, namespace, values, option_string)


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    add_pool_option(
        parser, None, "the snapshot to add: ", action=PoolOrHost, required=True,
        old={"--from": "--from is deprecated; use --pool FILE"},
        spec="a file of slot ads (condor_status -long, -xml or -json output, or new-syntax "
        "ads; gzip is fine), a Parquet snapshot, collector:HOST (a live pool) or a generated "
        "pool (pool_2010, modern:slots=N,seed=S)",
    )  # fmt: skip
    parser.add_argument("--store", required=True, metavar="DIR", help="the snapshot store folder")
    parser.add_argument(
        "--time", metavar="T",
        help="capture time when the ads carry none: epoch seconds or YYYY-MM-DD[THH:MM:SSZ] (UTC)",
    )
    parser.add_argument("--replace", action="store_true",
                        help="replace a snapshot of the same capture time already in the store")
    add_format_option(parser, what="the snapshot stored")


def run(args) -> int:
    from simulator.render.output import write_csv, write_json
    from simulator.render.snapshots import leftovers_notes, snapshot_line, snapshot_record

    stored = sources.add_snapshot(args.pool, args.store, time=args.time, replace=args.replace)
    for text in leftovers_notes(args.store, stored.leftovers):
        note(text)
    record = snapshot_record(stored.snapshot, stored.path)
    if args.format == "json":
        write_json(record)
    elif args.format == "csv":
        write_csv([record])
    else:
        print(snapshot_line(stored.snapshot, stored.path))
    return 0

"""Ingest speed: the fast -long reader against HTCondor's parseAds on the same text.

The OSPool sample (205 real ads of a `condor_status -any -l`, 143 of them
slots of ~570 attributes) is repeated to --ads ads, each copy's Name changed so
ads differ. Prints ads/s and MB/s, medians of --runs runs, all in one process.
parseAds is timed on the first --library-ads ads of the same text (it is
linear; timing all 50k would take minutes). Then a snapshot of --rows rows and
25 columns is written as Parquet and loaded back with store.load (the loader
sources.open_snapshots uses, which checks each distinct text), timed; then the
same with two columns of a distinct plain literal per slot, and a snapshot of
--expressions slots of a distinct expression each (the check's worst case).

    python benchmarks/bench_ingest.py [--ads 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.io import store  # noqa: E402
from simulator.io.readers import long  # noqa: E402
from simulator.model.condor import parse_ads  # noqa: E402
from simulator.model.snapshot import Snapshot  # noqa: E402

SAMPLE = (
    ROOT / "tests" / "fixtures" / "real-ads"
    / "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz"
)


_INT = re.compile(r"-?[0-9]+\Z")
_REAL = re.compile(r"-?[0-9]*\.[0-9]+(?:[eE][-+]?[0-9]+)?\Z")


def pool_text(sample: Path, n_ads: int, vary: bool = False) -> str:
    """The sample's ads repeated to n_ads ads, each copy with its own Name.

    With ``vary``, every line found in only one ad of the sample (about 150 of
    a slot ad's 570: counters, timestamps, sizes, load, addresses ...) gets a
    value of its own in each copy, as the ads of a real pool have.
    """
    with gzip.open(sample, "rt") as fh:
        ads = [ad for ad in fh.read().split("\n\n") if ad.strip()]
    seen = Counter(line for ad in ads for line in set(ad.split("\n")))
    templates = []
    for ad in ads:
        lines = ad.split("\n")
        moving = []
        for i, line in enumerate(lines):
            name, _, value = line.partition(" = ")
            if name == "Name" or (vary and seen[line] == 1 and name != "MyType"):
                moving.append((i, name, value))
        templates.append((lines, moving))
    out = []
    for k in range(n_ads):
        lines, moving = templates[k % len(ads)]
        copy = k // len(ads)
        lines = list(lines)
        for i, name, value in moving:
            if value.startswith('"'):
                lines[i] = f'{name} = "{copy}-{value[1:]}'
            elif _INT.match(value):
                lines[i] = f"{name} = {int(value) + copy}"
            elif _REAL.match(value):
                lines[i] = f"{name} = {float(value) * (1 + copy * 1e-6)!r}"
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def median_time(func, runs: int):
    """Median (wall seconds, CPU seconds) of ``runs`` calls.

    CPU time is shown beside wall time because the machines this runs on are
    often shared: it is what the reader costs, whatever else is running.
    """
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def parquet_load(rows: int, runs: int):
    """Median seconds to load a `rows`-row, 25-column snapshot with store.load."""
    rng = np.random.default_rng(1)
    cols = {}
    for j in range(25):
        texts = [f'"v{v}"' for v in range(50)] + [str(v) for v in range(50)]
        values = np.array(texts, dtype=object)
        cols[f"attr{j}"] = values[rng.integers(0, len(values), rows)]
    snap = Snapshot(ads=pd.DataFrame(cols, dtype=object), time=1, time_source="generated",
                    source="bench")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snapshot.parquet"
        store.write(snap, path)
        return median_time(lambda: store.load(path), runs)


def parquet_load_distinct(rows: int, runs: int, expressions: int):
    """Median seconds to load snapshots whose texts are mostly distinct, so the check of
    each distinct text (store.load) is paid per slot: a `rows`-row, 25-column snapshot
    with two columns of a text per slot that is a plain literal (a Name string, a real),
    and an `expressions`-row one with a column of a distinct expression per slot (each
    checked through the ClassAd library; its cache emptied before each run)."""
    from simulator.model.condor import text_problem

    rng = np.random.default_rng(1)
    cols = {}
    texts = np.array([f'"v{v}"' for v in range(50)] + [str(v) for v in range(50)], dtype=object)
    for j in range(23):
        cols[f"attr{j}"] = texts[rng.integers(0, len(texts), rows)]
    cols["name"] = np.array([f'"slot1@node{i}.example.org"' for i in range(rows)], dtype=object)
    cols["loadavg"] = np.array([f"{v:.15E}" for v in rng.random(rows) + 0.5], dtype=object)
    plain = Snapshot(ads=pd.DataFrame(cols, dtype=object), time=1, time_source="generated",
                     source="bench")
    exprs = np.array([f"ifThenElse(Cpus > {i},Memory,{i})" for i in range(expressions)],
                     dtype=object)
    mixed = Snapshot(ads=pd.DataFrame({"rank": exprs}, dtype=object), time=1,
                     time_source="generated", source="bench")

    def load_fresh(path):
        text_problem.cache_clear()
        store.load(path)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plain.parquet"
        store.write(plain, path)
        plain_s = median_time(lambda: store.load(path), runs)
        del plain
        path = Path(tmp) / "exprs.parquet"
        store.write(mixed, path)
        return plain_s, median_time(lambda: load_fresh(path), runs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--ads", type=int, default=50_000)
    parser.add_argument("--library-ads", type=int, default=2_000,
                        help="time parseAds on this many of the ads (0: all of them)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--expressions", type=int, default=100_000,
                        help="rows of the snapshot of a distinct expression per slot")
    parser.add_argument("--vary", action="store_true",
                        help="give each copy its own value of every line unique to one ad")
    args = parser.parse_args(argv)

    text = pool_text(args.sample, args.ads, args.vary)
    mb = len(text.encode()) / 1e6
    fast_s = median_time(lambda: long.parse_text(text, path="bench"), args.runs)
    n_lib = min(args.library_ads, args.ads) if args.library_ads > 0 else args.ads
    lib_text = pool_text(args.sample, n_lib, args.vary)
    lib_mb = len(lib_text.encode()) / 1e6
    lib_s = median_time(lambda: list(parse_ads(lib_text)), args.runs)

    distinct = len(set(text.split("\n"))) / args.ads
    print(f"ingest: OSPool sample repeated to {args.ads} ads ({mb:.0f} MB, "
          f"{distinct:.0f} distinct lines per ad{', varied' if args.vary else ''}), "
          f"median of {args.runs} runs")
    print(f"{'reader':<20}{'ads':>7}{'wall s':>8}{'ads/s':>8}{'MB/s':>7}"
          f"{'cpu s':>8}{'ads/s':>8}{'MB/s':>7}")
    for name, n, size, (wall, cpu) in (
        ("fast -long reader", args.ads, mb, fast_s),
        ("classad2.parseAds", n_lib, lib_mb, lib_s),
    ):
        print(f"{name:<20}{n:>7}{wall:>8.2f}{n / wall:>8.0f}{size / wall:>7.1f}"
              f"{cpu:>8.2f}{n / cpu:>8.0f}{size / cpu:>7.1f}")
    ratio = (args.ads / fast_s[1]) / (n_lib / lib_s[1])
    print(f"speed-up (cpu): {ratio:.1f}x")
    store_wall, store_cpu = parquet_load(args.rows, args.runs)
    print(f"parquet: load a {args.rows}-row, 25-column snapshot: "
          f"store.load {store_wall:.2f} s wall ({store_cpu:.2f} s cpu)")
    (plain_wall, plain_cpu), (expr_wall, expr_cpu) = parquet_load_distinct(
        args.rows, args.runs, args.expressions)
    print(f"parquet: the same with a distinct Name and LoadAvg per slot: "
          f"store.load {plain_wall:.2f} s wall ({plain_cpu:.2f} s cpu)")
    print(f"parquet: {args.expressions} slots of a distinct expression each (checked "
          f"through the ClassAd library): store.load {expr_wall:.2f} s wall "
          f"({expr_cpu:.2f} s cpu)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

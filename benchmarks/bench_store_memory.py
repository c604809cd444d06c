"""Peak memory over a store: N snapshots should cost about what one does (target: 1.5x).

Two stores are written of the generated modern pool (--slots slots, a new seed per
day): one with a single snapshot, one with --snapshots daily snapshots. Each of
``tribes simulate``, ``tribes report`` and ``tribes analyze`` runs with ``--pool``
on each store in a child process of its own, and its peak resident memory
(``ru_maxrss`` of that child, from ``os.wait4``) is printed with the ratio
N snapshots / one snapshot. With --repeat R every run is made R times and the
medians are printed.

    python benchmarks/bench_store_memory.py [--slots 100000] [--snapshots 6] [--repeat 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAY = 86_400
TARGET = 1.5

# What each command is asked over a store (after --pool DIR).
COMMANDS: Dict[str, List[str]] = {
    "simulate": ["simulate", "--format", "csv"],
    "report": ["report", "OpSysAndVer", "glibc_version", "--each"],
    "analyze": ["analyze", "--requirements",
                'TARGET.OpSys == "LINUX" && versionGE(TARGET.glibc_base_version, "2.28") '
                "&& TARGET.Memory >= 2048"],
}


def write_store(folder: Path, snapshots: int, slots: int, seed: int) -> Path:
    """A store of ``snapshots`` daily snapshots of the modern pool, one seed each."""
    from simulator import pools
    from simulator.io import store

    for k in range(snapshots):
        snap = pools.generate("modern", slots=slots, seed=seed + k)
        store.save(dataclasses.replace(snap, time=snap.time + k * DAY), folder)
    return folder


def peak_mb(argv: Sequence[str]) -> float:
    """Run ``argv`` in a child process (output discarded); its peak RSS in MB."""
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed:\n{err.read().decode(errors='replace')}")
    kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return kib / 1024


def tribes(*args: str) -> List[str]:
    return [sys.executable, "-m", "simulator", *args]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=100_000)
    parser.add_argument("--snapshots", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commands", default=",".join(COMMANDS),
                        help="which of simulate,report,analyze to run")
    parser.add_argument("--write-store", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_store:
        write_store(Path(args.write_store), args.snapshots, args.slots, args.seed)
        return 0
    chosen = [c.strip() for c in args.commands.split(",") if c.strip()]
    n = args.snapshots
    print(f"store memory: modern pool, {args.slots} slots; 1 vs {n} snapshots; "
          f"median of {args.repeat} run(s); peak RSS of each command's process")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-store-memory-") as tmp:
        # Written by a child: a child's peak counts the memory of the process it forked from.
        one, many = Path(tmp) / "one", Path(tmp) / "many"
        for folder, count in ((one, 1), (many, n)):
            subprocess.run([sys.executable, __file__, "--write-store", str(folder),
                            "--snapshots", str(count), "--slots", str(args.slots),
                            "--seed", str(args.seed)], check=True)
        for name in chosen:
            peaks = {}
            for label, folder in (("1", one), (str(n), many)):
                runs = [peak_mb(tribes(*COMMANDS[name][:1], "--pool", str(folder), "--quiet",
                                       *COMMANDS[name][1:]))
                        for _ in range(args.repeat)]
                peaks[label] = statistics.median(runs)
            ratio = peaks[str(n)] / peaks["1"]
            worst = max(worst, ratio)
            print(f"{name:<9} 1 snapshot {peaks['1']:7.0f} MB   {n} snapshots "
                  f"{peaks[str(n)]:7.0f} MB   ratio {ratio:.2f}")
    print(f"worst ratio {worst:.2f} (target <= {TARGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

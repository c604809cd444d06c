"""How long one startd cron run costs: the hook without Java, and with Java cached.

Each run is a fresh ``python -S -m startd_cron`` subprocess from the source
tree, as the startd would start it.  Prints the median wall time (and spread)
in milliseconds; exits 1 if the run without Java misses its 100 ms floor.

Example:
    .venv/bin/python benchmarks/bench_startd_cron.py --runs 30
    .venv/bin/python benchmarks/bench_startd_cron.py --python /usr/bin/python3
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLOOR_MS = 100.0


def run_once(argv):
    """(wall ms, CPU ms) of one run; CPU counts the hook and the commands it waited for,
    so it does not grow when other jobs share the machine the way wall time does."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - started) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv} exited {proc.returncode}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def time_runs(variants, runs):
    """(wall, CPU) samples per variant; runs are interleaved so all see the same load."""
    samples = {label: ([], []) for label in variants}
    for argv in variants.values():  # warm-up: page cache, .pyc files, the Java cache
        run_once(argv)
    for _ in range(runs):
        for label, argv in variants.items():
            wall, cpu = run_once(argv)
            samples[label][0].append(wall)
            samples[label][1].append(cpu)
    return samples


def describe(label, samples):
    wall, cpu = samples
    ordered = sorted(wall)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    print(
        f"{label:<38} median {statistics.median(wall):6.1f} ms"
        f"   min {ordered[0]:6.1f}   p90 {p90:6.1f}"
        f"   CPU {statistics.median(cpu):6.1f} ms   ({len(wall)} runs)"
    )
    return statistics.median(wall)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter to run the hook with (default: this one)")
    args = parser.parse_args(argv)
    hook = [args.python, "-S", "-m", "startd_cron"]
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "java.json")
        variants = {
            "python -S -c pass (interpreter start)": [args.python, "-S", "-c", "pass"],
            "hook --only os,kernel,glibc,virt": hook + ["--only", "os,kernel,glibc,virt",
                                                        "--cache", ""],
            "hook, all probes, Java cached": hook + ["--cache", cache],
        }
        medians = {label: describe(label, values)
                   for label, values in time_runs(variants, args.runs).items()}
        slow = {"hook, all probes, no Java cache": hook + ["--cache", ""]}
        for label, values in time_runs(slow, max(3, args.runs // 5)).items():
            describe(label, values)
    baseline = medians["python -S -c pass (interpreter start)"]
    no_java = medians["hook --only os,kernel,glibc,virt"]
    verdict = "ok" if no_java < FLOOR_MS else "TOO SLOW"
    print(f"floor: hook without Java {no_java:.1f} ms < {FLOOR_MS:.0f} ms: {verdict}"
          f" (of which {baseline:.1f} ms is the interpreter starting)")
    return 0 if no_java < FLOOR_MS else 1


if __name__ == "__main__":
    sys.exit(main())

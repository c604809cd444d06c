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


def time_runs(argv, runs):
    """Wall milliseconds of ``runs`` runs of ``argv`` (after one warm-up)."""
    subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, check=True)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def describe(label, samples):
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    print(
        f"{label:<38} median {statistics.median(samples):6.1f} ms"
        f"   min {ordered[0]:6.1f}   p90 {p90:6.1f}   ({len(samples)} runs)"
    )
    return statistics.median(samples)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter to run the hook with (default: this one)")
    args = parser.parse_args(argv)
    hook = [args.python, "-S", "-m", "startd_cron"]
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "java.json")
        baseline = describe("python -S -c pass (interpreter start)",
                            time_runs([args.python, "-S", "-c", "pass"], args.runs))
        no_java = describe("hook --only os,kernel,glibc,virt",
                           time_runs(hook + ["--only", "os,kernel,glibc,virt", "--cache", ""],
                                     args.runs))
        describe("hook, all probes, Java cached", time_runs(hook + ["--cache", cache], args.runs))
        describe("hook, all probes, no Java cache", time_runs(hook + ["--cache", ""],
                                                              max(3, args.runs // 5)))
    verdict = "ok" if no_java < FLOOR_MS else "TOO SLOW"
    print(f"floor: hook without Java {no_java:.1f} ms < {FLOOR_MS:.0f} ms: {verdict}"
          f" (of which {baseline:.1f} ms is the interpreter starting)")
    return 0 if no_java < FLOOR_MS else 1


if __name__ == "__main__":
    sys.exit(main())

"""Matching speed: slot classes (simulator.match.slot_classes) against the plain one-by-one path.

For modern pools of 10k, 100k and 1M slots (``simulator.pools.generate("modern")``)
it runs the ladder (as condor_submit writes it) plus 10 real requirements
(tests/fixtures/real-ads/job_requirements.txt) and prints, per size: the fast path's
seconds (wall, and CPU of this process plus the forked evaluator),
the plain path's seconds (``plain_match`` timed on a random sample of
slots and scaled to the pool, in the same process), their ratio, effective
slot evaluations per second (slots x jobs / fast seconds), the slot classes of
each half of the match, and the process's peak memory. Fast times are cold:
every cache is cleared first, so they include factorizing the snapshot's
columns. Every fast answer on the sample is checked against the plain one.

Then a year of daily snapshots of a 50k-slot pool: 365 Parquet files written
once to a temporary store (the pool drifts: a kernel update rolls out, the
capture time and glidein retirement move on, a few machines change), then
loaded and run through the ladder in one process. Medians of --repeats runs
(--year-repeats for the year).

    python benchmarks/bench_match.py            # full: 10k, 100k, 1M and the year
    python benchmarks/bench_match.py --quick    # 10k and 100k, a 60-day "year"
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator import jobs as profiles
from simulator.io import store  # noqa: E402
from simulator.match.plain import plain_match  # noqa: E402
from simulator.match.slot_classes import clear_caches, fast_match, slot_classes  # noqa: E402
from simulator.model.snapshot import Snapshot  # noqa: E402
from simulator.pools import generate  # noqa: E402

REQUIREMENTS = ROOT / "tests" / "fixtures" / "real-ads" / "job_requirements.txt"
DAY = 86_400


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def real_requirements(limit: int = 10):
    if not REQUIREMENTS.is_file():
        return []
    lines = REQUIREMENTS.read_text().splitlines()
    texts = [ln.split("  ## ")[0].strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    return texts[:limit]


def jobs_for(snapshot: Snapshot):
    template = profiles.load_template("plain")
    ladder = profiles.ladder(snapshot, template)
    extra = [
        profiles.Profile(f"real{i + 1}", profiles.with_requirements(template, text), text)
        for i, text in enumerate(real_requirements())
    ]
    return ladder, extra


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the forked evaluator)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def run_fast(snapshot: Snapshot, jobs, cpu: list = None) -> tuple:
    """Cold run: caches cleared, then every job once. Returns (seconds, answers);
    appends the CPU seconds (both processes) to ``cpu`` when given."""
    clear_caches()
    start, start_cpu = time.perf_counter(), cpu_seconds()
    answers = [fast_match(snapshot, p.job) for p in jobs]
    seconds = time.perf_counter() - start
    if cpu is not None:
        cpu.append(cpu_seconds() - start_cpu)
    return seconds, answers


def sample_of(snapshot: Snapshot, rows: np.ndarray) -> Snapshot:
    ads = snapshot.ads.iloc[rows].reset_index(drop=True)
    return Snapshot(ads, snapshot.time, snapshot.time_source, snapshot.source,
                    dict(snapshot.skipped), dict(snapshot.names))


def bench_size(n: int, args) -> dict:
    snapshot = generate("modern", slots=n, seed=args.seed)
    ladder, extra = jobs_for(snapshot)
    jobs = ladder + extra
    ladder_times, all_times, ladder_cpu, all_cpu = [], [], [], []
    for _ in range(args.repeats):
        seconds, _ = run_fast(snapshot, ladder, ladder_cpu)
        ladder_times.append(seconds)
        seconds, answers = run_fast(snapshot, jobs, all_cpu)
        all_times.append(seconds)
    rng = np.random.default_rng(args.seed)
    rows = np.sort(rng.choice(n, size=min(args.sample, n), replace=False))
    sample = sample_of(snapshot, rows)
    plain_seconds = 0.0
    for profile, fast in zip(jobs, answers, strict=True):
        start = time.perf_counter()
        want = plain_match(sample, profile.job)
        plain_seconds += time.perf_counter() - start
        if not (fast[rows] == want).all():
            raise SystemExit(f"fast != plain for {profile.name} at {n} slots")
    plain_ladder = plain_seconds * n / len(rows) * len(ladder) / len(jobs)
    plain_all = plain_seconds * n / len(rows)
    classes = [slot_classes(snapshot, p.job) for p in jobs]
    return {
        "slots": n,
        "ladder_fast": statistics.median(ladder_times),
        "all_fast": statistics.median(all_times),
        "ladder_cpu": statistics.median(ladder_cpu),
        "all_cpu": statistics.median(all_cpu),
        "ladder_plain": plain_ladder,
        "all_plain": plain_all,
        "jobs": len(jobs),
        "n_ladder": len(ladder),
        "slot_classes": max(c.slot_side.n_classes for c in classes),
        "job_classes": max(c.job_side.n_classes for c in classes),
        "fallbacks": sum(c.fallback is not None for c in classes),
        "peak_mb": peak_rss_mb(),
    }


def print_sizes(results):
    print("\nmatching: modern pool, the ladder (as condor_submit writes it) and the ladder + 10 "
          "real requirements")
    print("| slots | jobs | fast s | fast CPU s | plain s (scaled) | fast/plain | slot evals/s "
          "| slot classes (slot half) | classes (job half, max) | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        for label, jobs, fast, cpu, plain in (
            ("ladder", r["n_ladder"], r["ladder_fast"], r["ladder_cpu"], r["ladder_plain"]),
            ("+10 real", r["jobs"], r["all_fast"], r["all_cpu"], r["all_plain"]),
        ):
            print(f"| {r['slots']:,} | {jobs} ({label}) | {fast:.2f} | {cpu:.2f} | {plain:,.0f} "
                  f"| {plain / fast:,.0f}x | {r['slots'] * jobs / fast:,.0f} "
                  f"| {r['slot_classes']:,} | {r['job_classes']:,} | {r['peak_mb']:,.0f} |")
    if any(r["fallbacks"] for r in results):
        print("(some jobs fell back to the plain path for one half)")


def bench_tiled(sizes, args):
    """The same slot classes in more and more slots: a 10k-slot pool repeated."""
    base = generate("modern", slots=10_000, seed=args.seed)
    ladder, _ = jobs_for(base)
    print("\nsame classes, more slots: the 10k-slot pool repeated, the ladder")
    print("| slots | slot classes (slot half) | fast s | slot evals/s |")
    print("|---:|---:|---:|---:|")
    for n in sizes:
        ads = pd.concat([base.ads] * max(1, n // len(base)), ignore_index=True)
        snapshot = Snapshot(ads, base.time, base.time_source, base.source, {}, dict(base.names))
        seconds = statistics.median(run_fast(snapshot, ladder)[0] for _ in range(args.repeats))
        classes = max(slot_classes(snapshot, p.job).slot_side.n_classes for p in ladder)
        rate = len(ads) * len(ladder) / seconds
        print(f"| {len(ads):,} | {classes:,} | {seconds:.2f} | {rate:,.0f} |")


# --- a year of daily snapshots ------------------------------------------------------


def drift(base: Snapshot, day: int, rng, machine_codes: np.ndarray) -> Snapshot:
    """Day ``day`` of the pool: cheap column edits standing for a day's changes."""
    ads = base.ads.copy()
    when = base.time + day * DAY
    ads["mycurrenttime"] = str(when)
    if "glidein_toretire" in ads.columns:
        # glideins come and go: their retirement moves on with the calendar
        ads["glidein_toretire"] = ads["glidein_toretire"].map(
            lambda t: None if t is None else str(int(t) + day * DAY))
    # a kernel update rolls out over the year, machine by machine
    if "kernel_version" in ads.columns:
        updated = machine_codes < int((machine_codes.max() + 1) * day / 365)
        old = ads["kernel_version"].to_numpy(dtype=object)
        ads["kernel_version"] = np.where(updated & (old != None), '"6.12.0-55.el10"', old)  # noqa: E711
    # a few slots change size each day
    if "memory" in ads.columns:
        pick = rng.choice(len(ads), size=max(1, len(ads) // 200), replace=False)
        memory = ads["memory"].to_numpy(dtype=object).copy()
        memory[pick] = memory[rng.permutation(pick)]
        ads["memory"] = memory
    return Snapshot(ads, when, "generated", f"day {day}", {}, dict(base.names))


def write_year(folder: Path, slots: int, days: int, seed: int) -> None:
    base = generate("modern", slots=slots, seed=seed)
    rng = np.random.default_rng(seed)
    key = "machine" if "machine" in base.ads.columns else "name"
    machine_codes, _ = pd.factorize(base.ads[key])
    for day in range(days):
        store.save(drift(base, day, rng, machine_codes), folder)


def load_snapshot(path):
    return store.load(path)


def run_year(folder: Path) -> tuple:
    clear_caches()
    files = store.list_store(folder)
    start = time.perf_counter()
    loading = 0.0
    profiles_ = None
    matched = 0
    for path in files:
        t = time.perf_counter()
        snapshot = load_snapshot(path)
        loading += time.perf_counter() - t
        if profiles_ is None:
            profiles_ = profiles.ladder(snapshot, profiles.load_template("plain"))
        for profile in profiles_:
            matched += int(fast_match(snapshot, profile.job).sum())
    return time.perf_counter() - start, loading, len(files), len(profiles_ or []), matched


def bench_year(args):
    with tempfile.TemporaryDirectory(prefix="tribes-year-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        write_year(folder, args.year_slots, args.days, args.seed)
        written = time.perf_counter() - start
        runs = [run_year(folder) for _ in range(args.year_repeats)]
        # check one day against the plain path on a sample
        snapshot = load_snapshot(store.list_store(folder)[-1])
        job = profiles.ladder(snapshot, profiles.load_template("plain"))[3].job
        rows = np.arange(0, len(snapshot), max(1, len(snapshot) // 500))
        want = plain_match(sample_of(snapshot, rows), job)
        if not (fast_match(snapshot, job)[rows] == want).all():
            raise SystemExit("fast != plain on the last day")
    total = statistics.median(r[0] for r in runs)
    loading = statistics.median(r[1] for r in runs)
    _, _, files, n_profiles, _ = runs[0]
    print(f"\nyear: {files} daily snapshots of {args.year_slots:,} slots x {n_profiles} profiles "
          f"(store written once in {written:.0f} s)")
    print("| snapshots | slots each | profiles | load + ladder s | of which loading s "
          "| per snapshot s | slot evals/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    evals = files * args.year_slots * n_profiles
    print(f"| {files} | {args.year_slots:,} | {n_profiles} | {total:.1f} | {loading:.1f} "
          f"| {total / files:.3f} | {evals / total:,.0f} |")


def bench_ingest(args):
    script = ROOT / "benchmarks" / "bench_ingest.py"
    if not script.is_file():
        return
    print("\ningest (benchmarks/bench_ingest.py):", flush=True)
    extra = ["--ads", "10000", "--runs", "1", "--rows", "100000"] if args.quick else []
    subprocess.run([sys.executable, str(script), *extra], check=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="10k and 100k slots, a 60-day year, a short ingest run")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        help="pool sizes, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--sample", type=int, default=1000,
                        help="slots the plain path is timed on (default %(default)s)")
    parser.add_argument("--days", type=int, help="snapshots in the year (default 365)")
    parser.add_argument("--year-slots", type=int, default=50_000)
    parser.add_argument("--year-repeats", type=int, default=1,
                        help="runs of the year (median; default %(default)s, it takes a while)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-year", action="store_true")
    parser.add_argument("--no-ingest", action="store_true")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    args.days = args.days or (60 if args.quick else 365)
    print(f"bench_match: {os.cpu_count()} cpus, repeats={args.repeats}, "
          f"plain sample={args.sample} slots", flush=True)
    results = []
    for n in sizes:
        results.append(bench_size(n, args))
        print(f"  {n:,} slots done", flush=True)
    print_sizes(results)
    bench_tiled(sizes, args)
    if not args.no_year:
        bench_year(args)
    if not args.no_ingest:
        bench_ingest(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

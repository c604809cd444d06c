"""Bounded memory: a command over a store holds one snapshot at a time, whatever their number.

The library calls are checked with every snapshot the store reads tracked (none may
still be alive when the next is read), and the commands by the peak memory of a
child process over a store of one snapshot and of five (``benchmarks/bench_store_memory.py``
measures the same at 100k-200k slots).
"""

import dataclasses
import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from simulator import pools
from simulator.analyses import rates_dask
from simulator.io import sources, store

DAY = 86_400
SLOTS = 20_000
MANY = 5
REQUIREMENTS = 'TARGET.OpSys == "LINUX" && TARGET.Memory >= 2048'


def write_store(folder: Path, snapshots: int, slots: int) -> Path:
    for k in range(snapshots):
        snap = pools.generate("modern", slots=slots, seed=1 + k)
        store.save(dataclasses.replace(snap, time=snap.time + k * DAY), folder)
    return folder


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    return write_store(tmp_path_factory.mktemp("store"), 4, 300)


@pytest.fixture
def tracked(monkeypatch):
    """Every snapshot a store file gives, and how many earlier ones were alive at each read."""
    alive = []
    live_at_read = []
    real = store.load

    def load(path):
        gc.collect()
        live_at_read.append(sum(ref() is not None for ref in alive))
        snap = real(path)
        alive.append(weakref.ref(snap))
        return snap

    monkeypatch.setattr(store, "load", load)
    monkeypatch.setattr(rates_dask, "load", load)
    return live_at_read


def _calls(folder):
    import simulator
    from simulator import plots

    return {
        "simulate": lambda: simulator.simulate(str(folder), profiles=["opsys", "kernel"]),
        "report": lambda: simulator.count(str(folder), ["OpSysAndVer", "glibc_version"],
                                          each=True),
        "analyze": lambda: simulator.analyze(str(folder), requirements=REQUIREMENTS),
        "composition": lambda: plots.composition_table(simulator.open_pool(str(folder)),
                                                       "OpSysAndVer"),
        "newest": lambda: simulator.open_pool(str(folder))[-1],
    }


@pytest.mark.parametrize("call", ["simulate", "report", "analyze", "composition", "newest"])
def test_a_store_is_read_one_snapshot_at_a_time(small_store, tracked, call):
    _calls(small_store)[call]()
    assert tracked, "nothing was read from the store"
    assert max(tracked) == 0, f"snapshots alive when the next was read: {tracked}"
    if call == "newest":
        assert len(tracked) == 1  # the newest file only


def test_requirements_over_a_store_reads_one_snapshot_at_a_time(small_store, tracked):
    import simulator

    verdict = simulator.needs(["/bin/true"], pool=str(small_store))
    assert len({r.time for r in verdict.rates}) == 4
    assert max(tracked) == 0, f"snapshots alive when the next was read: {tracked}"


def test_the_sequence_reads_on_access_and_keeps_the_last(small_store, tracked):
    snaps = sources.open_snapshots(str(small_store))
    assert len(snaps) == 4 and not tracked  # nothing read yet
    first = snaps[0]
    assert snaps[0] is first and len(tracked) == 1  # kept: not read again
    assert [s.time for s in snaps] == sorted(s.time for s in snaps)
    assert snaps[-1].time == max(s.time for s in snaps)
    assert len(snaps[1:3]) == 2 and snaps[1:3][0].time == snaps[1].time
    with pytest.raises(IndexError):
        snaps[4]


def test_results_over_a_store_are_those_over_its_snapshots(small_store):
    import simulator
    from simulator.analyses.clauses import analyze
    from simulator.analyses.counts import counts

    snaps = [store.load(p) for p in store.list_store(small_store)]
    tables = simulator.count(str(small_store), ["OpSysAndVer"])
    assert len(tables) == len(snaps)
    for table, snap in zip(tables, snaps, strict=True):
        assert table.table.equals(counts(snap, ["OpSysAndVer"]))
    run = simulator.analyze(str(small_store), requirements=REQUIREMENTS)
    job = run.jobs[0]
    assert [a.as_record() for a in run.results[0]] == [analyze(s, job).as_record()
                                                     for s in snaps]
    over_store = simulator.simulate(str(small_store), profiles=["opsys", "glibc"])
    in_memory = simulator.simulate(snaps, profiles=["opsys", "glibc"])
    opened = simulator.simulate(simulator.open_pool(str(small_store)), profiles=["opsys", "glibc"])
    assert over_store.records() == in_memory.records() == opened.records()
    assert over_store.pools == in_memory.pools == opened.pools
    one = simulator.open_pool(str(store.list_store(small_store)[0]))
    assert simulator.simulate(one, profiles=["opsys"]).records() == \
        simulator.simulate(snaps[0], profiles=["opsys"]).records()


COMMANDS = {
    "simulate": ["simulate", "--format", "csv"],
    "report": ["report", "OpSysAndVer", "glibc_version", "--each"],
    "analyze": ["analyze", "--requirements", REQUIREMENTS],
}


def _peak_mb(argv, tmp_path):
    """Peak resident memory of a child process running ``argv`` (its own, from wait4)."""
    with open(tmp_path / "stderr", "w+b") as err:
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        assert child.returncode == 0, err.read().decode(errors="replace")
    return usage.ru_maxrss / 1024 / (1024 if sys.platform == "darwin" else 1)


# Written by a child: a child's peak counts the memory of the process it was forked
# from, and this one holds the test session.
WRITE = """
import dataclasses, sys
from simulator import pools
from simulator.io import store
for k in range(int(sys.argv[2])):
    snap = pools.generate("modern", slots=int(sys.argv[3]), seed=1 + k)
    store.save(dataclasses.replace(snap, time=snap.time + k * 86400), sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4")
def test_peak_memory_over_a_store_is_that_of_one_snapshot(tmp_path):
    one, many = tmp_path / "one", tmp_path / "many"
    for folder, count in ((one, 1), (many, MANY)):
        subprocess.run([sys.executable, "-c", WRITE, str(folder), str(count), str(SLOTS)],
                       check=True)
    ratios = {}
    for name, argv in COMMANDS.items():
        peaks = [_peak_mb([sys.executable, "-m", "simulator", argv[0], "--pool", str(folder),
                           "--quiet", *argv[1:]], tmp_path) for folder in (one, many)]
        ratios[name] = (round(peaks[0]), round(peaks[1]), round(peaks[1] / peaks[0], 2))
    assert all(ratio <= 1.5 for _, _, ratio in ratios.values()), ratios

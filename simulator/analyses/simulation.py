"""``simulate``: the match rates of ways of writing Requirements on a pool, as one call.

The library call behind ``tribes simulate``: it opens the pool, builds the profiles (the
ladder relative to the first snapshot, ``--requirements`` texts, job ad files) and runs
them on every snapshot, a store one snapshot at a time.

>>> result = simulate("pool_2010", profiles=["opsys", "kernel"])
>>> [(r["profile"], r["matching_slots"]) for r in result.records()]
[('opsys', 579), ('kernel', 240)]
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pandas as pd

from simulator.analyses import rates_dask
from simulator.analyses.rates import simulate as simulate_snapshots
from simulator.analyses.rates import snapshot_label
from simulator.io import sources, store
from simulator.jobs import choose_profiles
from simulator.model import clock
from simulator.model.condor import ExprTree
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot
from simulator.model.tribes import slot_name, tribe, tribes
from simulator.pools import DEFAULT_POOL


@dataclasses.dataclass
class PoolHeader:
    """What a table says of one snapshot: where it came from, when, and what was left out."""

    source: str
    label: str
    time_source: str
    skipped: Dict[str, int]

    @classmethod
    def of(cls, snapshot: Snapshot) -> PoolHeader:
        return cls(snapshot.source, snapshot_label(snapshot), snapshot.time_source,
                   dict(snapshot.skipped or {}))


@dataclasses.dataclass
class Reference:
    """The ladder's reference slot: its name, its tribe's parts and how many slots share it."""

    name: str
    tribe: List[str]
    size: int

    @classmethod
    def of(cls, snapshot: Snapshot, i: int) -> Reference:
        own = tribe(snapshot, i)
        size = sum(1 for t in tribes(snapshot) if t == own)
        parts = [str(ExprTree(text).eval()) for text in own if text]
        return cls(slot_name(snapshot, i), parts, size)


@dataclasses.dataclass
class SimulationResult:
    """One record per (snapshot, profile) in ``frame``; the headers and notes around them."""

    frame: pd.DataFrame
    pools: List[PoolHeader]
    reference: Optional[Reference]
    warnings: List[str]

    def records(self) -> List[dict]:
        return self.frame.to_dict(orient="records")


def store_files(folder) -> List[Path]:
    """The snapshot files of a store folder, oldest first (an error when there are none)."""
    files = store.list_store(folder)
    if not files:
        raise TribesError(f"{folder}: a folder, but no snapshot-*.parquet files in it")
    return files


def simulate(pool=DEFAULT_POOL, *, profiles: Optional[Sequence[str]] = None,
             requirements: Sequence[str] = (), job_files: Sequence = (),
             submit_files: Sequence = (), submit_host: Optional[str] = None,
             condor_version: Optional[str] = None, as_written: bool = False,
             template="plain", reference: Optional[str] = None, time: clock.TimeSpec = None,
             store_folder=None, dask: Optional[str] = None,
             progress: bool = False) -> SimulationResult:
    """Match rates of each profile on every snapshot of ``pool``: any spec ``tribes`` reads,
    Snapshot objects (one or a list), or what ``open_pool`` gave (a store's runs its files).

    A store folder is run one snapshot at a time (memory bounded by one snapshot), here or,
    with ``dask`` (``""`` for a LocalCluster, else a scheduler address), on a Dask cluster.
    ``store_folder`` names a store in place of ``pool`` (and must be one).
    """
    clock.parse_time(time)  # a bad time is an error even where the ads carry their own
    rates_dask.check_address(dask)
    choice = dict(profiles=profiles, requirements=requirements, job_files=job_files,
                  submit_files=submit_files, submit_host=submit_host,
                  condor_version=condor_version, as_written=as_written, template=template,
                  reference=reference)
    given = [pool] if isinstance(pool, Snapshot) else pool
    if isinstance(given, sources.SnapshotSequence):  # open_pool's: a store runs its files
        if not given.files:
            return _simulate_snapshots(list(given), **choice)
        pool = given.files[0].parent
    elif isinstance(given, (list, tuple)) and all(isinstance(s, Snapshot) for s in given):
        return _simulate_snapshots(list(given), **choice)
    spec = str(store_folder or (DEFAULT_POOL if pool is None else pool))
    if dask is not None and store_folder is None and not Path(spec).is_dir():
        raise TribesError(f"--dask runs snapshot files the workers can read: give --pool DIR "
                          f"(not {spec!r})")
    wants_store = store_folder is not None or dask is not None or Path(spec).is_dir()
    if not wants_store:
        return _simulate_snapshots(list(sources.open_snapshots(spec, time=time)), **choice)
    paths = store_files(spec)
    # The first snapshot chooses the profiles and is dropped before the run reads the files
    # one by one (a store in memory one snapshot at a time); the other headers come from
    # the files' footers.
    notes: List[str] = []
    first = store.load(paths[0])
    chosen, ref = _choose(first, notes, choice)
    pools = [PoolHeader.of(first)] + [PoolHeader.of(rates_dask.header(p)) for p in paths[1:]]
    del first
    if dask is None:
        frame = rates_dask.simulate_store(paths, chosen, progress=progress)
    else:
        with rates_dask.connect(dask or None) as client:
            frame = rates_dask.simulate_store(paths, chosen, client=client, progress=progress)
    return _result(frame, pools, ref, notes)


def _simulate_snapshots(snapshots: List[Snapshot], **choice) -> SimulationResult:
    """The profiles chosen on the first snapshot, run on all (all in memory)."""
    if not snapshots:
        raise TribesError("no snapshot to simulate")
    notes: List[str] = []
    chosen, ref = _choose(snapshots[0], notes, choice)
    frame = simulate_snapshots(snapshots, chosen)
    return _result(frame, [PoolHeader.of(s) for s in snapshots], ref, notes)


def _choose(first: Snapshot, notes: List[str], choice: dict):
    """The profiles chosen on the first snapshot, and the ladder's reference slot."""
    chosen, index = choose_profiles(first, notes=notes, **choice)
    return chosen, Reference.of(first, index) if index is not None else None


def _result(frame: pd.DataFrame, pools: List[PoolHeader], ref: Optional[Reference],
            notes: List[str]) -> SimulationResult:
    warnings = notes + list(frame.attrs.get("warnings", []))
    return SimulationResult(frame, pools, ref, warnings)

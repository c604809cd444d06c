"""Many snapshots: one task per (snapshot, profile block), in this process or on Dask.

``simulate_store`` runs the profiles over snapshot files (a store folder's
Parquet files) and returns the same frame as ``simulation.simulate`` over the
loaded snapshots, in the same order. Each task loads its own snapshot, so a
year of snapshots never sits in memory at once, and a Dask worker reads the
file itself instead of being sent the table.

Without a client the tasks run here, one after another; with ``client`` (a
``distributed.Client``) they run on its cluster: a ``LocalCluster`` on this
machine, any scheduler address, or an ``HTCondorCluster`` from dask-jobqueue
on the pool itself. A progress bar (tqdm, on stderr) counts finished tasks in
both modes.

>>> frame = simulate_store(store.list_store("store/"), ladder_profiles)  # doctest: +SKIP
>>> with connect(None) as client:  # a LocalCluster  # doctest: +SKIP
...     frame = simulate_store(paths, ladder_profiles, client=client)
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

import pandas as pd

from simulator.analyses.progress import bar as progress_bar
from simulator.io import store
from simulator.jobs import Profile
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot

load = store.load


def header(path) -> Snapshot:
    """A snapshot's time, source and counts from its file's metadata, with no rows
    (enough to label a table)."""
    info = store.meta(path)
    return Snapshot(
        ads=pd.DataFrame(),
        time=int(info["time"]),
        time_source=info["time_source"],
        source=info["source"],
        skipped=info.get("skipped", {}),
        names=info.get("names", {}),
    )


def blocks(profiles: Sequence[Profile], size: Optional[int]) -> List[List[Profile]]:
    """Profiles cut into blocks of ``size`` (all in one block by default: the slot half
    of a match is shared by the profiles of one block)."""
    size = size or len(profiles) or 1
    return [list(profiles[i:i + size]) for i in range(0, len(profiles), size)]


def run_task(path, profiles: List[Profile]) -> pd.DataFrame:
    """One task: load one snapshot file and run a block of profiles on it."""
    from simulator.analyses.rates import simulate

    frame = simulate([load(path)], profiles)
    # attrs do not always survive pickling and concat: carry the warnings in a column
    frame["_warnings"] = [list(frame.attrs.get("warnings", []))] * len(frame)
    return frame


def simulate_store(
    paths: Sequence,
    profiles: Sequence[Profile],
    *,
    client=None,
    block: Optional[int] = None,
    progress: bool = True,
) -> pd.DataFrame:
    """``simulate`` over snapshot files, one task per (file, profile block). The paths are
    kept as given: those of ``store.list_store`` read the set that was listed."""
    paths = list(paths)
    if not paths:
        raise TribesError("no snapshot files to run")
    tasks = [(p, b) for p in paths for b in blocks(list(profiles), block)]
    results: List[Optional[pd.DataFrame]] = [None] * len(tasks)
    label = "tribes simulate" if client is None else "tribes simulate (dask)"
    # one task is one (snapshot, profile block); the bar goes to stderr
    bar = progress_bar(len(tasks), progress, label, "task")
    try:
        if client is None:
            for i, (path, chunk) in enumerate(tasks):
                results[i] = run_task(path, chunk)
                bar.update(1)
        else:
            from distributed import as_completed

            futures = [
                client.submit(run_task, path, chunk, key=f"tribes-{i}-{Path(path).name}",
                              pure=False)
                for i, (path, chunk) in enumerate(tasks)
            ]
            index = {f.key: i for i, f in enumerate(futures)}
            for future in as_completed(futures):
                results[index[future.key]] = future.result()
                bar.update(1)
    finally:
        bar.close()
    return _combine(results)


def _combine(results: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = list(results)
    frame = pd.concat(frames, ignore_index=True)
    warnings: List[str] = []
    for notes in frame.pop("_warnings"):
        warnings.extend(notes)
    frame.attrs["warnings"] = list(dict.fromkeys(warnings))
    return frame


# A scheduler address: [PROTOCOL://]HOST:PORT, HOST a name, an IPv4 address or [IPv6].
_ADDRESS = re.compile(r"(?:(tcp|tls|ws|wss|ucx)://)?"
                      r"([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*"
                      r"[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})")


def check_address(address: Optional[str]) -> None:
    """Refuse, before anything runs, a ``--dask`` address that names no scheduler
    (``""`` or None: a LocalCluster)."""
    if not address:
        return
    match = _ADDRESS.fullmatch(address)
    if not match or not 1 <= int(match.group(match.lastindex)) <= 65535:
        raise TribesError(f"--dask {address!r}: give a scheduler address, "
                          "[tcp://]HOST:PORT (PORT from 1 to 65535), or no address for a "
                          "cluster on this machine")


@contextlib.contextmanager
def connect(address: Optional[str] = None, *, workers: Optional[int] = None,
            processes: bool = True):
    """A Dask client, closed on exit: to ``address`` (a scheduler, e.g.
    ``tcp://host:8786``), or to a new ``LocalCluster`` on this machine (shut down
    on exit) when none is given. A remote cluster is left running."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a dependency
        raise TribesError("--dask needs the 'distributed' package") from exc
    if address:
        check_address(address)
        try:
            client = Client(address, timeout="20s")
        except (OSError, ValueError) as exc:
            raise TribesError(f"--dask {address}: cannot reach the scheduler ({exc})") from exc
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client

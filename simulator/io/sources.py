"""Where snapshots come from: one spec string, many kinds of source.

``open_snapshots(spec)`` takes a built-in pool name (``pool_2010``, the
default, or ``modern``; with parameters as ``modern:slots=N,seed=S``), a store
folder (all its snapshots, oldest first, read one at a time), a ``.parquet``
snapshot, an ads file in any supported format (sniffed), or ``collector:HOST``
(a live pool).

>>> [len(s) for s in open_snapshots("pool_2010")]  # doctest: +SKIP
[861]
"""

from __future__ import annotations

import collections.abc
import dataclasses
import re
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Callable,
    Iterable,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

from simulator.io.readers import build
from simulator.model import clock
from simulator.model.errors import SnapshotError, TribesError, no_such_file, not_a_folder
from simulator.model.snapshot import Snapshot
from simulator.model.text import check_regular
from simulator.pools import DEFAULT_POOL

if TYPE_CHECKING:
    from simulator.io.store import Leftovers

BUILTIN_POOLS = ("pool_2010", "modern")
COLLECTOR_PREFIX = "collector:"  # collector:cm.example.org[:9618], a live pool
# What a pool spec may be, said when one is none of them.
POOL_HINT = ("a pool is a file, a store folder, pool_2010, modern[:slots=N,seed=S] "
             "or collector:HOST")

T = TypeVar("T")


def open_snapshots(spec: Optional[str] = None, **options) -> SnapshotSequence:
    """The snapshots ``spec`` names, oldest first, as a sequence that reads each one when it
    is asked for and keeps only the one read last (``options`` and the rest: see
    ``iter_snapshots``); ``open_snapshots(store)[-1]`` reads only the newest file."""
    return SnapshotSequence(_items(spec, **options))


def iter_snapshots(spec: Optional[str] = None, **options) -> Iterator[Snapshot]:
    """The snapshots ``spec`` names, oldest first, one at a time: a store folder is read
    snapshot by snapshot, so memory holds one of them (the spec is checked before the first).

    ``time`` is the capture time of ads that carry none; ``pool_seed`` and ``pool_slots``
    override a generated pool's own (a seed also applies to nothing else; a size to a
    generated pool only)."""
    return iter(open_snapshots(spec, **options))


def map_snapshots(snapshots: Iterable[Snapshot], fn: Callable[[Snapshot], T]) -> Iterator[T]:
    """``fn(snapshot)`` for each of ``snapshots`` in turn, none of them held while the next
    is read: over a ``SnapshotSequence`` (or any iterator of snapshots) memory holds one
    snapshot and the small results. ``fn`` must not keep the snapshot."""
    if isinstance(snapshots, SnapshotSequence):
        yield from snapshots.map(fn)
        return
    for snapshot in snapshots:
        result = fn(snapshot)
        del snapshot  # not held while the next one is read
        yield result


class SnapshotSequence(collections.abc.Sequence):
    """Snapshots, oldest first, read on access: a store folder's files are loaded one at a
    time and only the one read last is kept (the one before is dropped before the next is
    read); a generated pool, a file or a live pool is the one snapshot, read when opened.

    ``files`` are the store's files (empty for a single snapshot)."""

    def __init__(self, items: Sequence[Union[Snapshot, Path]]):
        self._items = list(items)
        self._last: Optional[Tuple[int, Snapshot]] = None
        self.files: List[Path] = [i for i in self._items if isinstance(i, Path)]

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return SnapshotSequence(self._items[index])
        i = range(len(self._items))[index]  # an IndexError past the end, as a list's
        item = self._items[i]
        if isinstance(item, Snapshot):
            return item
        if self._last is not None and self._last[0] == i:
            return self._last[1]
        self._last = None  # drop the last one before the next is read
        from simulator.io import store

        snapshot = store.load(item)
        self._last = (i, snapshot)
        return snapshot

    def __iter__(self) -> Iterator[Snapshot]:
        for i in range(len(self._items)):
            snapshot = self[i]
            yield snapshot
            del snapshot

    def map(self, fn: Callable[[Snapshot], T]) -> Iterator[T]:
        """``fn(snapshot)`` for each snapshot in turn, one snapshot in memory at a time."""
        for i in range(len(self._items)):
            yield fn(self[i])

    def __repr__(self) -> str:
        return f"<{len(self)} snapshots>"


def _items(
    spec: Optional[str] = None,
    *,
    time: clock.TimeSpec = None,
    pool_seed: Optional[int] = None,
    pool_slots: Optional[int] = None,
) -> List[Union[Snapshot, Path]]:
    """What ``spec`` names: the one snapshot (read now), or a store folder's files."""
    spec = DEFAULT_POOL if spec is None or spec == "" else str(spec)
    from simulator import pools

    pools.check_params(seed=pool_seed, slots=pool_slots, names=("--seed", "--slots"))
    if spec.startswith(COLLECTOR_PREFIX):
        return [open_collector(spec[len(COLLECTOR_PREFIX):], time=time)]
    if spec.partition(":")[0] in BUILTIN_POOLS:
        # A name, or a spec with parameters: modern:slots=100000,seed=7.
        name, params = pools.parse_spec(spec)
        overrides = (("seed", pool_seed), ("slots", pool_slots))
        params.update({k: v for k, v in overrides if v is not None})
        return [pools.generate(name, **params)]
    if pool_slots is not None:
        raise TribesError(f"--slots applies only to a generated pool, not {spec}")
    path = Path(spec)
    if path.is_dir():
        from simulator.io import store

        files = store.list_store(path)
        if not files:
            raise SnapshotError(f"{spec}: a folder, but no snapshot-*.parquet files in it")
        return list(files)
    if path.is_file():
        return [open_file(path, time=time)]
    if path.exists():  # a FIFO, a device
        check_regular(spec, path.stat().st_mode, SnapshotError)
    raise no_such_file(spec, hint=POOL_HINT)


def snapshot_count(spec: Optional[str] = None) -> int:
    """How many snapshots ``spec`` names, none read: a store folder's files, else one."""
    spec = DEFAULT_POOL if spec is None or spec == "" else str(spec)
    if not spec.startswith(COLLECTOR_PREFIX) and Path(spec).is_dir():
        from simulator.io import store

        return len(store.list_store(spec))
    return 1


def open_file(path, *, time: clock.TimeSpec = None) -> Snapshot:
    """One ads file (any format) or Parquet snapshot; an error if it holds no slot ads."""
    from simulator.io import store
    from simulator.io.readers import read_file

    snap = store.load(path) if store.is_snapshot_file(path) else read_file(path, time=time)
    if not len(snap):
        others = build.describe_skipped(snap.skipped)
        raise SnapshotError(f"{path}: no slot ads (MyType \"Machine\") in it; other ads: {others}")
    return snap


def open_collector(host: str, *, time: clock.TimeSpec = None) -> Snapshot:
    """The slot ads of a live pool (see ``simulator.io.collector``)."""
    from simulator.io import collector

    snap = collector.read(host, time=time)
    if not len(snap):
        raise SnapshotError(f"collector {host}: no slot ads")
    return snap


@dataclasses.dataclass
class Stored:
    """A snapshot added to a store, the file it went to, and the leftovers of interrupted
    writes removed on the way (``store.Leftovers``)."""

    snapshot: Snapshot
    path: Path
    leftovers: Optional[Leftovers] = None


def add_snapshot(spec, store_dir, *, time: clock.TimeSpec = None,
                 replace: bool = False) -> Stored:
    """Read the one snapshot ``spec`` names (a file of ads, a Parquet snapshot,
    ``collector:HOST`` or a generated pool) and add it to the store folder ``store_dir``.

    ``time`` is the capture time of ads that carry none (a bad one is an error even where
    they do). Nothing is written when the ads cannot be read, nor when the store holds a
    snapshot of the same capture time, unless ``replace``.
    """
    from simulator.io import store

    folder = Path(store_dir)
    if folder.exists() and not folder.is_dir():
        raise not_a_folder(store_dir, "store folder")
    clock.parse_time(time)
    if Path(str(spec)).is_dir():
        raise TribesError(f"{spec}: a store folder; give one snapshot of it (a file), a file of "
                          "ads or collector:HOST")
    (snap,) = open_snapshots(spec, time=time)
    saved = store.put(snap, folder, replace=replace)
    return Stored(snap, saved.path, saved.leftovers)


# Names a file of ads is likely to end with; a bare host name ends otherwise.
_FILE_SUFFIXES = {".ad", ".ads", ".classad", ".gz", ".json", ".jsonl", ".long", ".parquet",
                  ".txt", ".xml"}
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*"
                   r"[A-Za-z0-9])?)*(:[0-9]+)?")


def bare_host(spec: str) -> bool:
    """Whether ``spec`` is a bare collector host (``cm.example.org[:9618]``), the old
    ``tribes snapshot --pool HOST``: no path, built-in pool nor ``collector:HOST``, and not
    named like a file.

    >>> bare_host("cm.example.org"), bare_host("pool.ads.gz"), bare_host("modern:slots=9")
    (True, False, False)
    """
    spec = str(spec)
    if spec.startswith(COLLECTOR_PREFIX) or spec.partition(":")[0] in BUILTIN_POOLS:
        return False
    if Path(spec).exists() or not _HOST.fullmatch(spec):
        return False
    return Path(spec.partition(":")[0]).suffix.lower() not in _FILE_SUFFIXES

"""The snapshot store: one Parquet file per snapshot time in a folder.

Files are named ``snapshot-YYYYMMDDTHHMMSSZ.parquet`` after the capture time,
so a folder listing is a time series.

What a write guarantees (a store never loses a snapshot, nor shows half a set):

* **One file** (``save``, ``tribes snapshot``) is written to ``.tmp-XXXXXXXX.parquet``
  in the store folder, flushed to disk and renamed over its final name, so a crash
  mid-write never replaces a good snapshot with half of one. A snapshot of a capture
  time the store already holds is refused unless ``replace``.
* **A set of files** (``rewrite``, ``tribes scenario run``) is built in a sibling folder
  ``.STORE.tmp-XXXXXXXX`` beside the store, then swapped with the store folder in one
  step: Linux's ``renameat2(RENAME_EXCHANGE)`` (or macOS's ``renamex_np(RENAME_SWAP)``)
  exchanges the two folders atomically, so the store path is at every instant a real
  folder holding either the complete old set or the complete new one; the old set,
  now in the sibling folder, is removed after the swap. Files of the store that are
  not snapshots (nor ``reboot.toml``) are carried over by hard link, and the store
  folder keeps its mode. Where the file system cannot exchange (NFS, for one), the
  swap is two renames (store to ``.STORE.old-XXXXXXXX``, new folder to store): for an
  instant the store path is missing (never a mix), and a writer killed in between
  leaves the old set in ``.STORE.old-*``, which the next write renames back.
* **One writer at a time.** Every write holds ``.STORE.lock``, a lock file beside the
  store (beside, because the folder itself is swapped), with ``fcntl.flock`` and its pid
  written in it; another writer waits up to ``LOCK_WAIT`` seconds, then fails with
  ``STORE: another tribes command is writing this store (pid N)``. The lock file is
  removed when the write ends (a waiter that wakes on a removed lock file starts over).
* **Leftovers.** Holding the lock, a writer knows no one else writes the store: the
  temporary files and folders of killed writers (``.tmp-*`` inside, ``.STORE.tmp-*`` and
  ``.STORE.old-*`` beside) are removed before it writes, and counted in its
  ``Leftovers``. Readers never see them (they list ``snapshot-*.parquet`` only).
* **File modes.** Files and folders are created with the normal mode, 0666 (0777 for
  folders) less the umask, so the pool's other users read a store as they read any file.

What a read guarantees (the set that was listed, whole, or a one-line error):

* **Readers take no lock.** A command may read a store for minutes (a replay), and a lock
  held that long would stop every writer (``LOCK_WAIT``); the lock file is also beside the
  store, where a reader may have no right to write. Instead, ``list_store`` opens the store
  folder once (``O_DIRECTORY``), lists it through that descriptor, checks the store path
  still leads to that folder (else it lists again) and returns ``StoreFile`` paths that
  remember it: ``load`` and ``meta`` open each file relative to the folder listed
  (``openat``), never by the store's path. A set swapped in meanwhile is never read: the
  reader goes on in the old folder, moved aside, and once the writer has removed it the
  next file is ``STORE: changed while being read (FILE is gone); run the command again``.
  Old and new sets sharing file names are never mixed.
* A ``StoreFile`` sent to another process (pickled, to a Dask worker) opens the folder by
  its path and refuses it, with the same error, when another folder has taken its place.
* ``tribes snapshot --replace`` replaces one file in place (a set is not swapped for it):
  a reader that opens that file afterwards reads the new snapshot of that capture time.
* **What is read is checked.** ``load`` refuses a Parquet file that is not a condor-tribes
  snapshot (no footer record, a column of anything but texts), a column name that is not
  a lower-case attribute name the ClassAd library writes and reads back, and a cell text
  the library would not have written (``text_problem``: ``1; START = false``,
  ``MY.'a; START = false'``, a comment that hides the rest of an ad). Each distinct text of
  a column is checked once (the columns are read as Arrow dictionaries): plain literals
  (integers, strings of printable ASCII, reals, booleans) by one Arrow regular expression
  for the whole file, the other texts one by one through the library (about 30 µs each;
  the last 65,536 are remembered for the process), so a column of a distinct expression
  per slot, not a plain literal, adds about 3 s per 100,000 slots to a load.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import sys
import time
import weakref
from pathlib import Path
from typing import BinaryIO, Iterator, List, Optional, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from simulator.model import clock
from simulator.model.condor import attribute_text, name_problem, text_problem
from simulator.model.errors import SnapshotError, no_such_folder, not_a_folder, read_error
from simulator.model.snapshot import Snapshot
from simulator.model.text import check_regular

_META_KEY = b"condor_tribes"

# Seconds a writer waits for another one to finish with the store before giving up.
LOCK_WAIT = 10.0
# The file ``rewrite`` leaves for ``tribes replay`` beside the snapshots, part of the set.
SET_FILES = ("reboot.toml",)

_TOKEN = r"[a-z0-9_]{8}"  # tempfile's and secrets.token_hex's 8 characters
_TMP_FILE = re.compile(rf"\.tmp-{_TOKEN}\.parquet")


def snapshot_filename(capture_time: int) -> str:
    return f"snapshot-{clock.format_time(capture_time, clock.STAMP_FORMAT)}.parquet"


def filename_time(path: Union[str, Path]) -> int:
    """The capture time a store file's name gives (``ValueError`` for another name)."""
    name = Path(path).name
    if not (name.startswith("snapshot-") and name.endswith(".parquet")):
        raise ValueError(f"{name}: not a snapshot file name")
    return clock.parse_stamp(name[len("snapshot-"):-len(".parquet")])


@dataclasses.dataclass
class Leftovers:
    """What a write cleaned up of interrupted ones before it: files and folders removed
    (``count``, ``size`` bytes), and whether it put back a store a swap had moved aside."""

    count: int = 0
    size: int = 0
    restored: bool = False


@dataclasses.dataclass
class Saved:
    """A snapshot ``put`` into a store: its file, and the leftovers removed before."""

    path: Path
    leftovers: Leftovers


def save(snapshot: Snapshot, store: Union[str, Path], *, replace: bool = False) -> Path:
    """Write ``snapshot`` into the ``store`` folder atomically; return its path.

    A store that already holds a snapshot of the same capture time is an error unless
    ``replace``."""
    return put(snapshot, store, replace=replace).path


def put(snapshot: Snapshot, store: Union[str, Path], *, replace: bool = False) -> Saved:
    """``save``, telling also what leftovers of interrupted writes it removed."""
    with locked(store) as lock:
        lock.folder.mkdir(exist_ok=True)
        final = lock.folder / snapshot_filename(snapshot.time)
        if not replace and os.path.lexists(final):
            raise SnapshotError(
                f"{Path(store) / final.name}: the store already holds a snapshot of this "
                "capture time (--replace to overwrite it)"
            )
        write(snapshot, final)
        return Saved(Path(store) / final.name, lock.leftovers)


def write(snapshot: Snapshot, path: Union[str, Path]) -> None:
    """Write one snapshot to ``path`` (temp file, flushed, renamed over ``path``)."""
    path = Path(path)
    table = pa.Table.from_pandas(snapshot.ads, preserve_index=False)
    meta = {
        "time": snapshot.time,
        "time_source": snapshot.time_source,
        "source": snapshot.source,
        "skipped": snapshot.skipped,
        "names": snapshot.names,
    }
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _META_KEY: json.dumps(meta).encode()}
    )
    tmp = _create_temp(path.parent)
    try:
        pq.write_table(table, tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _create_temp(folder: Path) -> Path:
    """A new empty ``.tmp-XXXXXXXX.parquet`` in ``folder``, mode 0666 less the umask
    (``tempfile.mkstemp`` would make it 0600, unreadable to the pool's other users)."""
    while True:
        tmp = folder / f".tmp-{secrets.token_hex(4)}.parquet"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue


def is_snapshot_file(path: Union[str, Path]) -> bool:
    """Whether ``path`` is a Parquet file (by its magic bytes), as the store writes."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def load(path: Union[str, Path]) -> Snapshot:
    """Read one snapshot file, checked (``check``): a file that is not a condor-tribes
    snapshot, or holds a name or a value the ClassAd library would not write, is a
    one-line SnapshotError naming the file (and the attribute and value).

    A column holds few distinct texts, so each is read dictionary-encoded and
    every cell that holds the same text shares one Python string: a million
    rows of 25 columns load in a fraction of a second.
    """
    with _open(path) as fh:
        try:
            schema = pq.ParquetFile(fh).schema_arrow
        except (OSError, pa.ArrowException) as exc:
            raise SnapshotError(f"{path}: not a readable snapshot ({exc})") from exc
        info = _meta(path, schema.metadata)
        _check_columns(path, schema, info.get("names", {}))
        strings = [f.name for f in schema
                   if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        try:
            table = pq.ParquetFile(fh, read_dictionary=strings).read()
        except (OSError, pa.ArrowException) as exc:
            raise SnapshotError(f"{path}: not a readable snapshot ({exc})") from exc
    names = info.get("names", {})
    _check_cells(path, table, names)
    data = {name: _cells(table.column(name)) for name in table.column_names}
    frame = pd.DataFrame(data, columns=table.column_names, dtype=object, copy=False)
    if not table.column_names:
        frame = pd.DataFrame()
    return Snapshot(
        ads=frame,
        time=int(info["time"]),
        time_source=info["time_source"],
        source=info["source"],
        skipped=info.get("skipped", {}),
        names=names,
    )


def meta(path: Union[str, Path]) -> dict:
    """A snapshot file's time, time_source, source, skipped, names and row count,
    read from its footer without loading any cell."""
    with _open(path) as fh:
        try:
            footer = pq.ParquetFile(fh).metadata
        except (OSError, pa.ArrowException) as exc:
            raise SnapshotError(f"{path}: not a readable snapshot ({exc})") from exc
    return {**_meta(path, footer.metadata), "rows": footer.num_rows}


# What a snapshot's footer holds, and the type of each (``skipped`` and ``names`` may be
# missing in older files).
_META_TYPES = {"time": int, "time_source": str, "source": str, "skipped": dict, "names": dict}
_KIND_WORDS = {int: "a whole number", str: "a text", dict: "a table"}
_META_REQUIRED = ("time", "time_source", "source")


def _meta(path, metadata) -> dict:
    """The condor-tribes record in a snapshot's footer, checked: a corrupt one is a
    SnapshotError naming the file, never a JSON or key error."""
    raw = (metadata or {}).get(_META_KEY)
    if raw is None:
        raise SnapshotError(f"{path}: a Parquet file, but not a condor-tribes snapshot")
    try:
        info = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _broken(path, f"not JSON: {exc}") from None
    if not isinstance(info, dict):
        raise _broken(path, f"a JSON {type(info).__name__}, not an object")
    missing = [key for key in _META_REQUIRED if key not in info]
    if missing:
        raise _broken(path, f"no {', '.join(missing)}")
    for key, kind in _META_TYPES.items():
        value = info.get(key, kind())
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _broken(path, f"{key} is {value!r}, not {_KIND_WORDS[kind]}")
    try:
        clock.format_time(info["time"], clock.STAMP_FORMAT)
    except (ValueError, OverflowError, OSError):
        raise _broken(path, f"time {info['time']} is not a capture time") from None
    return info


def _broken(path, reason: str) -> SnapshotError:
    return SnapshotError(f"{path}: not a readable snapshot (its condor-tribes footer is "
                         f"broken: {reason})")


# Texts that are one literal the library writes as it is (an integer of up to 18 digits,
# true, false, a string of printable ASCII whose only escape is \", a real as "%.15E" or
# 0.0): they pass without asking the library, as no such text can read as more than one
# value (RE2 syntax, matched by Arrow on each column's distinct texts at once).
_PLAIN = (r'^(?:0|-?[1-9][0-9]{0,17}|true|false|"(?:[ !#-\[\]-~]|\\")*"'
          r"|-?[1-9]\.[0-9]{15}E[-+][0-9]{2,3}|-?0\.0)$")


def _check_columns(path, schema: pa.Schema, names: dict) -> None:
    """Each column of a snapshot file is an attribute the library can write, named in lower
    case (its spelling, if the footer gives one, the same name), holding texts."""
    seen = set()
    for field in schema:
        column = field.name
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_null(kind)):
            raise SnapshotError(f"{path}: not a condor-tribes snapshot (column {column!r} holds "
                                f"{_kind(kind)}, not ClassAd expression texts)")
        if column in seen:
            raise _refused(path, f"column {column!r} twice")
        seen.add(column)
        if column != column.lower():
            raise _refused(path, f"column {column!r} is not in lower case, as a snapshot's are")
        spelling = names.get(column, column)
        if not isinstance(spelling, str) or spelling.lower() != column:
            raise _refused(path, f"the footer spells column {column!r} as {spelling!r}, "
                                 "another attribute")
        problem = name_problem(spelling)
        if problem:
            raise _refused(path, f"attribute name {spelling!r}: {problem}")


def _kind(kind: pa.DataType) -> str:
    """What cells of an Arrow type hold, in words."""
    for test, words in ((pa.types.is_integer, "integers"), (pa.types.is_floating, "numbers"),
                        (pa.types.is_decimal, "numbers"), (pa.types.is_boolean, "booleans"),
                        (pa.types.is_temporal, "dates or times"),
                        (pa.types.is_binary, "bytes"), (pa.types.is_large_binary, "bytes"),
                        (pa.types.is_nested, "nested values")):
        if test(kind):
            return words
    return str(kind)  # pragma: no cover - every Arrow type is one of the above


def _check_cells(path, table: pa.Table, names: dict) -> None:
    """Each distinct text of each column (the columns' dictionaries) is a value the ClassAd
    library would have written (``text_problem``): plain literals all at once, by Arrow, the
    others one by one through the library (each distinct text once a process)."""
    texts = {}  # column -> its dictionaries (chunk by chunk)
    for column in table.column_names:
        chunks = table.column(column).chunks
        if any(not (pa.types.is_dictionary(c.type) or pa.types.is_null(c.type))
               for c in chunks):  # pragma: no cover - strings are read as dictionaries
            chunks = [pc.unique(table.column(column)).dictionary_encode()]
        texts[column] = [c.dictionary for c in chunks if pa.types.is_dictionary(c.type)]
    every = [d for ds in texts.values() for d in ds]
    if not every or (len({d.type for d in every}) == 1
                     and _all_plain(pa.concat_arrays(every))):  # one regex compiled
        return
    for column, dictionaries in texts.items():
        for dictionary in dictionaries:
            if _all_plain(dictionary):
                continue
            plain = pc.match_substring_regex(dictionary, _PLAIN)
            for text in set(dictionary.filter(pc.invert(plain)).to_pylist()):
                problem = text_problem(text) if text is not None else None
                if problem:
                    shown = " ".join(text.split())
                    shown = shown if len(shown) <= 60 else shown[:57] + "..."
                    raise _refused(path, f"attribute {attribute_text(names.get(column, column))}"
                                         f": the value {shown!r} {problem}")


def _all_plain(texts) -> bool:
    """Whether every text (none: an absent cell) is a plain literal."""
    plain = pc.fill_null(pc.match_substring_regex(texts, _PLAIN), True)
    return pc.all(plain).as_py() is not False


def _refused(path, reason: str) -> SnapshotError:
    return SnapshotError(f"{path}: not a readable snapshot ({reason})")


def _cells(column: pa.ChunkedArray) -> np.ndarray:
    """One column as an object array: the texts, None where absent."""
    out = np.empty(len(column), dtype=object)
    pos = 0
    for chunk in column.chunks:
        n = len(chunk)
        if pa.types.is_dictionary(chunk.type):
            texts = np.array(chunk.dictionary.to_pylist() + [None], dtype=object)
            indices = chunk.indices
            if chunk.null_count:
                indices = indices.fill_null(len(texts) - 1)
            out[pos:pos + n] = texts[indices.to_numpy(zero_copy_only=False)]
        else:  # all-None columns are stored with the null type
            out[pos:pos + n] = chunk.to_pylist()
        pos += n
    return out


def list_store(store: Union[str, Path]) -> List[Path]:
    """The snapshot files of a store folder, oldest first: ``StoreFile`` paths, which
    ``load`` and ``meta`` read from the folder listed, whatever a writer swaps in since."""
    folder = Path(store)
    for _ in range(_LIST_TRIES):
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            raise no_such_folder(folder, SnapshotError) from None
        except NotADirectoryError:
            raise not_a_folder(folder, "store folder", SnapshotError) from None
        except OSError as exc:
            raise read_error(folder, exc, SnapshotError) from exc
        listing = _Listing(folder, fd)
        names = sorted(name for name in os.listdir(fd)
                       if name.startswith("snapshot-") and name.endswith(".parquet"))
        if listing.is_current():  # not swapped away while listed (then half removed)
            return [_regular(listing, name) for name in names]
    raise _changed(folder, "swapped again and again while listed")


# How many times a store swapped while being listed is listed again.
_LIST_TRIES = 5


class _Listing:
    """A store folder as listed: open (``fd``) until no file of the listing is left, so
    the files are read from the folder that was listed; ``identity`` (device, inode) checks
    the folder a copy sent to another process opens by its path."""

    def __init__(self, folder: Path, fd: Optional[int], identity=None):
        self.folder = folder
        self.fd = fd
        if fd is not None:
            st = os.fstat(fd)
            identity = (st.st_dev, st.st_ino)
            self._closer = weakref.finalize(self, os.close, fd)
        self.identity = identity

    def is_current(self) -> bool:
        """Whether the store path still leads to the folder listed."""
        try:
            st = os.stat(self.folder)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self.identity

    def open(self, name: str) -> BinaryIO:
        if self.fd is None:  # a copy in another process: open the folder, if still the one
            try:
                fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                raise _changed(self.folder, "it is gone") from None
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != self.identity:
                os.close(fd)
                raise _changed(self.folder, "another set of snapshots is in its place")
            self.fd = fd
            self._closer = weakref.finalize(self, os.close, fd)
        try:
            return os.fdopen(os.open(name, os.O_RDONLY, dir_fd=self.fd), "rb")
        except FileNotFoundError:
            raise _changed(self.folder, f"{name} is gone") from None


def _changed(folder, what: str) -> SnapshotError:
    return SnapshotError(f"{folder}: changed while being read ({what}); run the command again")


class StoreFile(type(Path())):
    """A path ``list_store`` gave: a plain path (its text, name, equality) that also knows
    the folder it was listed in, so that ``load`` reads the set that was listed. A copy
    sent to another process (pickled: a Dask worker) opens the folder by its path and
    refuses it when another set of snapshots has taken its place."""

    _listing: Optional[_Listing] = None  # None: a path derived from this one (``.parent``)

    @classmethod
    def listed(cls, listing: _Listing, name: str) -> StoreFile:
        path = cls(listing.folder, name)
        path._listing = listing
        return path

    def __reduce__(self):
        if self._listing is None:
            return (Path, (str(self),))
        listing = self._listing
        return (_unpickled, (str(listing.folder), listing.identity, self.name))


def _unpickled(folder: str, identity, name: str) -> StoreFile:
    return StoreFile.listed(_Listing(Path(folder), None, tuple(identity)), name)


def _open(path: Union[str, Path]) -> BinaryIO:
    """A snapshot file open for reading: from the folder it was listed in (``StoreFile``),
    else by its path."""
    listing = getattr(path, "_listing", None)
    try:
        if listing is not None:
            return listing.open(path.name)
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise read_error(path, exc, SnapshotError) from exc


def _regular(listing: _Listing, name: str) -> StoreFile:
    """The listed file ``name``, refused unless it is a regular file (looked at in the folder
    listed): a FIFO named like a snapshot held every reader of the store forever."""
    path = StoreFile.listed(listing, name)
    try:
        mode = os.stat(name, dir_fd=listing.fd).st_mode
    except OSError:  # gone since, or a loop of links: reading it says so
        return path
    if not stat.S_ISDIR(mode):  # a folder: reading it says so
        check_regular(path, mode, SnapshotError)
    return path


class StoreLock:
    """The lock on a store, held by ``locked``: ``folder`` (the store's real path),
    ``leftovers`` (what was cleaned up on taking it)."""

    def __init__(self, store: Union[str, Path], wait: Optional[float] = None):
        self.store = Path(store)
        self.folder = _real_path(self.store)
        self.path = self.folder.parent / f".{self.folder.name}.lock"
        self.wait = LOCK_WAIT if wait is None else wait
        self.leftovers = Leftovers()
        self._fd: Optional[int] = None

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise SnapshotError(
                        f"{self.store}: another tribes command is writing this store"
                        + _holder(self.path)
                    ) from None
                time.sleep(0.05)
                continue
            except BaseException:
                os.close(fd)
                raise
            try:  # the lock file a writer removed on leaving: start over
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self._fd = fd
        with contextlib.suppress(OSError):  # not when another user's lock file is read-only
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:
            if not self.path.exists():
                raise
            # Another user's, left by a killed writer: a lock is taken on a read-only file too.
            return os.open(self.path, os.O_RDONLY)

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None


def _holder(path: Path) -> str:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return ""
    return f" (pid {pid})"


def _real_path(store: Path) -> Path:
    """The store's absolute path, its symbolic links followed (a link to a store stays
    a link; the folder it points to is the one written)."""
    return Path(os.path.realpath(store))


@contextlib.contextmanager
def locked(store: Union[str, Path], wait: Optional[float] = None) -> Iterator[StoreLock]:
    """Hold the store's lock (creating the folders above it), put back a store an
    interrupted swap moved aside and remove the leftovers of interrupted writes."""
    folder = Path(store)
    if folder.exists() and not folder.is_dir():
        raise not_a_folder(folder, "store folder", SnapshotError)
    lock = StoreLock(store, wait)
    try:
        lock.folder.parent.mkdir(parents=True, exist_ok=True)
    except (NotADirectoryError, FileExistsError) as exc:
        raise SnapshotError(f"{folder}: cannot write ({exc.filename}: a file, not a folder)"
                            ) from exc
    try:
        lock.acquire()
    except PermissionError as exc:  # the folder above the store is not writable
        raise SnapshotError(f"{folder}: cannot write (its lock file {lock.path}: "
                            f"{os.strerror(exc.errno).lower()})") from exc
    try:
        lock.leftovers = _clean(lock.folder)
        yield lock
    finally:
        lock.release()


def leftovers_of(store: Union[str, Path]) -> List[Path]:
    """The temporary files and folders interrupted writes of ``store`` left, inside and
    beside it (only a writer holding the lock may remove them)."""
    folder = _real_path(Path(store))
    found = []
    if folder.is_dir():
        found += [p for p in folder.iterdir() if _TMP_FILE.fullmatch(p.name)]
    beside = re.compile(rf"\.{re.escape(folder.name)}\.(tmp|old)-{_TOKEN}")
    if folder.parent.is_dir():
        found += [p for p in folder.parent.iterdir() if beside.fullmatch(p.name)]
    return sorted(found)


def _clean(folder: Path) -> Leftovers:
    found = Leftovers()
    if not os.path.lexists(folder):
        moved = sorted((p for p in leftovers_of(folder) if ".old-" in p.name),
                       key=lambda p: p.stat().st_mtime_ns)
        if moved:  # killed between the two renames of a swap: the old set goes back
            os.rename(moved[-1], folder)
            found.restored = True
    for path in leftovers_of(folder):
        found.count += 1
        found.size += _size(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return found


def _size(path: Path) -> int:
    if not path.is_dir() or path.is_symlink():
        return path.lstat().st_size
    return sum(os.lstat(os.path.join(top, name)).st_size
               for top, _, names in os.walk(path) for name in names)


class Rewrite:
    """A new set of files for a store, built in ``folder`` (a sibling of the store) while
    ``locked``; ``commit`` swaps it in. ``existing``: the store's snapshot files before."""

    def __init__(self, lock: StoreLock):
        self.lock = lock
        self.store = lock.store
        self.target = lock.folder
        self.existing = list_store(self.target) if self.target.is_dir() else []
        self.folder = self._make_folder()
        self.committed = False

    def _make_folder(self) -> Path:
        while True:
            folder = self.target.parent / f".{self.target.name}.tmp-{secrets.token_hex(4)}"
            try:
                folder.mkdir(0o777)  # the umask applies, as to any new folder
            except FileExistsError:
                continue
            if self.target.is_dir():
                os.chmod(folder, stat.S_IMODE(self.target.stat().st_mode))
            return folder

    def commit(self) -> List[Path]:
        """Swap the new set in; return the store's snapshot files (under the path given)."""
        if self.target.is_dir():
            self._carry_over()
        _sync(self.folder)
        if not os.path.lexists(self.target):
            os.rename(self.folder, self.target)
            self.committed = True
        else:
            old = _swap(self.folder, self.target)
            self.committed = True
            shutil.rmtree(old, ignore_errors=True)  # what is left, the next write removes
        _sync(self.target.parent)
        return [self.store / p.name for p in list_store(self.target)]

    def _carry_over(self) -> None:
        """Hard-link the store's other files (not snapshots, nor the set's files, nor
        leftovers) into the new folder, so that the swap keeps them."""
        for entry in self.target.iterdir():
            name = entry.name
            if (name.startswith("snapshot-") and name.endswith(".parquet")) \
                    or name in SET_FILES or _TMP_FILE.fullmatch(name):
                continue
            dest = self.folder / name
            if os.path.lexists(dest):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, dest, symlinks=True, copy_function=_link_or_copy)
            else:
                _link_or_copy(entry, dest)


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


@contextlib.contextmanager
def rewrite(store: Union[str, Path], wait: Optional[float] = None) -> Iterator[Rewrite]:
    """Replace the whole set of files of ``store``, all or nothing: lock the store, fill
    ``Rewrite.folder``, call ``commit``. Leaving the block without committing removes the
    new folder (and the folders above the store this made) and keeps the store as it was.
    """
    made = _missing_parents(_real_path(Path(store)))
    try:
        with locked(store, wait) as lock:
            change = Rewrite(lock)
            try:
                yield change
            finally:
                if not change.committed:
                    shutil.rmtree(change.folder, ignore_errors=True)
    except BaseException:
        for folder in made:  # deepest first; only if empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _missing_parents(folder: Path) -> List[Path]:
    made = []
    parent = folder.parent
    while not parent.exists():
        made.append(parent)
        parent = parent.parent
    return made


def _swap(new: Path, target: Path) -> Path:
    """Put the folder ``new`` at ``target`` and return where the old ``target`` went:
    ``new``'s path, exchanged in one step where the system can; else ``.NAME.old-*``
    (``target`` moved aside, then ``new`` in: two renames)."""
    try:
        _exchange(new, target)
        return new
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP,
                             errno.EXDEV, errno.EPERM):
            raise
    aside = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
    os.rename(target, aside)
    os.rename(new, target)
    return aside


_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (``OSError`` ENOSYS where the system has no way to)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if hasattr(libc, "renameat2"):  # Linux (glibc 2.28+); RENAME_EXCHANGE = 2
        result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), 2)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):  # RENAME_SWAP = 2
        result = libc.renamex_np(os.fsencode(a), os.fsencode(b), 2)
    else:
        raise OSError(errno.ENOSYS, "no atomic exchange of two paths here")
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


def _sync(path) -> None:
    """Flush a folder's entries to disk (renames in it survive a power cut), where the
    file system lets a folder be flushed."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

"""The snapshot store: one Parquet file per snapshot time in a folder.

Files are named ``snapshot-YYYYMMDDTHHMMSSZ.parquet`` after the capture time,
so a folder listing is a time series. A file is written to a temporary name in
the same folder and renamed over the final one, so a crash mid-write never
replaces a good snapshot with half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import List, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.model import clock
from simulator.model.errors import SnapshotError, no_such_folder, not_a_folder
from simulator.model.snapshot import Snapshot

_META_KEY = b"condor_tribes"


def snapshot_filename(capture_time: int) -> str:
    return f"snapshot-{clock.format_time(capture_time, clock.STAMP_FORMAT)}.parquet"


def filename_time(path: Union[str, Path]) -> int:
    """The capture time a store file's name gives (``ValueError`` for another name)."""
    name = Path(path).name
    if not (name.startswith("snapshot-") and name.endswith(".parquet")):
        raise ValueError(f"{name}: not a snapshot file name")
    return clock.parse_stamp(name[len("snapshot-"):-len(".parquet")])


def save(snapshot: Snapshot, store: Union[str, Path]) -> Path:
    """Write ``snapshot`` into the ``store`` folder atomically; return its path."""
    folder = Path(store)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / snapshot_filename(snapshot.time)
    write(snapshot, final)
    return final


def write(snapshot: Snapshot, path: Union[str, Path]) -> None:
    """Write one snapshot to ``path`` (temp file + rename)."""
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
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".parquet", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def is_snapshot_file(path: Union[str, Path]) -> bool:
    """Whether ``path`` is a Parquet file (by its magic bytes), as the store writes."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def load(path: Union[str, Path]) -> Snapshot:
    """Read one snapshot file.

    A column holds few distinct texts, so each is read dictionary-encoded and
    every cell that holds the same text shares one Python string: a million
    rows of 25 columns load in a fraction of a second.
    """
    try:
        schema = pq.read_schema(path)
        strings = [f.name for f in schema
                   if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        table = pq.read_table(path, read_dictionary=strings)
    except (OSError, pa.ArrowException) as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({exc})") from exc
    info = _meta(path, schema.metadata)
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
        names=info.get("names", {}),
    )


def meta(path: Union[str, Path]) -> dict:
    """A snapshot file's time, time_source, source, skipped, names and row count,
    read from its footer without loading any cell."""
    try:
        footer = pq.ParquetFile(path).metadata
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
    """The snapshot files of a store folder, oldest first."""
    folder = Path(store)
    if not folder.is_dir():
        if folder.exists():
            raise not_a_folder(folder, "store folder", SnapshotError)
        raise no_such_folder(folder, SnapshotError)
    return sorted(folder.glob("snapshot-*.parquet"))

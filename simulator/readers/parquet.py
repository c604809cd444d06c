"""Loading a stored snapshot fast: the store's Parquet files, read as dictionaries.

``store.load`` turns every cell into its own Python string (about 5 s per
million rows of 25 columns here). A snapshot column holds few distinct texts,
so this reads each column dictionary-encoded and builds one Python string per
distinct text, shared by every cell that holds it: the same Snapshot, several
times faster. ``sources.open_snapshots`` loads stores and Parquet files with it.

>>> snap = load("store/snapshot-20260705T211947Z.parquet")  # doctest: +SKIP
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator import store
from simulator.exceptions import SnapshotError
from simulator.readers.text import PathLike
from simulator.snapshot import Snapshot


def load(path: PathLike) -> Snapshot:
    """Read one snapshot file written by ``store.write``; equal to ``store.load(path)``."""
    try:
        schema = pq.read_schema(path)
        strings = [f.name for f in schema if pa.types.is_string(f.type)
                   or pa.types.is_large_string(f.type)]
        table = pq.read_table(path, read_dictionary=strings)
    except (OSError, pa.ArrowException) as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({exc})") from exc
    raw = (schema.metadata or {}).get(store._META_KEY)
    if raw is None:
        raise SnapshotError(f"{path}: a Parquet file, but not a condor-tribes snapshot")
    meta = json.loads(raw)
    data = {name: _cells(table.column(name)) for name in table.column_names}
    frame = pd.DataFrame(data, columns=table.column_names, dtype=object, copy=False)
    if not len(table.column_names):
        frame = pd.DataFrame()
    return Snapshot(
        ads=frame,
        time=int(meta["time"]),
        time_source=meta["time_source"],
        source=meta["source"],
        skipped=meta.get("skipped", {}),
        names=meta.get("names", {}),
    )


def meta(path: PathLike) -> dict:
    """A stored snapshot's metadata (time, time_source, source, skipped, names) and
    its row count, read from the file footer without loading any cell.

    >>> meta("store/snapshot-20260705T211947Z.parquet")["time"]  # doctest: +SKIP
    1783286387
    """
    try:
        info = pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException) as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({exc})") from exc
    raw = (info.metadata or {}).get(store._META_KEY)
    if raw is None:
        raise SnapshotError(f"{path}: a Parquet file, but not a condor-tribes snapshot")
    return {**json.loads(raw), "rows": info.num_rows}


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

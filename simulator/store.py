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
import time as _time
from pathlib import Path
from typing import List, Union

import pyarrow as pa
import pyarrow.parquet as pq

from simulator.exceptions import SnapshotError
from simulator.snapshot import Snapshot

_META_KEY = b"condor_tribes"


def snapshot_filename(capture_time: int) -> str:
    stamp = _time.strftime("%Y%m%dT%H%M%SZ", _time.gmtime(capture_time))
    return f"snapshot-{stamp}.parquet"


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


def load(path: Union[str, Path]) -> Snapshot:
    """Read one snapshot file."""
    path = Path(path)
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({exc})") from exc
    raw = (table.schema.metadata or {}).get(_META_KEY)
    if raw is None:
        raise SnapshotError(f"{path}: a Parquet file, but not a condor-tribes snapshot")
    meta = json.loads(raw)
    frame = table.to_pandas()
    frame = frame.astype(object).where(frame.notna(), None)
    return Snapshot(
        ads=frame,
        time=int(meta["time"]),
        time_source=meta["time_source"],
        source=meta["source"],
        skipped=meta.get("skipped", {}),
        names=meta.get("names", {}),
    )


def list_store(store: Union[str, Path]) -> List[Path]:
    """The snapshot files of a store folder, oldest first."""
    folder = Path(store)
    if not folder.is_dir():
        raise SnapshotError(f"{folder}: no such store folder")
    return sorted(folder.glob("snapshot-*.parquet"))

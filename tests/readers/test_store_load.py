"""The snapshot store loads back exactly what it saved."""

import numpy as np
import pandas as pd
import pytest
from realads import OSPOOL, needs_real

from simulator.io import store
from simulator.io.readers import long
from simulator.model.errors import SnapshotError
from simulator.model.snapshot import Snapshot


def _same(a, b):
    assert a.ads.equals(b.ads)
    assert list(a.ads.columns) == list(b.ads.columns)
    assert (a.time, a.time_source, a.source, a.skipped, a.names) == (
        b.time, b.time_source, b.source, b.skipped, b.names)


def test_load_equals_what_was_saved_with_gaps_and_row_groups(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    texts = np.array(['"LINUX"', '"OSX"', "8", "Cpus * 2", None], dtype=object)
    frame = pd.DataFrame(
        {"opsys": texts[rng.integers(0, 5, 5000)], "cpus": texts[rng.integers(0, 5, 5000)],
         "never": np.array([None] * 5000, dtype=object)}, dtype=object)
    snap = Snapshot(frame, 1_000_000_000, "--time", "test", {"Scheduler": 2}, {"opsys": "OpSys"})
    real_write = store.pq.write_table
    # Small row groups: the loader must stitch chunks with their own dictionaries.
    monkeypatch.setattr(store.pq, "write_table",
                        lambda table, where: real_write(table, where, row_group_size=700))
    path = store.save(snap, tmp_path)
    _same(store.load(path), snap)


def test_meta_reads_only_the_footer(tmp_path):
    snap = Snapshot(pd.DataFrame({"a": ["1", None]}, dtype=object), 1_700_000_000, "mtime", "m",
                    {"Job": 1}, {"a": "A"})
    path = store.save(snap, tmp_path)
    info = store.meta(path)
    assert info["time"] == 1_700_000_000 and info["time_source"] == "mtime"
    assert info["rows"] == 2 and info["skipped"] == {"Job": 1} and info["names"] == {"a": "A"}
    bad = tmp_path / "bad.parquet"
    bad.write_text("nope")
    with pytest.raises(SnapshotError, match="not a readable snapshot"):
        store.meta(bad)


def test_empty_snapshot(tmp_path):
    snap = Snapshot(pd.DataFrame(), 5, "--time", "empty", {"Job": 20})
    path = store.save(snap, tmp_path)
    back = store.load(path)
    assert len(back) == 0 and back.skipped == {"Job": 20}


@needs_real
def test_real_snapshot_round_trip(tmp_path):
    snap = long.read(OSPOOL)
    path = store.save(snap, tmp_path)
    _same(store.load(path), snap)


def test_foreign_files_are_refused(tmp_path):
    bad = tmp_path / "x.parquet"
    bad.write_text("not parquet")
    with pytest.raises(SnapshotError, match="not a readable snapshot"):
        store.load(bad)
    plain = tmp_path / "plain.parquet"
    pd.DataFrame({"a": ["1"]}).to_parquet(plain)
    with pytest.raises(SnapshotError, match="not a condor-tribes snapshot"):
        store.load(plain)

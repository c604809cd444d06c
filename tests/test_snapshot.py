import pytest

from simulator.io import store
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.errors import SnapshotError
from simulator.model.snapshot import Snapshot


def _pool():
    return Snapshot.from_classads(
        [
            ClassAd({"OpSys": "LINUX", "Cpus": 4, "Name": "slot1@a"}),
            ClassAd({"OpSys": "OSX", "Cpus": 2, "Double": ExprTree("Cpus * 2")}),
        ],
        source="test",
        time=1_700_000_000,
    )


def test_columns_are_lower_case_and_hold_expression_text():
    snap = _pool()
    assert snap.ads.loc[0, "opsys"] == '"LINUX"'
    assert snap.ads.loc[1, "name"] is None
    assert snap.display_name("opsys") == "OpSys"


def test_values_evaluate_inside_each_ad():
    snap = _pool()
    assert snap.values("OPSYS").tolist() == ["LINUX", "OSX"]
    assert snap.values("double").tolist() == [None, 4]
    assert snap.values("nosuch").tolist() == [None, None]


def test_classad_round_trip():
    snap = _pool()
    ad = snap.classad(1)
    assert ad.eval("Double") == 4
    assert ad["OpSys"] == "OSX"


def test_store_round_trip_and_atomic_names(tmp_path):
    snap = _pool()
    path = store.save(snap, tmp_path)
    assert path.name == "snapshot-20231114T221320Z.parquet"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    back = store.load(path)
    assert back.time == snap.time and back.source == "test"
    assert back.ads.equals(snap.ads)
    assert back.values("double").tolist() == [None, 4]


def test_failed_write_keeps_the_good_snapshot(tmp_path, monkeypatch):
    snap = _pool()
    path = store.save(snap, tmp_path)
    good = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.pq, "write_table", broken)
    with pytest.raises(OSError):
        store.save(snap, tmp_path, replace=True)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_load_rejects_a_foreign_file(tmp_path):
    bad = tmp_path / "snapshot-x.parquet"
    bad.write_text("not parquet")
    with pytest.raises(SnapshotError, match="not a readable snapshot"):
        store.load(bad)

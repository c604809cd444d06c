"""open_snapshots: built-in pools, store folders, Parquet files, ads files; tribes snapshot."""

from pathlib import Path

import pytest

from simulator import cli
from simulator.io import sources, store
from simulator.model.condor import parse_ads
from simulator.model.errors import SnapshotError, TribesError
from simulator.model.snapshot import Snapshot

REAL = Path(__file__).resolve().parent / "fixtures" / "real-ads"
OSPOOL = REAL / "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz"
EC2_LONG = REAL / "Rhymlore__htcondor-web__wiki-archive_files_751_collector-status-any.txt"
EC2_XML = REAL / "Rhymlore__htcondor-web__wiki-archive_files_749_collector_condor_status.xml"
CONDOR_Q_JSON = REAL / "mivade__htcondor_status__htcondor_status_sample_condor_q_output.json"
needs_real = pytest.mark.skipif(not OSPOOL.exists(), reason="reference ads not available")

SMALL = 'MyType = "Machine"\nName = "slot1@a"\nOpSys = "LINUX"\nCpus = 4\n'


def _snap(when, name="a"):
    from simulator.model.condor import ClassAd

    return Snapshot.from_classads([ClassAd({"Name": name, "OpSys": "LINUX"})], source=name,
                                  time=when, time_source="--time")


@pytest.mark.parametrize("spec, expected", [(None, "pool_2010"), ("", "pool_2010"),
                                            ("pool_2010", "pool_2010"), ("modern", "modern")])
def test_builtin_pools_are_delegated_to_the_generators(monkeypatch, spec, expected):
    from simulator import pools

    asked = []

    def generate(name, **kwargs):
        asked.append((name, kwargs))
        return _snap(0, name)

    monkeypatch.setattr(pools, "generate", generate)
    snaps = sources.open_snapshots(spec, pool_seed=7)
    assert [s.source for s in snaps] == [expected]
    assert asked == [(expected, {"seed": 7})]
    sources.open_snapshots(spec)
    assert asked[-1] == (expected, {})


def test_a_store_folder_gives_all_its_snapshots_oldest_first(tmp_path):
    for when, name in ((2_000_000_000, "late"), (1_000_000_000, "early"), (1_500_000_000, "mid")):
        store.save(_snap(when, name), tmp_path)
    (tmp_path / "notes.txt").write_text("not a snapshot")
    snaps = sources.open_snapshots(str(tmp_path))
    assert [s.source for s in snaps] == ["early", "mid", "late"]
    assert [s.time for s in snaps] == sorted(s.time for s in snaps)


def test_a_parquet_file_is_one_snapshot(tmp_path):
    path = store.save(_snap(1_000_000_000, "one"), tmp_path)
    (snap,) = sources.open_snapshots(str(path))
    assert snap.source == "one" and snap.values("name").tolist() == ["one"]


@needs_real
@pytest.mark.parametrize("path, slots", [(OSPOOL, 143), (EC2_LONG, 2), (EC2_XML, 2)])
def test_an_ads_file_in_any_format(path, slots):
    (snap,) = sources.open_snapshots(str(path))
    assert len(snap) == slots and snap.source == str(path)


def test_time_is_passed_to_files_without_their_own(tmp_path):
    path = tmp_path / "pool.ads"
    path.write_text(SMALL)
    (snap,) = sources.open_snapshots(str(path), time="2010-01-27")
    assert (snap.time, snap.time_source) == (1264550400, "--time")


@needs_real
def test_job_ads_are_not_a_pool():
    with pytest.raises(SnapshotError, match=r'no slot ads \(MyType "Machine"\).*20 Job'):
        sources.open_snapshots(str(CONDOR_Q_JSON))


def test_unknown_specs_and_empty_stores_are_one_line_errors(tmp_path):
    with pytest.raises(TribesError) as err:
        sources.open_snapshots("no_such_pool")
    assert str(err.value) == ("no_such_pool: no such file (a pool is a file, a store folder, "
                              "pool_2010, modern[:slots=N,seed=S] or collector:HOST)")
    assert "\n" not in str(err.value)
    with pytest.raises(SnapshotError, match="no snapshot-"):
        sources.open_snapshots(str(tmp_path))


# --- tribes snapshot ------------------------------------------------------------------


@needs_real
def test_snapshot_command_from_a_file(tmp_path, capsys):
    assert cli.main(["snapshot", "--pool", str(OSPOOL), "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "snapshot-20260705T211947Z.parquet"
    assert out == (
        f"{path}: 143 slots; skipped 24 DaemonMaster, 24 StartD, 2 Accounting, 2 Collector, "
        "2 CredD, 2 Negotiator, 2 Scheduler, 2 Submitter, 1 HAD, 1 Replication; "
        "time 2026-07-05T21:19:47Z (from MyCurrentTime)\n"
    )
    (back,) = sources.open_snapshots(str(tmp_path))
    assert len(back) == 143 and back.time == 1783286387
    assert back.ads.equals(sources.open_file(OSPOOL).ads)


def test_snapshot_command_with_time_and_notes(tmp_path, capsys):
    ads = tmp_path / "ads.txt"
    ads.write_text(SMALL + '\nMyType = "Machine"\nName = "ce"\n\nMyType = "Scheduler"\n')
    store_dir = tmp_path / "store"
    args = ["snapshot", "--pool", str(ads), "--store", str(store_dir), "--time", "1264550400"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith("2 slots; skipped 1 Scheduler; time 2010-01-27T00:00:00Z "
                        "(from --time); 1 slot ad without OpSys (kept)")


def test_snapshot_command_on_a_bad_file_stores_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.ads"
    bad.write_text(SMALL + "\n" + SMALL.replace("Cpus = 4", "Cpus = (4"))
    store_dir = tmp_path / "store"
    assert cli.main(["snapshot", "--pool", str(bad), "--store", str(store_dir)]) == 1
    err = capsys.readouterr().err
    assert err == f"tribes: error: {bad}: ad 2, line 9: cannot parse the value: Cpus = (4\n"
    assert not store_dir.exists() or not list(store_dir.iterdir())


@needs_real
def test_snapshot_command_from_a_collector(tmp_path, capsys, monkeypatch):
    from simulator.io import collector

    class StandIn:
        def __init__(self, host):
            self.host = host

        def query(self, ad_type, projection=None):
            return list(parse_ads(EC2_LONG.read_text()))

    monkeypatch.setattr(collector.htcondor, "Collector", StandIn)
    argv = ["snapshot", "--pool", "collector:cm.example.org", "--store", str(tmp_path)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "2 slots; skipped 4 DaemonMaster, 4 Submitter" in out
    (snap,) = sources.open_snapshots(str(tmp_path))
    assert snap.source == "collector cm.example.org"


def test_snapshot_command_needs_a_source(capsys):
    with pytest.raises(SystemExit):
        cli.main(["snapshot", "--store", "x"])

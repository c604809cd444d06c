"""Capture time, and evaluation as of that moment: time() is frozen, never the wall clock."""

import os
import time
from pathlib import Path

import pytest

from simulator.io.readers import long
from simulator.model import clock
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot

REAL = Path(__file__).resolve().parent / "fixtures" / "real-ads"
OSPOOL = REAL / "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz"
needs_real = pytest.mark.skipif(not OSPOOL.exists(), reason="reference ads not available")


def test_parse_time():
    assert clock.parse_time(None) is None
    assert clock.parse_time("1783286387") == 1783286387
    assert clock.parse_time("2026-07-05T21:19:47Z") == 1783286387
    assert clock.parse_time("2026-07-05") == 1783209600
    with pytest.raises(TribesError, match="not a time"):
        clock.parse_time("last tuesday")


def test_capture_time_prefers_mycurrenttime_then_lastheardfrom(tmp_path):
    rows = [{"mycurrenttime": "100", "lastheardfrom": "900"}, {"mycurrenttime": "250"}]
    assert clock.capture_time(rows) == (250, "MyCurrentTime")
    assert clock.capture_time([{"lastheardfrom": "900"}, {}]) == (900, "LastHeardFrom")
    # An expression is not a time.
    assert clock.capture_time([{"mycurrenttime": "time()"}], given=7) == (7, "--time")
    f = tmp_path / "ads"
    f.write_text("")
    os.utime(f, (1_600_000_000, 1_600_000_000))
    assert clock.capture_time([{}], path=f) == (1_600_000_000, "mtime")
    assert clock.capture_time([{}], given="1970-01-02", path=f) == (86400, "--time")


def test_file_without_times_takes_time_then_mtime(tmp_path):
    f = tmp_path / "pool.ads"
    f.write_text('MyType = "Machine"\nOpSys = "LINUX"\n')
    os.utime(f, (1_500_000_000, 1_500_000_000))
    assert (long.read(f).time, long.read(f).time_source) == (1_500_000_000, "mtime")
    snap = long.read(f, time="2020-01-01T00:00:00Z")
    assert (snap.time, snap.time_source) == (1577836800, "--time")


@pytest.mark.parametrize(
    "expr, frozen",
    [
        ("time() < GLIDEIN_ToRetire", "100 < GLIDEIN_ToRetire"),
        ("TIME() - Time ( )", "100 - 100"),
        ('regexp("time()", Name) && time() > 5', 'regexp("time()", Name) && 100 > 5'),
        ('strcat("a \\" time() ", "b") == x', 'strcat("a \\" time() ", "b") == x'),
        ("GLIDEIN_ToDie - CurrentTime > 3600", "GLIDEIN_ToDie - 100 > 3600"),
        ("MY.CurrentTime + TARGET.CurrentTime", "MY.CurrentTime + TARGET.CurrentTime"),
        ("Mytime + time_left + LastTime", "Mytime + time_left + LastTime"),
        ("ifThenElse(x, {time(), 1}, [a = time()].a)", "ifThenElse(x, {100, 1}, [a = 100].a)"),
        ("'time()' + 1", "'time()' + 1"),
    ],
)
def test_freeze_time(expr, frozen):
    assert clock.freeze_time(expr, 100) == frozen
    ExprTree(clock.freeze_time(expr, 100))  # parses


def test_freeze_time_leaves_a_defined_current_time_alone():
    assert clock.freeze_time("CurrentTime + time()", 5, current_time=False) == "CurrentTime + 5"


def test_freeze_time_refuses_what_does_not_parse():
    with pytest.raises(TribesError, match="cannot freeze"):
        clock.freeze_time("time() +", 5)


def _pool(**extra):
    rows = [
        {"Name": '"early"', "MyCurrentTime": "100", "Retire": "150"},
        {"Name": '"late"', "MyCurrentTime": "200", "Retire": "150"},
        {"Name": '"no clock"', "Retire": "250"},
    ]
    ads = [ClassAd({k: ExprTree(v) for k, v in r.items()}) for r in rows]
    for ad in ads:
        ad["Fresh"] = ExprTree("time() < Retire")
        ad["Left"] = ExprTree("Retire - CurrentTime")
    return Snapshot.from_classads(ads, source="test", **extra)


def test_each_slot_is_evaluated_at_its_own_capture_time():
    snap = _pool(time=200, time_source="MyCurrentTime")
    assert snap.values("Fresh").tolist() == [True, False, True]
    assert snap.values("Left").tolist() == [50, -50, 50]
    assert "time()" not in snap.classad_text(0)
    assert snap.classad(0).lookup("Fresh").__str__() == "100 < Retire"


def test_time_zero_leaves_the_clock_alone():
    snap = _pool(time=0)
    assert "time() < Retire" in snap.classad_text(0)
    assert snap.values("Fresh").tolist() == [False, False, False]  # today is past 250


def test_freeze_job():
    job = ClassAd({"Deadline": ExprTree("time() + 60"), "Owner": "me"})
    frozen = clock.freeze_job(job, 1000)
    assert frozen.eval("Deadline") == 1060 and frozen["Owner"] == "me"
    assert job.eval("Deadline") > time.time()  # the job given is untouched
    assert clock.freeze_job(job, 0) is job
    own = ClassAd({"CurrentTime": 5, "Left": ExprTree("10 - CurrentTime")})
    assert clock.freeze_job(own, 1000).eval("Left") == 5


@needs_real
def test_ospool_glideins_are_alive_at_capture_time_and_retired_today():
    snap = long.read(OSPOOL)
    ads = snap.ads.copy()
    ads["alive"] = "time() < GLIDEIN_ToRetire"
    at_capture = Snapshot(ads, snap.time, snap.time_source, snap.source, names=snap.names)
    wall_clock = Snapshot(ads, 0, "none", snap.source, names=snap.names)
    glideins = snap.ads["glidein_toretire"].notna()
    alive = at_capture.values("alive")[glideins]
    assert glideins.sum() == 143
    assert alive.sum() >= 130 and alive.notna().all()
    assert not wall_clock.values("alive")[glideins].any()
    # The slots' own START policies read the capture moment too.
    timed = [i for i, s in enumerate(snap.ads["start"]) if "time()" in s]
    assert len(timed) == 35
    for i in timed:
        own = snap.ads.loc[i, "mycurrenttime"]
        start = str(snap.classad(i).lookup("START"))
        assert "time()" not in start and f"({own} < GLIDEIN_ToRetire)" in start

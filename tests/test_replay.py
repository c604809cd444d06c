"""The queue replay: waits worked out by hand, eviction, carving, and speed-independent facts."""


import numpy as np
import pytest

from simulator.analyses.replay import (
    JobProfile,
    Jobs,
    ReplayError,
    jobs_for_load,
    replay,
    synthetic_jobs,
)
from simulator.data import SCENARIOS
from simulator.match.plain import plain_match
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.snapshot import Snapshot

DAY = 86400
T0 = 1270425600  # 2010-04-05T00:00:00Z


def slot(name, opsys="LINUX", kernel="2.6.18-164.el5", **extra):
    ad = {"Name": f"{name}", "Machine": name.split("@")[-1], "OpSys": opsys,
          "kernel_version": kernel, "Cpus": 1, "Memory": 2048, "Requirements": True}
    ad.update(extra)
    return ClassAd(ad)


def pool(ads, day=0):
    return Snapshot.from_classads(ads, source=f"day {day}", time=T0 + day * DAY)


def profile(name, requirements, **request):
    job = ClassAd({"RequestCpus": request.get("cpus", 1),
                   "RequestMemory": request.get("mem", 1024)})
    job["Requirements"] = ExprTree(requirements)
    return JobProfile.from_job(name, job)


LINUX = 'TARGET.OpSys == "LINUX"'


def run(snapshots, profiles, submit, runtime, which=None, **kw):
    """The FIFO model unless told otherwise (these tests work its numbers out by hand)."""
    which = [0] * len(submit) if which is None else which
    jobs = Jobs(np.array(submit, float), np.array(runtime, float), np.array(which))
    kw.setdefault("negotiator", "fifo")
    return replay(snapshots, profiles, jobs, matcher=plain_match, **kw)


def test_single_slot_waits_worked_by_hand():
    # Cycles every 60 s. t=0: job0 starts (ends 100). t=60: slot busy. t=120: slot
    # free since 100, job1 (submitted 10) goes first: wait 110, ends 170.
    # t=180: job2 (submitted 100) starts: wait 80, ends 210.
    result = run([pool([slot("slot1@a")])], [profile("opsys", LINUX)],
                 submit=[0, 10, 100], runtime=[100, 50, 30])
    assert result.start.tolist() == [0, 120, 180]
    assert result.finish.tolist() == [100, 170, 210]
    (rec,) = result.records()
    assert rec["jobs"] == 3 and rec["finished"] == 3 and rec["never_started"] == 0
    assert rec["mean_wait_s"] == pytest.approx((0 + 110 + 80) / 3, abs=1e-3)
    assert rec["median_wait_s"] == 80
    # p95 of (0, 80, 110) by linear interpolation: 80 + 0.9 * 30
    assert rec["p95_wait_s"] == pytest.approx(107)
    assert rec["mean_slowdown"] == pytest.approx((100 / 100 + 160 / 50 + 110 / 30) / 3, abs=1e-3)


def test_cycle_length_sets_the_grid():
    # With 300 s cycles the same jobs start at 0, 300 and 600.
    result = run([pool([slot("slot1@a")])], [profile("opsys", LINUX)],
                 submit=[0, 10, 100], runtime=[100, 50, 30], cycle=300)
    assert result.start.tolist() == [0, 300, 600]


def test_leaving_slot_evicts_its_job_which_restarts_from_scratch():
    # Two one-slot machines; machine b is gone from the second day's snapshot.
    # Both jobs start at 0 and need 90000 s. At 86400 the job on b is evicted;
    # a frees at 90000 (a cycle boundary) and the evicted job starts over there,
    # finishing at 180000: waits 0 and 90000, slowdowns 1 and 2.
    day0 = pool([slot("slot1@a"), slot("slot1@b")], 0)
    day1 = pool([slot("slot1@a")], 1)
    result = run([day0, day1], [profile("opsys", LINUX)], submit=[0, 0],
                 runtime=[90000, 90000], horizon=3 * DAY)
    (rec,) = result.records()
    assert rec["evictions"] == 1
    assert sorted(result.start.tolist()) == [0, 90000]
    assert sorted(result.finish.tolist()) == [90000, 180000]
    assert rec["finished"] == 2 and rec["mean_wait_s"] == 45000
    assert rec["mean_slowdown"] == pytest.approx(1.5)


def test_jobs_cut_at_the_horizon_are_not_finished():
    day0 = pool([slot("slot1@a"), slot("slot1@b")], 0)
    day1 = pool([slot("slot1@a")], 1)
    result = run([day0, day1], [profile("opsys", LINUX)], submit=[0, 0], runtime=[90000, 90000])
    (rec,) = result.records()  # horizon: two days
    assert rec["finished"] == 1 and rec["never_started"] == 0


def test_partitionable_slot_is_carved_by_cores_and_memory():
    pslot = slot("slot1@big", Cpus=4, Memory=16384, PartitionableSlot=True)
    # Four one-core jobs fit at once; the next four wait for the first to end (100 s) and
    # start at the next cycle (120 s).
    result = run([pool([pslot])], [profile("small", LINUX)], submit=[0] * 8, runtime=[100] * 8)
    assert sorted(result.start.tolist()) == [0] * 4 + [120] * 4
    # Memory limits too: 6000 MB jobs, two at a time in 16384 MB.
    result = run([pool([pslot])], [profile("fat", LINUX, mem=6000)], submit=[0] * 4,
                 runtime=[100] * 4)
    assert sorted(result.start.tolist()) == [0, 0, 120, 120]


def test_static_slot_takes_one_job_whatever_its_size():
    result = run([pool([slot("slot1@a", Cpus=8)])], [profile("p", LINUX)], submit=[0, 0],
                 runtime=[100, 100])
    assert sorted(result.start.tolist()) == [0, 120]


def test_tight_profile_waits_for_its_only_slots_and_never_starts_without_them():
    snap = pool([slot("slot1@a", kernel="k1"), slot("slot1@b", kernel="k2"),
                 slot("slot1@c", kernel="k2")])
    profiles = [profile("opsys", LINUX), profile("kernel", 'TARGET.kernel_version == "k1"'),
                profile("gone", 'TARGET.kernel_version == "k9"')]
    # Three kernel jobs share one slot: they start at 0, 120, 240; the loose jobs start at once.
    result = run([snap], profiles, submit=[0, 0, 0, 0, 0, 0], runtime=[100] * 6,
                 which=[1, 1, 1, 0, 0, 2])
    recs = {r["profile"]: r for r in result.records()}
    assert recs["kernel"]["mean_wait_s"] == 120 and recs["kernel"]["p95_wait_s"] > 200
    assert recs["opsys"]["mean_wait_s"] == 0
    assert recs["gone"]["never_started"] == 1.0 and recs["gone"]["mean_wait_s"] is None


def test_oldest_job_first_across_profiles():
    snap = pool([slot("slot1@a", kernel="k1")])
    profiles = [profile("opsys", LINUX), profile("kernel", 'TARGET.kernel_version == "k1"')]
    result = run([snap], profiles, submit=[0, 5, 6], runtime=[100, 10, 10], which=[0, 1, 0])
    assert result.start.tolist() == [0, 120, 180]


def test_same_seed_same_result_and_load_sizing():
    snaps = [pool([slot(f"slot{i}@m{i // 4}") for i in range(40)], d) for d in range(3)]
    n = jobs_for_load(40, 3 * DAY, load=0.7, runtime_median=3600, runtime_sigma=0.5)
    assert n == round(0.7 * 40 * 3 * DAY / (3600 * np.exp(0.125)))
    jobs = synthetic_jobs(2, horizon=3 * DAY, jobs=n, runtime_median=3600, runtime_sigma=0.5,
                          seed=4)
    profiles = [profile("opsys", LINUX), profile("kernel", 'TARGET.kernel_version == "k1"')]
    a = replay(snaps, profiles, jobs, matcher=plain_match, seed=1, negotiator="fifo").records()
    b = replay(snaps, profiles, jobs, matcher=plain_match, seed=1, negotiator="fifo").records()
    assert a == b
    assert a[0]["finished"] > 0.9 * a[0]["jobs"]
    assert a[1]["never_started"] == 1.0


def test_bad_input_is_a_clear_error():
    with pytest.raises(ReplayError, match="no snapshots"):
        run([], [profile("opsys", LINUX)], [0], [1])
    with pytest.raises(ReplayError, match="profile"):
        run([pool([slot("slot1@a")])], [profile("opsys", LINUX)], [0], [1], which=[3])


def test_partitionable_slot_gets_back_what_its_dynamic_slots_hold():
    from simulator.analyses.replay import capacity

    snap = pool([
        slot("slot1@big", Cpus=2, Memory=1000, PartitionableSlot=True, SlotType="Partitionable"),
        slot("slot1_1@big", Cpus=4, Memory=3000, DynamicSlot=True, SlotType="Dynamic"),
        slot("slot1_2@big", Cpus=2, Memory=4000, DynamicSlot=True, SlotType="Dynamic"),
        slot("slot1@small", Cpus=1, Memory=2048),
    ])
    partitionable, cpus, memory, dynamic = capacity(snap)
    assert partitionable.tolist() == [True, False, False, False]
    assert dynamic.tolist() == [False, True, True, False]
    assert cpus.tolist() == [8, 0, 0, 1] and memory.tolist() == [8000, 0, 0, 2048]
    # Eight one-core jobs start at once on the carved slot, the ninth on the static one.
    result = run([snap], [profile("p", LINUX, mem=10)], submit=[0] * 10, runtime=[100] * 10)
    assert sorted(result.start.tolist()) == [0] * 9 + [120]


def test_cli_on_the_seed_scenario_wait_grows_from_opsys_to_kernel(tmp_path, capsys):
    import json

    from simulator.cli import main

    scenarios = SCENARIOS
    text = (scenarios / "rhel4_to_rhel5.toml").read_text().replace("days = 45", "days = 10")
    text = text.replace("date = 2010-05-01", "date = 2010-04-08")
    (tmp_path / "s.toml").write_text(text)
    target = str(tmp_path / "store")
    assert main(["scenario", "run", str(tmp_path / "s.toml"), "--store", target]) == 0
    capsys.readouterr()
    # As written, and FIFO: the test is about waits against the share of the pool each way
    # matches.
    args = ["replay", "--pool", target, "--profiles", "opsys,release,kernel", "--load", "0.9",
            "--seed", "5", "--format", "json", "--as-written", "--negotiator", "fifo"]
    assert main(args) == 0
    records = {r["profile"]: r for r in json.loads(capsys.readouterr().out)}
    assert list(records) == ["opsys", "release", "kernel"]
    assert set(records["opsys"]) == {"profile", "jobs", "finished", "never_started",
                                     "mean_wait_s", "median_wait_s", "p95_wait_s",
                                     "mean_slowdown", "evictions", "goodput_core_h",
                                     "lost_core_h", "pool_share"}
    # opsys and release match nearly the whole pool; the exact kernel a shrinking part.
    assert max(records["opsys"]["mean_wait_s"], records["release"]["mean_wait_s"]) < 120
    assert records["kernel"]["mean_wait_s"] > 3600
    assert records["kernel"]["p95_wait_s"] > 3600 > records["opsys"]["p95_wait_s"]
    assert main(args) == 0  # same seed, same answer
    assert {r["profile"]: r for r in json.loads(capsys.readouterr().out)} == records

    # The table, and an SWF trace mapped onto profiles by queue.
    swf = tmp_path / "jobs.swf"
    swf.write_text("; Version: 2\n" + "".join(
        f"{i} {i * 30} 0 3600 1 -1 -1 1 3600 -1 1 {i % 3} 1 -1 {1 + i % 2} -1 -1 -1\n"
        for i in range(1, 200)))
    assert main(["replay", "--pool", target, "--profiles", "opsys,kernel", "--trace", str(swf),
                 "--profile-map", "queue:1=opsys,2=kernel"]) == 0
    out = capsys.readouterr().out
    assert "trace" in out and "199 jobs" in out
    assert out.splitlines()[2].split()[:3] == ["profile", "jobs", "finished"]
    assert [line.split()[:2] for line in out.splitlines()[3:]] == [["opsys", "99"],
                                                                   ["kernel", "100"]]
    swf.write_text("1 0 0 10 1\n")
    assert main(["replay", "--pool", target, "--trace", str(swf)]) == 1
    assert "jobs.swf: line 1: expected 18 fields" in capsys.readouterr().err


def test_default_fast_masks_give_the_same_replay_as_the_plain_matcher():
    from simulator import pools
    from simulator.analyses.scenario import generate, parse_scenario
    from simulator.jobs import ladder, load_template

    base = pools.generate("modern", seed=3, slots=300)
    text = """
[scenario]
start = 2026-07-06
days = 3
seed = 1
[pool]
builtin = "modern"
[[wave]]
from = { OpSysMajorVer = 8 }
to = { OpSysMajorVer = 9, OpSysAndVer = "Rocky9" }
adoption = [[2026-07-08, 0.5]]
[churn]
leave_per_day = 3
"""
    snaps = list(generate(parse_scenario(text), base))
    ladder_profiles = ladder(snaps[0], load_template("plain"))
    profiles = [JobProfile.from_job(p.name, p.job) for p in ladder_profiles]
    jobs = synthetic_jobs(len(profiles), horizon=3 * DAY, jobs=1500, runtime_median=4 * 3600,
                          seed=2)
    fast = replay(snaps, profiles, jobs, seed=3)
    plain = replay(snaps, profiles, jobs, matcher=plain_match, seed=3)
    np.testing.assert_array_equal(fast.start, plain.start)
    np.testing.assert_array_equal(fast.finish, plain.finish)
    assert fast.records() == plain.records()


def test_records_by_period_split_the_totals():
    snaps = [pool([slot("slot1@a", kernel="k1"), slot("slot1@b", kernel="k2")], d)
             for d in range(2)]
    profiles = [profile("opsys", LINUX), profile("kernel", 'TARGET.kernel_version == "k1"')]
    # Day 0: three kernel jobs of 1000 s share slot a; day 1: one more, which waits for none.
    result = run(snaps, profiles, submit=[0, 0, 0, DAY + 5], runtime=[1000] * 4,
                 which=[1, 1, 1, 1])
    total = result.records()[1]
    days = [r for r in result.records(by=DAY) if r["profile"] == "kernel"]
    assert [r["period"] for r in days] == ["2010-04-05", "2010-04-06"]
    assert [r["jobs"] for r in days] == [3, 1] and total["jobs"] == 4
    # Day 0: waits 0, 1020 and 2040 (each start on the first cycle after the last one ended).
    assert days[0]["mean_wait_s"] == 1020 and days[1]["mean_wait_s"] == 55
    assert total["mean_wait_s"] == pytest.approx((0 + 1020 + 2040 + 55) / 4)


def test_a_full_partitionable_slot_is_matched_as_if_empty():
    from simulator.analyses.replay import empty_pool

    limits = ExprTree("MY.Cpus > 0 && TARGET.RequestCpus <= MY.Cpus && "
                      "TARGET.RequestMemory <= MY.Memory")
    snap = pool([
        slot("slot1@full", Cpus=0, Memory=0, PartitionableSlot=True, Requirements=limits),
        slot("slot1_1@full", Cpus=2, Memory=4096, DynamicSlot=True),
        slot("slot1_2@full", Cpus=2, Memory=4096, DynamicSlot=True),
    ])
    job = profile("p", LINUX)
    # As captured, the full slot refuses any job; emptied, it takes four.
    assert plain_match(snap, job.job).tolist() == [False, True, True]
    emptied = empty_pool(snap)
    assert emptied.ads["cpus"].tolist() == ["4", "2", "2"]
    assert emptied.ads["memory"].tolist() == ["8192", "4096", "4096"]
    assert plain_match(emptied, job.job).tolist() == [True, True, True]
    result = run([snap], [job], submit=[0] * 5, runtime=[100] * 5)
    assert sorted(result.start.tolist()) == [0, 0, 0, 0, 120]


def tiny_store(tmp_path):
    from simulator.io import store

    for day in range(2):
        ads = [slot(f"slot{i}@m{i}", kernel="k1" if i < 2 else "k2") for i in range(8)]
        store.save(pool(ads, day), tmp_path / "store")
    return str(tmp_path / "store")


def test_cli_mix_requirements_and_errors(tmp_path, capsys):
    import json

    from simulator.cli import main

    target = tiny_store(tmp_path)
    args = ["replay", "--pool", target, "--requirements", "k1=TARGET.kernel_version == \"k1\"",
            "--requirements", "any=true", "--jobs", "400", "--runtime-median", "3600",
            "--format", "json", "--as-written", "--mix", "k1=1,any=3"]
    assert main(args) == 0
    records = {r["profile"]: r for r in json.loads(capsys.readouterr().out)}
    assert list(records) == ["k1", "any"]
    assert records["any"]["jobs"] == pytest.approx(300, abs=40)
    # Two k1 slots for a quarter of the load; eight slots for all of it.
    assert records["k1"]["mean_wait_s"] > records["any"]["mean_wait_s"]
    assert main(args[:-1] + ["k1=1,k9=2"]) == 1
    assert "--mix 'k1=1,k9=2': 'k9=2' is not NAME=WEIGHT" in capsys.readouterr().err
    assert main(args + ["--cycle", "0"]) == 1
    assert "--cycle 0: give a number from 1 to 86400 seconds" in capsys.readouterr().err
    assert main(["replay", "--pool", str(tmp_path / "nothing")]) == 1
    assert "nothing: no such folder" in capsys.readouterr().err
    # A longer cycle can only make jobs wait longer.
    assert main(args + ["--cycle", "600"]) == 0
    slow = {r["profile"]: r for r in json.loads(capsys.readouterr().out)}
    assert slow["any"]["mean_wait_s"] > records["any"]["mean_wait_s"]

"""The fair-share negotiator of the replay, each case on a small pool worked out by hand."""

import numpy as np
import pytest

from simulator.analyses.replay import JobProfile, Jobs, replay, synthetic_jobs
from simulator.analyses.replay.accountant import Accountant, pie_limits
from simulator.analyses.replay.knobs import NegotiatorKnobs
from simulator.match.plain import plain_match
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.snapshot import Snapshot

DAY = 86400
T0 = 1270425600  # 2010-04-05T00:00:00Z
LINUX = 'TARGET.OpSys == "LINUX"'


def slot(name, kernel="k1", **extra):
    ad = {"Name": name, "Machine": name.split("@")[-1], "OpSys": "LINUX",
          "kernel_version": kernel, "Cpus": 1, "Memory": 2048, "Requirements": True}
    ad.update(extra)
    return ClassAd(ad)


def pool(ads, day=0):
    return Snapshot.from_classads(ads, source=f"day {day}", time=T0 + day * DAY)


def profile(name, requirements=LINUX, cpus=1, mem=1024):
    job = ClassAd({"RequestCpus": cpus, "RequestMemory": mem})
    job["Requirements"] = ExprTree(requirements)
    return JobProfile.from_job(name, job)


def run(snapshots, profiles, submit, runtime, which=None, users=None, names=None, **kw):
    n = len(submit)
    jobs = Jobs(np.array(submit, float), np.array(runtime, float),
                np.array([0] * n if which is None else which),
                None if users is None else np.array(users), names)
    return replay(snapshots, profiles, jobs, matcher=plain_match, **kw)


def test_two_equal_users_on_ten_slots_get_five_each():
    # Both submitters start at priority 0.5 with nothing in use: shares 1/2 each of 10 cores,
    # limits 5. The first served takes 5 (then its limit is used up), the other the other 5.
    # FIFO gives the 10 slots to the 10 oldest jobs, all A's.
    snap = pool([slot(f"slot1@m{i}") for i in range(10)])
    submit = [0] * 40
    users = [0] * 20 + [1] * 20
    result = run([snap], [profile("opsys")], submit, [50000] * 40, users=users,
                 names=["alice", "bob"])
    started = result.start == 0
    assert [int(started[np.array(users) == u].sum()) for u in (0, 1)] == [5, 5]
    fifo = run([snap], [profile("opsys")], submit, [50000] * 40, users=users,
               names=["alice", "bob"], negotiator="fifo")
    assert [int((fifo.start == 0)[np.array(users) == u].sum()) for u in (0, 1)] == [10, 0]
    per = {r["submitter"]: r for r in result.records(per="submitter")}
    assert per["alice"]["pool_share"] == pytest.approx(0.5, abs=1e-3)
    assert per["bob"]["pool_share"] == pytest.approx(0.5, abs=1e-3)


def test_a_light_users_kernel_job_starts_before_a_heavy_users_backlog():
    # Slots a (kernel k1) and b (k2). The heavy user's ten jobs (any kernel, 1300 s) take
    # both at 0; the light user's job pinned to k1 arrives at 100. The claims are older
    # than CLAIM_WORKLIFE (1200 s) when the jobs end at 1300, so they are released and
    # the cycle at 1320 decides: the light user (priority 0.5) comes before the heavy one
    # (priority above 0.5 after 1300 s of 2 cores) and takes a; the heavy user gets b.
    # FIFO serves the oldest jobs first: the heavy user's backlog (five rounds) goes first.
    snap = pool([slot("slot1@a", kernel="k1"), slot("slot1@b", kernel="k2")])
    profiles = [profile("opsys"), profile("kernel", 'TARGET.kernel_version == "k1"')]
    submit, runtime = [0] * 10 + [100], [1300] * 10 + [100]
    which, users = [0] * 10 + [1], [0] * 10 + [1]
    kw = dict(which=which, users=users, names=["heavy", "light"], horizon=DAY)
    result = run([snap], profiles, submit, runtime, **kw)
    assert result.start[-1] == 1320
    assert sorted(result.start[:10].tolist())[:3] == [0, 0, 1320]
    fifo = run([snap], profiles, submit, runtime, negotiator="fifo", **kw)
    assert fifo.start[-1] == 5 * 1320
    # The heavy user's priority: 0.5 decaying towards 2 cores for 1300 s of cycles, then 1.
    prio = {r["submitter"]: r["priority"] for r in result.records(per="submitter")}
    assert prio["light"] < prio["heavy"]


def test_priority_decay_folds_skipped_cycles_exactly():
    # Two cores held for 10 cycles: one update over 600 s equals ten updates of 60 s.
    one = Accountant(["u"], [1000.0], halflife=3600.0, cycle=60.0)
    one.change(0, 2.0, 0.0)
    one.update(0.0)
    one.settle()
    one.update(600.0)
    step = Accountant(["u"], [1000.0], halflife=3600.0, cycle=60.0)
    step.change(0, 2.0, 0.0)
    prio = 0.5
    decay = 0.5 ** (60 / 3600)
    for k in range(1, 11):
        step.update(60.0 * k)
        prio = prio * decay + 2 * (1 - decay)
    assert one.prio[0] == pytest.approx(step.prio[0]) == pytest.approx(prio)
    assert one.effective()[0] == pytest.approx(1000 * prio)
    # Shares follow 1/priority: priorities 1 and 3 share 12 cores 9 : 3.
    assert pie_limits(np.array([1.0, 3.0]), np.zeros(2), 12.0).tolist() == [9.0, 3.0]


def test_partitionable_slot_one_negotiated_match_then_leftovers():
    # A 16-core slot with 16000 MB; jobs of 1 core and 1000 MB, rounded up to 1024 MB
    # (MODIFY_REQUEST_EXPR_REQUESTMEMORY). With leftovers claimed (the default) 15 start
    # at 0: one negotiated match, 14 from the leftovers; the 16th finds 640 MB left. The
    # claims are older than CLAIM_WORKLIFE when the jobs end at 10000, so the cycle at
    # 10020 starts it. Without leftovers the slot takes one job per cycle.
    pslot = slot("slot1@big", Cpus=16, Memory=16000, PartitionableSlot=True)
    job = profile("p", mem=1000)
    result = run([pool([pslot])], [job], [0] * 16, [10000] * 16, horizon=DAY)
    assert sorted(result.start.tolist()) == [0] * 15 + [10020]
    knobs = NegotiatorKnobs(claim_partitionable_leftovers=False)
    result = run([pool([pslot])], [job], [0] * 16, [10000] * 16, horizon=DAY, knobs=knobs)
    assert sorted(result.start.tolist()) == [60 * k for k in range(15)] + [10020]
    # Rounding off: 16 x 1000 MB fit.
    knobs = NegotiatorKnobs(modify_request_expr_requestmemory="RequestMemory")
    result = run([pool([pslot])], [job], [0] * 16, [10000] * 16, horizon=DAY, knobs=knobs)
    assert sorted(result.start.tolist()) == [0] * 16


def test_best_fit_prefers_the_smallest_slot():
    # NEGOTIATOR_PRE_JOB_RANK: -100000 * Cpus - Memory, so the 1-core slot before the 8-core one.
    snap = pool([slot("slot1@big", Cpus=8, Memory=16384), slot("slot1@small")])
    result = run([snap], [profile("p")], [0, 0], [1000, 1000], horizon=DAY)
    assert result.start.tolist() == [0, 0]
    solo = run([snap], [profile("p")], [0], [1000], horizon=DAY)
    assert solo.records()[0]["pool_share"] == pytest.approx(1000 / (9 * DAY), abs=1e-6)


def test_a_finished_jobs_claim_goes_to_the_same_users_next_job():
    # One slot; alice's three 100 s jobs run back to back on one claim (no cycle between),
    # and bob's job (submitted at 50) waits until the claim is released at 300. FIFO
    # releases the slot each time and serves the oldest job at the next cycle. With
    # CLAIM_WORKLIFE 150, alice alone: the claim is too old at 200, so it is released and
    # her last job starts at the cycle at 240.
    snap = pool([slot("slot1@a")])
    kw = dict(users=[0, 0, 0, 1], names=["alice", "bob"], horizon=DAY)
    result = run([snap], [profile("p")], [0, 0, 0, 50], [100] * 4, **kw)
    assert result.start.tolist() == [0, 100, 200, 300]
    fifo = run([snap], [profile("p")], [0, 0, 0, 50], [100] * 4, negotiator="fifo", **kw)
    assert fifo.start.tolist() == [0, 120, 240, 360]
    short = run([snap], [profile("p")], [0, 0, 0], [100] * 3, users=[0, 0, 0], names=["alice"],
                horizon=DAY, knobs=NegotiatorKnobs(claim_worklife=150))
    assert short.start.tolist() == [0, 100, 240]


def test_a_kernel_update_drains_and_evicts_after_retirement():
    # Machine a moves from kernel k1 to k2 on day 1: it drains at 86400.
    day0, day1 = pool([slot("slot1@a", kernel="k1")], 0), pool([slot("slot1@a", kernel="k2")], 1)
    # MaxJobRetirementTime 0: the job running since 0 is evicted at 86400, the machine is
    # gone for 600 s, and the job starts over at 87000.
    result = run([day0, day1], [profile("p")], [0], [95000], horizon=3 * DAY)
    assert result.start.tolist() == [87000] and result.finish.tolist() == [182000]
    (rec,) = result.records()
    assert rec["evictions"] == 1 and rec["lost_core_h"] == pytest.approx(24.0)
    # Retirement counts from the job's start: a job started at 84600 with 3600 s of
    # retirement is evicted at 88200, the machine is back at 88800.
    knobs = NegotiatorKnobs(max_job_retirement_time=3600)
    result = run([day0, day1], [profile("p")], [84600], [5000], horizon=2 * DAY, knobs=knobs)
    assert result.start.tolist() == [88800] and result.evictions.tolist() == [1]
    assert result.records()[0]["lost_core_h"] == pytest.approx(1.0)
    # With 10000 s it finishes (89600); the machine reboots then and is back at 90200, so
    # a job submitted at 89000 starts at the next cycle, 90240.
    knobs = NegotiatorKnobs(max_job_retirement_time=10000, reboot_time=600)
    result = run([day0, day1], [profile("p")], [84600, 89000], [5000, 10], horizon=2 * DAY,
                 knobs=knobs)
    assert result.finish.tolist() == [89600, 90250] and result.evictions.tolist() == [0, 0]
    # FIFO does not drain: the machine keeps its job.
    fifo = run([day0, day1], [profile("p")], [0], [95000], horizon=3 * DAY, negotiator="fifo")
    assert fifo.evictions.tolist() == [0]


def test_a_glidein_slot_stops_matching_when_it_retires_mid_day():
    # START = time() < GLIDEIN_ToRetire, the retirement 5000 s into the day. Jobs of 1300 s
    # (longer than CLAIM_WORKLIFE, so each claim is released) start at 0, 1320, 2640 and
    # 3960; at 5280 the slot no longer matches, and the other six never start. Frozen at
    # the capture time (FIFO), the slot matches all day.
    glidein = slot("slot1@vm", START=ExprTree("time() < GLIDEIN_ToRetire"),
                   Requirements=ExprTree("START"), GLIDEIN_ToRetire=T0 + 5000)
    result = run([pool([glidein])], [profile("p")], [0] * 10, [1300] * 10, horizon=DAY)
    assert sorted(result.start[~np.isnan(result.start)].tolist()) == [0, 1320, 2640, 3960]
    assert result.records()[0]["never_started"] == pytest.approx(0.6)
    fifo = run([pool([glidein])], [profile("p")], [0] * 10, [1300] * 10, horizon=DAY,
               negotiator="fifo")
    assert fifo.records()[0]["never_started"] == 0


def test_same_seed_same_numbers_with_many_users():
    snaps = [pool([slot(f"slot{i}@m{i // 4}", kernel="k1" if i % 3 else "k2")
                   for i in range(40)], d) for d in range(2)]
    jobs = synthetic_jobs(2, horizon=2 * DAY, jobs=2000, runtime_median=1800, seed=4,
                          users=10, heavy_share=0.8)
    assert jobs.user_names[:2] == ["heavy1", "heavy2"] and len(jobs.user_names) == 10
    heavy = np.isin(jobs.user, [0, 1]).mean()
    assert heavy == pytest.approx(0.8, abs=0.04)
    profiles = [profile("opsys"), profile("kernel", 'TARGET.kernel_version == "k1"')]
    a = replay(snaps, profiles, jobs, matcher=plain_match, seed=1)
    b = replay(snaps, profiles, jobs, matcher=plain_match, seed=1)
    assert a.records(per="both") == b.records(per="both")
    np.testing.assert_array_equal(a.start, b.start)
    subs = a.records(per="submitter")
    assert sum(r["jobs"] for r in subs) == len(jobs)
    # A heavy user ends with a worse (higher) priority than a light one.
    prio = {r["submitter"]: r["priority"] for r in subs}
    assert prio["heavy1"] > prio["light1"]


def tiny_store(tmp_path, reboot=None):
    from simulator.io import store

    for day in range(2):
        kernel = "k1" if day == 0 else "k2"
        ads = [slot(f"slot{i}@m{i}", kernel=kernel if i < 2 else "k1") for i in range(8)]
        store.save(pool(ads, day), tmp_path / "store")
    if reboot:
        (tmp_path / "store" / "reboot.toml").write_text(reboot)
    return str(tmp_path / "store")


def test_cli_per_submitter_csv_and_knobs(tmp_path, capsys):
    import csv
    import io
    import json

    from simulator.cli import main

    target = tiny_store(tmp_path)
    base = ["replay", "--pool", target, "--requirements", "any=true", "--jobs", "300",
            "--runtime-median", "3600", "--users", "5", "--heavy-users", "1",
            "--heavy-share", "0.6", "--as-written"]
    assert main(base + ["--per", "submitter", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["submitter"] for r in records] == ["heavy1", "light1", "light2", "light3", "light4"]
    assert records[0]["jobs"] == pytest.approx(180, abs=30)
    assert records[0]["priority"] > records[1]["priority"] >= 500
    assert main(base + ["--per", "both", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0])[:3] == ["profile", "submitter", "jobs"]
    assert sum(int(r["jobs"]) for r in rows) == 300
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "fairshare negotiator" in out and "5 submitters" in out
    # Machines m0 and m1 reboot into k2 on day 1: their jobs are evicted (retirement 0).
    assert main(base + ["--format", "json", "--runtime-median", "200000"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["evictions"] >= 1
    assert main(base + ["--format", "json", "--runtime-median", "200000",
                        "--reboot-attributes", "OpSys"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["evictions"] == 0
    assert main(base + ["--prio-factor", "heavy1"]) == 1
    assert "--prio-factor 'heavy1': give USER=FACTOR" in capsys.readouterr().err
    assert main(base + ["--claim-worklife", "nan"]) == 1
    assert "--claim-worklife nan" in capsys.readouterr().err
    assert main(base + ["--users", "0"]) == 1
    assert "--users 0" in capsys.readouterr().err


def test_scenario_reboot_table_reaches_the_replay(tmp_path):
    from simulator.analyses.replay.session import store_reboot_settings
    from simulator.analyses.scenario import ScenarioError, parse_scenario

    head = "[scenario]\nstart = 2010-04-05\ndays = 2\n[pool]\nbuiltin = 'pool_2010'\n"
    scenario = parse_scenario(head + "[reboot]\nmax_job_retirement_time = 3600\n"
                              "reboot_time = 900\nattributes = ['kernel_version']\n")
    assert scenario.reboot == {"max_job_retirement_time": 3600.0, "reboot_time": 900.0,
                               "reboot_attributes": ("kernel_version",)}
    with pytest.raises(ScenarioError,
                       match="line 7: reboot.reboot_time: -1: give a number from 0 to 1e9"):
        parse_scenario(head + "[reboot]\nreboot_time = -1\n")
    with pytest.raises(ScenarioError, match="line 7: reboot.retirement: unknown key"):
        parse_scenario(head + "[reboot]\nretirement = 5\n")
    target = tiny_store(tmp_path, "[reboot]\nreboot_time = 1200\n")
    knobs = NegotiatorKnobs(**store_reboot_settings(target))
    assert knobs.reboot_time == 1200 and knobs.max_job_retirement_time == 0

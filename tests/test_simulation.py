"""simulate(): records, exactness against the plain loop, capture time, the CLI."""

import dataclasses
import json
from pathlib import Path

import pytest

from simulator import cli
from simulator import jobs as prof
from simulator.analyses.rates import (
    RECORD_KEYS,
    at_capture_time,
    missing_attributes,
    plain_sides,
    simulate,
)
from simulator.model.condor import ClassAd, ExprTree, parse_one
from simulator.model.snapshot import Snapshot

REAL = Path(__file__).resolve().parent / "fixtures" / "real-ads"
OSPOOL = REAL / "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz"
REQUIREMENTS = REAL / "job_requirements.txt"
CAPTURED = 1783286387  # 2026-07-05T21:19:47Z, the sample's latest MyCurrentTime

# A small pool in condor_status -l form. Machine a's START reads the clock and
# retires its glidein an hour after the capture; machine c wants a ProjectName.
POOL_ADS = """\
MyType = "Machine"
Arch = "X86_64"
Disk = 100000000
HasFileTransfer = true
Name = "slot1@a.example.org"
Machine = "a.example.org"
OpSys = "LINUX"
OpSysAndVer = "AlmaLinux9"
OpSysMajorVer = 9
kernel_version = "5.14.0-362.el9"
glibc_version = "glibc-2.34-83.el9"
glibc_base_version = "2.34"
Cpus = 4
Memory = 8192
State = "Unclaimed"
SlotType = "Static"
MyCurrentTime = 1783286387
GLIDEIN_ToRetire = 1783290000
START = time() < GLIDEIN_ToRetire
Requirements = START

MyType = "Machine"
Arch = "X86_64"
Disk = 100000000
HasFileTransfer = true
Name = "slot2@a.example.org"
Machine = "a.example.org"
OpSys = "LINUX"
OpSysAndVer = "AlmaLinux9"
OpSysMajorVer = 9
kernel_version = "5.14.0-362.el9"
glibc_version = "glibc-2.34-83.el9"
glibc_base_version = "2.34"
Cpus = 4
Memory = 8192
State = "Claimed"
RemoteUser = "ann@ap.example.org"
SlotType = "Static"
MyCurrentTime = 1783286387
GLIDEIN_ToRetire = 1783290000
START = time() < GLIDEIN_ToRetire
Requirements = START

MyType = "Machine"
Arch = "X86_64"
Disk = 100000000
HasFileTransfer = true
Name = "slot1@b.example.org"
Machine = "b.example.org"
OpSys = "LINUX"
OpSysAndVer = "AlmaLinux9"
OpSysMajorVer = 9
kernel_version = "5.14.0-427.el9"
glibc_version = "glibc-2.34-100.el9"
glibc_base_version = "2.34"
Cpus = 8
Memory = 16384
State = "Unclaimed"
SlotType = "Static"
MyCurrentTime = 1783286300
START = true
Requirements = START

MyType = "Machine"
Arch = "X86_64"
Disk = 100000000
HasFileTransfer = true
Name = "slot1@c.example.org"
Machine = "c.example.org"
OpSys = "LINUX"
OpSysAndVer = "CentOS7"
OpSysMajorVer = 7
kernel_version = "3.10.0-1160.el7"
glibc_version = "glibc-2.17-326.el7"
glibc_base_version = "2.17"
Cpus = 2
Memory = 4096
State = "Unclaimed"
SlotType = "Static"
MyCurrentTime = 1783286200
START = TARGET.ProjectName =!= undefined
Requirements = START

MyType = "Scheduler"
Name = "ap.example.org"
"""


# What every startd publishes and condor_submit's clauses read (Arch, Disk, Memory …).
STARTD = {"OpSys": "LINUX", "Arch": "X86_64", "Memory": 4096, "Disk": 100_000_000,
          "HasFileTransfer": True}


@pytest.fixture
def pool_file(tmp_path):
    path = tmp_path / "pool.ads"
    path.write_text(POOL_ADS)
    return path


def small_snapshot(pool_file):
    from simulator.io.sources import open_snapshots

    (snap,) = open_snapshots(str(pool_file))
    return snap


@pytest.fixture(scope="module")
def ospool():
    from simulator.io.sources import open_snapshots

    (snap,) = open_snapshots(str(OSPOOL))
    return snap


def run_cli(capsys, *argv):
    code = cli.main(["simulate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- the library ------------------------------------------------------------


def test_records_have_the_documented_keys(pool_file):
    snap = small_snapshot(pool_file)
    profiles = prof.from_requirements(['TARGET.OpSys == "LINUX"'], prof.load_template("plain"))
    frame = simulate([snap], profiles)
    (record,) = frame.to_dict(orient="records")
    assert tuple(record) == RECORD_KEYS
    assert record["snapshot"] == "2026-07-05T21:19:47Z"
    assert (record["matching_slots"], record["total_slots"]) == (3, 4)
    assert record["match_rate"] == 0.75
    assert record["matching_cores"] == 16 and record["matching_machines"] == 2
    # c wants a ProjectName the plain job lacks; a's slot2 is claimed by ann: serving others.
    assert (record["rejecting_job"], record["serving_others"], record["available_now"]) == (1, 1, 2)
    assert record["requirements"].startswith('(TARGET.OpSys == "LINUX") && (TARGET.Arch')


def test_time_is_the_capture_time_for_slots_and_jobs(pool_file):
    snap = small_snapshot(pool_file)
    # As of today, machine a's glidein has retired: the wall clock would reject the job.
    raw = parse_one(f"[ GLIDEIN_ToRetire = {CAPTURED + 3613}; START = time() < GLIDEIN_ToRetire ]")
    assert raw.eval("START") is False
    job_clock = f"time() < {CAPTURED + 3613} && TARGET.OpSys == \"LINUX\""
    profiles = prof.from_requirements([job_clock], prof.load_template("ospool"))
    (record,) = simulate([snap], profiles).to_dict(orient="records")
    assert record["matching_slots"] == 4  # a, a, b, and c now that the job has a ProjectName


def test_partitionable_slots_are_judged_drained_when_the_request_does_not_fit():
    within = "TARGET.RequestCpus <= MY.Cpus && TARGET.RequestMemory <= MY.Memory"
    ads = [ClassAd({**STARTD, "Machine": f"p{k}", "PartitionableSlot": True,
                    "Cpus": cpus, "Memory": memory, "TotalSlotCpus": 8, "TotalSlotMemory": 16000,
                    "TotalSlotDisk": 10**8, "Start": True,
                    "WithinResourceLimits": ExprTree(within),
                    "Requirements": ExprTree("Start && WithinResourceLimits")})
           for k, (cpus, memory) in enumerate(((4, 1000), (0, 8000), (2, 8000)))]
    ads += [ClassAd({**STARTD, "Machine": "p0", "DynamicSlot": True, "Cpus": 4, "Memory": 15000,
                     "RemoteUser": "ann@ap", "Requirements": True})]
    snap = Snapshot.from_classads(ads, source="p")
    job = prof.from_requirements(["true"], prof.load_template("plain"))  # 1 core, 1024 MB
    (record,) = simulate([snap], job).to_dict(orient="records")
    # p0 (1000 MB left) and p1 (no core left) fit only drained; p2 fits now; the dynamic
    # slot is left out, as condor_q leaves it out; a drained slot offers its whole 8 cores.
    assert (record["total_slots"], record["dynamic_slots_skipped"]) == (3, 1)
    assert (record["available_now"], record["available_if_drained"]) == (1, 2)
    assert record["matching_slots"] == 3 and record["matching_cores"] == 2 + 8 + 8
    assert record["total_machines"] == 3


@pytest.mark.slow  # 5-10 s: the plain reference evaluates 30 x 143 slots one by one
def test_every_real_requirement_on_the_ospool_sample_equals_the_plain_loop(ospool):
    from simulator.match.condor_q import CATEGORIES, plain_run_analysis

    snap = ospool
    lines = [line.split("  ## ")[0].strip() for line in REQUIREMENTS.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lines) == 30
    profiles = prof.from_requirements(lines, prof.load_template("ospool"))
    frame = simulate([snap], profiles)
    for k, profile in enumerate(profiles):
        # jobmatch.cpp's rules one slot at a time with the library: every count agrees.
        plain = plain_run_analysis(snap, at_capture_time(profile.job, snap.time))
        counts = plain.counts()
        for key in (*CATEGORIES, "total_slots", "dynamic_slots_skipped", "matching_slots"):
            assert frame[key][k] == counts[key], (profile.name, key)
        assert frame["matching_cores"][k] == plain.cpus[plain.matching].sum()
    parts = list(CATEGORIES)
    assert (frame[parts].sum(axis=1) == frame["total_slots"]).all()
    assert (frame["total_slots"] + frame["dynamic_slots_skipped"] == len(snap)).all()
    assert frame["matching_slots"].gt(0).sum() >= 10  # not a table of zeros


def test_ospool_job_with_the_real_requirement_as_of_capture_time(ospool):
    """Pinned: the OSPool-style job of fliphilipp's condor_q -better-analyze on the sample."""
    snap = ospool
    assert snap.time == CAPTURED
    requirement = next(line.split("  ## ")[0].strip()
                       for line in REQUIREMENTS.read_text().splitlines()
                       if "OSG_HOST_KERNEL_VERSION >= 31000" in line)
    # A queued job's Requirements, taken as it is (condor_submit already wrote its clauses).
    ospool = prof.load_template("ospool")
    profiles = prof.from_requirements([requirement], ospool, prof.JobWriter(ospool, appends=False))
    (record,) = simulate([snap], profiles).to_dict(orient="records")
    # condor_q 24.x: the 116 dynamic slots are left out; 16 partitionable slots with little
    # left are judged drained; 127 slots are claimed (RemoteUser): they serve other users.
    assert {k: record[k] for k in ("total_slots", "dynamic_slots_skipped", "total_machines",
                                   "rejected_by_job", "rejecting_job", "serving_others",
                                   "available_now", "available_if_drained",
                                   "matching_slots")} == {
        "total_slots": 27, "dynamic_slots_skipped": 116, "total_machines": 141,
        "rejected_by_job": 7, "rejecting_job": 8, "serving_others": 3, "available_now": 1,
        "available_if_drained": 8, "matching_slots": 12,
    }
    # The same job with only what condor_submit adds has no ProjectName: OSPool
    # START policies turn it away everywhere.
    plain_template = prof.load_template("plain")
    plain = prof.from_requirements([requirement], plain_template,
                                   prof.JobWriter(plain_template, appends=False))
    assert simulate([snap], plain)["matching_slots"][0] == 0
    # Why so few are free now: the partitionable slots have little left (README).
    job = at_capture_time(profiles[0].job, snap.time)
    left = [slot for slot in snap.classads() if slot.get("SlotType") == "Partitionable"]
    for slot in left:
        slot["Requirements"] = ExprTree("WithinResourceLimits")
    too_small = [slot for slot in left if not job.matches(slot)]
    assert (len(left), len(too_small)) == (16, 14)
    assert sum(slot.get("Cpus") == 0 for slot in too_small) == 11
    # At today's clock every glidein has retired: nothing matches, 20 of 27 slots say no.
    (today,) = simulate([dataclasses.replace(snap, time=0)], profiles).to_dict(orient="records")
    assert (today["matching_slots"], today["rejecting_job"]) == (0, 20)


def test_missing_attributes_are_named(pool_file):
    snap = small_snapshot(pool_file)
    job = prof.with_requirements(prof.load_template("plain"),
                                 "TARGET.HasKVM && MY.RequestCpus > 0 && Flavor == CurrentTime")
    assert missing_attributes(snap, job) == ["Flavor", "HasKVM"]
    literal = prof.with_requirements(prof.load_template("plain"), "true")
    assert missing_attributes(snap, literal) == []
    frame = simulate([snap], [prof.Profile("kvm", job, "TARGET.HasKVM")])
    assert frame["matching_slots"][0] == 0
    assert frame.attrs["warnings"] == ["profile kvm: no slot of pool.ads has Flavor",
                                       "profile kvm: no slot of pool.ads has HasKVM"]


def test_custom_sides_are_used(pool_file):
    snap = small_snapshot(pool_file)
    calls = []

    def sides(snapshot, job):
        calls.append(snapshot.source)
        return plain_sides(snapshot, job)

    profiles = prof.from_requirements(["true", "false"], prof.load_template("plain"))
    frame = simulate([snap, snap], profiles, sides=sides)
    # c turns the plain job away (no ProjectName): 3 of 4 slots take "true".
    assert len(calls) == 4 and frame["matching_slots"].tolist() == [3, 0, 3, 0]


# --- the command --------------------------------------------------------------

# tribes simulate on POOL_ADS, worked out by hand: every slot has memory and disk enough,
# c wants a ProjectName, a's slot2 is claimed by ann (serving others).
LADDER_TABLE = (Path(__file__).parent / "fixtures" / "expected" / "simulate-ladder-table.txt"
                ).read_text()


def test_cli_ladder_table(capsys, pool_file):
    code, out, err = run_cli(capsys, "--pool", str(pool_file))
    assert code == 0
    assert out == LADDER_TABLE.format(path=pool_file)
    assert err.splitlines() == [
        "tribes: warning: profile java left out: the reference slot slot1@a.example.org "
        "has no JavaSpecificationVersion",
        "tribes: warning: profile microarch left out: the reference slot slot1@a.example.org "
        "has no Microarch",
        f"tribes: warning: profile vm left out: no slot of {pool_file} publishes HasVM",
        f"tribes: warning: profile container left out: no slot of {pool_file} publishes "
        "HasContainer",
    ]


def test_cli_json_and_csv(capsys, pool_file):
    code, out, _ = run_cli(capsys, "--pool", str(pool_file), "--profiles", "kernel,opsys",
                           "--format", "json")
    records = json.loads(out)
    assert code == 0 and [r["profile"] for r in records] == ["kernel", "opsys"]
    assert all(tuple(r) == RECORD_KEYS for r in records)
    assert records[0]["written"] == 'TARGET.kernel_version == "5.14.0-362.el9"'
    assert records[0]["requirements"].startswith('(TARGET.kernel_version == "5.14.0-362.el9")')
    code, out, _ = run_cli(capsys, "--pool", str(pool_file), "--profiles", "kernel",
                           "--format", "csv")
    header, row = out.splitlines()
    assert header == ",".join(RECORD_KEYS)
    assert row.startswith('2026-07-05T21:19:47Z,kernel,"(TARGET.kernel_version == ""5.14.0')


def test_cli_user_profiles_replace_the_ladder(capsys, pool_file, tmp_path):
    job = tmp_path / "job00.ad"
    job.write_text('Owner = "ann"\nProjectName = "x"\nRequestCpus = 1\nRequestMemory = 100\n'
                   'RequestDisk = 1\nRequirements = TARGET.Cpus >= 4\n')
    code, out, err = run_cli(capsys, "--pool", str(pool_file), "--format", "json",
                             "--requirements", "big=TARGET.Memory >= 16000",
                             "--requirements", 'TARGET.OpSysMajorVer == 7', "--job", str(job))
    got = {r["profile"]: r["matching_slots"] for r in json.loads(out)}
    assert code == 0 and err == ""
    assert got == {"big": 1, "req2": 0, "job00": 3}  # c turns away req2: no ProjectName


def test_cli_profile_names_are_unique(capsys, pool_file):
    code, _, err = run_cli(capsys, "--pool", str(pool_file), "--profiles", "opsys",
                           "--requirements", "opsys=TARGET.Cpus > 2")
    assert code == 1
    assert err == "tribes: error: two profiles are named opsys: give each its own NAME=\n"


def test_cli_bad_requirement_is_one_line(capsys, pool_file):
    code, out, err = run_cli(capsys, "--pool", str(pool_file), "--requirements", "Memory >= = 5")
    assert code == 1 and out == ""
    assert err == ("tribes: error: --requirements #1: cannot parse requirement 'Memory >= = 5' "
                   "at character 11: unexpected '= 5'\n")


def test_cli_default_runs_the_ladder_on_the_2010_pool(capsys):
    code, out, _ = run_cli(capsys, "--format", "json", "--as-written")
    records = json.loads(out)
    # The 2010 pool publishes no Microarch and no container support: those steps are left
    # out (with a warning).
    assert code == 0 and [r["profile"] for r in records] == [
        name for name in prof.LADDER if name not in ("microarch", "container")]
    by = {r["profile"]: r for r in records}
    # As written, the seed's tables: 782 slots run RHEL 5.4 and 342 the reference's kernel.
    assert by["release"]["matching_slots"] == 782
    assert by["kernel"]["matching_slots"] == 342
    assert by["opsys"]["matching_slots"] > by["major"]["matching_slots"] > by["kernel"][
        "matching_slots"]
    for r in records:
        busy = r["serving_others"] + r["running_your_jobs"]
        assert busy + r["available_now"] + r["available_if_drained"] == r["matching_slots"]
        assert r["rejected_by_job"] + r["rejecting_job"] + r["matching_slots"] == r["total_slots"]
    # As condor_submit writes them (the default), the 2010 job asks for 1 GB and 300 MB of
    # disk on an X86_64: of the 782 RHEL 5.4 slots, 552 have that much (the 1-2 GB desktops'
    # per-core shares do not).
    _, out, _ = run_cli(capsys, "--format", "json", "--profiles", "release")
    (record,) = json.loads(out)
    assert record["matching_slots"] == 552
    assert "(TARGET.Memory >= RequestMemory)" in record["requirements"]


def test_cli_reference_and_template(capsys, pool_file):
    code, out, _ = run_cli(capsys, "--pool", str(pool_file), "--reference", "c.example.org",
                           "--profiles", "release,glibc", "--template", "ospool",
                           "--format", "json")
    got = {r["profile"]: (r["written"], r["matching_slots"]) for r in json.loads(out)}
    assert got == {
        "release": ('TARGET.OpSysAndVer == "CentOS7"', 1),  # c takes an OSPool-style job
        "glibc": ('TARGET.OpSys == "LINUX" && versionGE(TARGET.glibc_base_version, "2.17")', 4),
    }
    code, out, err = run_cli(capsys, "--pool", str(pool_file), "--template", "nope.ad")
    assert code == 1 and err == "tribes: error: nope.ad: no such file\n"


def test_cli_on_a_store_gives_one_block_per_snapshot(capsys, tmp_path):
    from simulator.io import store

    folder = tmp_path / "store"
    for day, kernel in ((1, "5.14.0-362.el9"), (2, "5.14.0-427.el9")):
        ads = [ClassAd({"Name": f"slot{n}@m{n}", "Machine": f"m{n}", "OpSys": "LINUX",
                        "kernel_version": kernel if n < 3 else "4.18.0-513.el8",
                        "Cpus": 2, "Requirements": True, **STARTD}) for n in range(1, 5)]
        store.save(Snapshot.from_classads(ads, source=f"day{day}", time=1783286387 + 86400 * day,
                                          time_source="MyCurrentTime"), folder)
    code, out, _ = run_cli(capsys, "--pool", str(folder), "--profiles", "kernel",
                           "--format", "json")
    got = [(r["snapshot"], r["written"], r["matching_slots"]) for r in json.loads(out)]
    # The reference comes from the first snapshot and holds still while the pool drifts.
    assert got == [("2026-07-06T21:19:47Z", 'TARGET.kernel_version == "5.14.0-362.el9"', 2),
                   ("2026-07-07T21:19:47Z", 'TARGET.kernel_version == "5.14.0-362.el9"', 0)]
    code, out, _ = run_cli(capsys, "--pool", str(folder), "--profiles", "kernel")
    assert out.count("4 slots on 4 machines, as of 2026-07-0") == 2


def test_cli_time_for_ads_without_one(capsys, tmp_path):
    path = tmp_path / "old.ads"
    path.write_text('MyType = "Machine"\nName = "slot1@x"\nOpSys = "LINUX"\nArch = "X86_64"\n'
                    "Memory = 4096\nDisk = 100000000\nHasFileTransfer = true\n"
                    "GLIDEIN_ToRetire = 1300000000\nSTART = time() < GLIDEIN_ToRetire\n"
                    "Requirements = START\n")
    argv = ["--pool", str(path), "--requirements", "true", "--format", "json"]
    _, out, _ = run_cli(capsys, *argv, "--time", "2010-04-05T12:00:00Z")
    (record,) = json.loads(out)
    assert record["snapshot"] == "2010-04-05T12:00:00Z" and record["matching_slots"] == 1
    _, out, _ = run_cli(capsys, *argv, "--time", "2012-01-01T00:00:00Z")
    assert json.loads(out)[0]["matching_slots"] == 0  # the glidein retired in 2011


def test_a_pool_that_says_no_says_why(ospool):
    # A plain job on the OSPool: the glideins' START policies read ProjectName and
    # JobDurationCategory, which only an OSPool-style job defines.
    plain = prof.from_requirements(["TARGET.HasSingularity"], prof.load_template("plain"))
    frame = simulate([ospool], plain)
    (hint,) = [w for w in frame.attrs["warnings"] if "turn the job away" in w]
    assert "JobDurationCategory, ProjectName (--template ospool defines them)" in hint
    ospool_job = prof.from_requirements(["TARGET.HasSingularity"], prof.load_template("ospool"))
    frame = simulate([ospool], ospool_job)
    assert not [w for w in frame.attrs["warnings"] if "turn the job away" in w]
    assert frame["rejecting_job"][0] * 2 <= frame["total_slots"][0]

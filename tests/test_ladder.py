"""The requirement ladder and its reference machine: hand counts on small pools, bad names."""

import pytest

from simulator.jobs.job_ads import load_template, with_requirements
from simulator.jobs.ladder import LADDER, ladder
from simulator.match.plain import plain_match
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot
from simulator.model.tribes import reference_slot, tribe

RHEL54 = "Red Hat Enterprise Linux Server release 5.4 (Tikanga)"
RHEL53 = "Red Hat Enterprise Linux Server release 5.3 (Tikanga)"
RHEL4 = "Red Hat Enterprise Linux AS release 4 (Nahant Update 7)"
CENTOS = "CentOS release 5.3 (Final)"


def machine(name, slots, **attrs):
    """``slots`` static slot ads of one machine; None values are left out."""
    out = []
    for n in range(1, slots + 1):
        ad = {
            "Name": f"slot{n}@{name}",
            "Machine": name,
            "Cpus": 1,
            "Memory": 2048,
            "Disk": 10_000_000,
            "Arch": "X86_64",  # what every startd publishes, for condor_submit's clauses
            "HasFileTransfer": True,
            "State": "Unclaimed",
            "SlotType": "Static",
            "Start": True,
            "Requirements": ExprTree("START"),
        }
        ad.update({k: v for k, v in attrs.items() if v is not None})
        out.append(ClassAd(ad))
    return out


def linux(release, kernel, glibc, base, major, java=None, virt=False, kvm=False, level=None,
          sif=False):
    vm = dict(HasVM=True, VM_Type="kvm", VM_AvailNum=1, VM_Memory=2048,
              TotalMemory=4096) if kvm else {}
    box = dict(HasContainer=True, HasSIF=True) if sif else {}
    return dict(
        OpSys="LINUX", OpSysAndVer=f"RedHat{major}", OpSysMajorVer=major,
        redhat_version=release, kernel_version=kernel, glibc_version=glibc,
        glibc_base_version=base, JavaSpecificationVersion=java,
        HasHardwareVirt=virt, HasKVM=kvm, Microarch=level, **vm, **box,
    )


def small_pool():
    """Ten slots; the hand counts in the tests below come from this list."""
    ads = []
    tribe_a = ("2.6.18-164.9.1.el5", "glibc-2.5-42.el5_4.2", "2.5")
    ads += machine("m1", 2, **linux(RHEL54, *tribe_a, 5, "1.6", True, True, "x86_64-v3", True))
    ads += machine("m2", 2, **linux(RHEL54, *tribe_a, 5, "1.6", True, True, "x86_64-v3", True))
    ads += machine("m3", 1, **linux(RHEL53, "2.6.18-128.7.1.el5", "glibc-2.5-34", "2.5", 5,
                                    "1.6", True, False))
    ads += machine("m4", 2, **linux(RHEL4, "2.6.9-78.0.13.ELsmp", "glibc-2.3.4-2.41", "2.3.4",
                                    4, "1.4"))
    ads += machine("m5", 1, **linux(CENTOS, "2.6.18-164.9.1.el5", "glibc-2.5-42", "2.5", 5,
                                    "17", True, True, "x86_64-v2"))
    ads += machine("mac", 1, OpSys="OSX", OpSysMajorVer=10, JavaSpecificationVersion="1.5")
    ads += machine("m7", 1, **linux(RHEL54, "2.6.18-164.el5", "glibc-2.5-42", "2.5", 5,
                                    level="x86_64-v4", sif=True))
    return Snapshot.from_classads(ads, source="small", time=1270468800)


def counts(snapshot, profiles):
    return {p.name: int(plain_match(snapshot, p.job).sum()) for p in profiles}


def test_reference_is_a_slot_of_the_most_common_tribe():
    pool = small_pool()
    i = reference_slot(pool)
    assert pool.values("Name")[i] == "slot1@m1"
    assert tribe(pool, i) == ('"' + RHEL54 + '"', '"2.6.18-164.9.1.el5"',
                                   '"glibc-2.5-42.el5_4.2"')


def test_ladder_counts_match_a_hand_count():
    pool = small_pool()
    rungs = ladder(pool, load_template("plain"))
    assert [p.name for p in rungs] == list(LADDER)
    assert counts(pool, rungs) == {
        "opsys": 9,     # all but the Mac
        "major": 7,     # m1 m1 m2 m2 m3 m5 m7
        "release": 5,   # m1 m1 m2 m2 m7 (CentOS and 5.3 are other releases)
        "kernel": 5,    # m1 m1 m2 m2 and the CentOS box m5 on the same kernel
        "glibc": 7,     # every Linux slot but RHEL 4's glibc 2.3.4
        "java": 6,      # 1.6 on m1 m2 m3, "17" on m5; not 1.4, 1.5 or none
        "microarch": 5,  # x86_64-v3 or better: m1 m2 (v3) m7 (v4); not m5's v2
        "vm": 5,        # the VM universe: m1 m2 m5 (m3 has VT-x but no usable /dev/kvm)
        "container": 5,  # a SIF image: m1 m2 m7 run containers
    }


def test_ladder_from_another_reference():
    pool = small_pool()
    rungs = ladder(pool, load_template("plain"), reference="m4")
    got = counts(pool, rungs)
    assert got["major"] == 2 and got["release"] == 2 and got["kernel"] == 2
    assert got["glibc"] == 9    # glibc >= 2.3.4: every Linux slot
    # Java >= 1.4: every slot with Java but the Mac's, which condor_submit's appended
    # OpSys clause (the reference's LINUX) turns away.
    assert got["java"] == 8
    assert 'versionGE(TARGET.glibc_base_version, "2.3.4")' in rungs[4].requirements


def test_unknown_reference_and_profile_names():
    pool = small_pool()
    with pytest.raises(TribesError, match="no slot or machine named 'nope'"):
        ladder(pool, load_template("plain"), reference="nope")
    with pytest.raises(TribesError, match="unknown profile 'fast'"):
        ladder(pool, load_template("plain"), names=["fast"])


def test_ladder_step_left_out_when_the_reference_lacks_the_attribute():
    pool = Snapshot.from_classads(machine("x", 1, OpSys="LINUX", OpSysMajorVer=9), source="s")
    notes = []
    rungs = ladder(pool, load_template("plain"), notes=notes)
    assert [p.name for p in rungs] == ["opsys", "major"]  # nor VM nor container support
    assert "profile vm left out: no slot of s publishes HasVM" in notes
    assert ("profile kernel left out: the reference slot slot1@x has no kernel_version "
            "or UtsnameRelease") in notes


def test_profiles_are_full_job_ads_on_the_template():
    pool = small_pool()
    for name in ("plain", "ospool"):
        template = load_template(name)
        for p in ladder(pool, template):
            # vm and container are universes: the VM universe is 13, a container job is 5
            assert p.job["JobUniverse"] == (13 if p.name == "vm" else 5)
            assert p.job["RequestCpus"] == 1
            assert p.job.eval("RequestMemory") > 0 and p.job.eval("RequestDisk") > 0
            assert str(p.job.lookup("Requirements")) == str(ExprTree(p.requirements))
    ospool = load_template("ospool")
    assert ospool["ProjectName"] and ospool["JobDurationCategory"] == "Medium"
    assert ospool["RequestGPUs"] == 0 and "SingularityImage" not in ospool


def test_major_release_read_from_redhat_version_before_opsysmajorver_existed():
    ads = []
    for name, release in (("a", RHEL54), ("b", RHEL53), ("c", RHEL4), ("d", CENTOS),
                          ("e", "Red Hat Enterprise Linux Server release 15.1")):
        ads += machine(name, 1, OpSys="LINUX", redhat_version=release)
    pool = Snapshot.from_classads(ads, source="old")
    (major,) = ladder(pool, load_template("plain"), names=["major"], reference="a")
    assert "regexp" in major.requirements
    # release 5.4, 5.3 and CentOS 5.3; not 4, not 15
    assert plain_match(pool, major.job).tolist() == [True, True, False, True, False]


def test_kernel_falls_back_to_utsname_release():
    ads = machine("x", 1, OpSys="LINUX", UtsnameRelease="5.14.0-427.el9")
    ads += machine("y", 1, OpSys="LINUX", UtsnameRelease="4.18.0-513.el8")
    pool = Snapshot.from_classads(ads, source="s")
    (kernel,) = ladder(pool, load_template("plain"), names=["kernel"], reference="x")
    assert kernel.written == 'TARGET.UtsnameRelease == "5.14.0-427.el9"'
    assert kernel.requirements.startswith(f"({kernel.written}) && (TARGET.Arch == ")
    assert plain_match(pool, kernel.job).tolist() == [True, False]


def test_java_versions_compare_as_versions():
    # "17" >= "1.6" as versions, though "17" < "1.6" neither as text nor … it is as floats.
    pool = Snapshot.from_classads(
        [ClassAd({"JavaSpecificationVersion": v, "Requirements": True})
         for v in ("1.4", "1.6", "1.8", "11", "17", "21")], source="java")
    job = with_requirements(load_template("plain"),
                                 'versionGE(TARGET.JavaSpecificationVersion, "1.8")')
    assert plain_match(pool, job).tolist() == [False, False, True, True, True, True]

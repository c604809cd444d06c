"""The modern pool: consistent machines, HTCondor's spellings, and a million slots fast."""

import re
import time

import numpy as np
import pytest

from simulator import pools
from simulator.condor import ClassAd, ExprTree
from simulator.exceptions import TribesError
from simulator.match import plain_match
from simulator.pools import modern


@pytest.fixture(scope="module")
def snap():
    return pools.generate("modern", slots=20_000, seed=5)


@pytest.fixture(scope="module")
def frame(snap):
    """Evaluated values of the attributes the tests look at, one row per slot."""
    import pandas as pd

    attrs = ["Machine", "SlotType", "OpSysAndVer", "OpSysName", "OpSysMajorVer", "OpSysVer",
             "OpSysLongName", "redhat_version", "os_version_id", "kernel_version",
             "UtsnameRelease", "glibc_version", "glibc_base_version", "JavaVendor",
             "JavaVersion", "JavaSpecificationVersion", "HasHardwareVirt", "HardwareVirtType",
             "HasKVM", "IsVirtualMachine", "Hypervisor", "Cpus", "TotalCpus", "Memory",
             "TotalMemory", "Disk", "TotalDisk", "TotalSlots", "KeyboardIdle", "LoadAvg",
             "CondorLoadAvg", "GLIDEIN_ToRetire", "State"]  # fmt: skip
    return pd.DataFrame({a: snap.values(a) for a in attrs})


@pytest.mark.parametrize("slots", [1, 7, 999, 12_345])
def test_exactly_the_slots_asked_for(slots):
    assert len(pools.generate("modern", slots=slots, seed=slots)) == slots


def test_deterministic_per_seed():
    a = pools.generate("modern", slots=3000, seed=11)
    b = pools.generate("modern", slots=3000, seed=11)
    c = pools.generate("modern", slots=3000, seed=12)
    assert a.ads.equals(b.ads)
    assert not a.ads.equals(c.ads)


def test_cells_are_exactly_what_htcondor_unparses(snap):
    for col in snap.ads.columns:
        for text in snap.ads[col].dropna().unique()[:400]:
            assert str(ExprTree(text)) == text, (col, text)


def test_each_machine_has_one_os_kernel_glibc_java_and_platform(frame):
    per_machine = frame.drop(columns=["SlotType", "Cpus", "Memory", "Disk", "LoadAvg",
                                      "CondorLoadAvg", "State"]).groupby("Machine")  # fmt: skip
    for col, counts in per_machine.nunique(dropna=False).items():
        assert (counts == 1).all(), col


KERNELS = {  # OpSysMajorVer family -> uname -r prefix
    "EL7": ("3.10.0-1160.",), "EL8": ("4.18.0-",), "EL9": ("5.14.0-",), "EL10": ("6.12.0-",),
    "Debian12": ("6.1.0-",), "Debian13": ("6.12.",), "Ubuntu22": ("5.15.0-", "6.8.0-"),
    "Ubuntu24": ("6.8.0-",),
}  # fmt: skip
GLIBC = {"EL7": "2.17", "EL8": "2.28", "EL9": "2.34", "EL10": "2.39", "Debian12": "2.36",
         "Debian13": "2.41", "Ubuntu22": "2.35", "Ubuntu24": "2.39"}  # fmt: skip


def family(name, major):
    return f"{name}{major}" if name in ("Debian", "Ubuntu") else f"EL{major}"


def test_kernels_and_glibc_belong_to_their_release(frame):
    seen = set()
    for row in frame.drop_duplicates("Machine").itertuples():
        fam = family(row.OpSysName, row.OpSysMajorVer)
        seen.add(fam)
        assert row.kernel_version.startswith(KERNELS[fam]), (fam, row.kernel_version)
        assert row.UtsnameRelease == row.kernel_version
        assert row.glibc_base_version == GLIBC[fam]
        assert row.glibc_version.startswith(f"glibc-{GLIBC[fam]}-")
        if fam.startswith("EL"):
            assert row.kernel_version.endswith(".x86_64") and f".el{row.OpSysMajorVer}" in (
                row.kernel_version
            )
            assert f"el{row.OpSysMajorVer}" in row.glibc_version
            assert row.redhat_version == row.OpSysLongName
        else:
            assert row.redhat_version is None
    assert seen == set(KERNELS)
    bases = sorted({tuple(map(int, b.split("."))) for b in frame.glibc_base_version})
    assert bases[0] == (2, 17) and bases[-1] == (2, 41)


def test_os_attributes_use_htcondors_spelling(frame):
    pattern = re.compile(r"^(AlmaLinux|Rocky|RedHat|CentOS|SL|Debian|Ubuntu)\d+$")
    for row in frame.drop_duplicates("OpSysLongName").itertuples():
        assert pattern.match(row.OpSysAndVer), row.OpSysAndVer
        assert row.OpSysAndVer == f"{row.OpSysName}{row.OpSysMajorVer}"
        assert row.OpSysVer // 100 == row.OpSysMajorVer
        assert row.os_version_id.split(".")[0] == str(row.OpSysMajorVer)


def test_java_versions_and_vendors(frame):
    java = frame.dropna(subset=["JavaVersion"])
    assert set(java.JavaSpecificationVersion) == {"1.8", "11", "17", "21"}
    for row in java.drop_duplicates(["JavaVendor", "JavaVersion"]).itertuples():
        spec = row.JavaSpecificationVersion
        assert row.JavaVersion.startswith("1.8.0_" if spec == "1.8" else spec + ".")
    assert 0.25 < frame.JavaVendor.isna().mean() < 0.45


def test_virtualisation_facts_hang_together(frame):
    machines = frame.drop_duplicates("Machine")
    vm = machines.IsVirtualMachine.astype(bool)
    assert (vm == machines.Hypervisor.notna()).all()
    assert set(machines.Hypervisor.dropna()) <= {"kvm", "amazon", "microsoft", "google",
                                                 "vmware", "xen"}  # fmt: skip
    assert machines.HasHardwareVirt[~vm].mean() > 0.9
    assert machines.HasHardwareVirt[vm].mean() < 0.2  # nested virtualisation is rare
    assert not (machines.HasKVM.astype(bool) & ~machines.HasHardwareVirt.astype(bool)).any()
    assert (machines.HardwareVirtType.notna() == machines.HasHardwareVirt).all()
    assert set(machines.HardwareVirtType.dropna()) == {"VT-x", "AMD-V"}


def test_partitionable_machines_add_up(frame):
    slots = frame.groupby("Machine")
    for _machine, group in list(slots)[:300]:
        kinds = set(group.SlotType)
        assert len(group) == group.TotalSlots.iloc[0]
        if "Partitionable" in kinds:
            assert kinds <= {"Partitionable", "Dynamic"}
            assert (group.SlotType == "Partitionable").sum() == 1
            assert group.Cpus.sum() == group.TotalCpus.iloc[0]
            assert group.Memory.sum() <= group.TotalMemory.iloc[0]
            assert group.Disk.sum() <= group.TotalDisk.iloc[0]
            assert set(group.State[group.SlotType == "Dynamic"]) <= {"Claimed"}
        else:
            assert kinds == {"Static"} and len(group) == group.TotalCpus.iloc[0]


def test_the_mix_follows_the_documented_shares():
    big = pools.generate("modern", slots=100_000, seed=3)
    names = big.values("OpSysName")
    majors = big.values("OpSysMajorVer")
    machines = big.values("Machine")
    first = ~machines.duplicated()
    fams = [family(n, m) for n, m in zip(names[first], majors[first], strict=True)]
    counts = {f: fams.count(f) / len(fams) for f in set(fams)}
    for fam, share in modern.OS_SHARES.items():
        assert abs(counts[fam] - share) < 0.03, (fam, counts[fam], share)


def test_start_policies_evaluate_as_intended_with_htcondor(snap):
    """Slots that a 1-core, 1 GB job matches, by HTCondor, equal the documented policies."""
    small = pools.generate("modern", slots=1500, seed=9)
    job = ClassAd({"RequestCpus": 1, "RequestMemory": 1024, "RequestDisk": 1000,
                   "Requirements": ExprTree('TARGET.OpSys == "LINUX"')})  # fmt: skip
    got = plain_match(small, job)
    v = {a: small.values(a) for a in ("KeyboardIdle", "LoadAvg", "CondorLoadAvg", "Cpus",
                                      "Memory", "Disk", "GLIDEIN_ToRetire")}  # fmt: skip
    expected = []
    for i in range(len(small)):
        ok = v["Cpus"][i] >= 1 and v["Memory"][i] >= 1024 and v["Disk"][i] >= 1000
        if v["KeyboardIdle"][i] is not None:  # a desktop
            owner_load = v["LoadAvg"][i] - v["CondorLoadAvg"][i]
            ok = ok and v["KeyboardIdle"][i] > 900 and owner_load <= 0.3
        if v["GLIDEIN_ToRetire"][i] is not None:  # a VM, as of the capture time
            ok = ok and small.time < v["GLIDEIN_ToRetire"][i]
        expected.append(ok)
    assert got.tolist() == expected
    assert 0 < got.sum() < len(small)


def test_a_hundred_thousand_slots_are_quick():
    start = time.perf_counter()
    big = pools.generate("modern", slots=100_000, seed=1)
    assert time.perf_counter() - start < 5
    assert len(big) == 100_000 and big.ads["opsys"].map(len).sum() == 100_000 * len('"LINUX"')
    assert big.ads._mgr.nblocks == 1  # one object block: no per-column copies


def test_overrides_and_bad_parameters():
    only_el9 = pools.generate("modern", slots=500, os_shares={"EL9": 1.0})
    assert set(only_el9.values("OpSysMajorVer")) == {9}
    no_vms = pools.generate("modern", slots=500, roles={"cluster": 1.0})
    assert set(no_vms.values("IsVirtualMachine")) == {False}
    with pytest.raises(TribesError, match="unknown OS families"):
        pools.generate("modern", slots=10, os_shares={"Windows11": 1.0})
    with pytest.raises(TribesError, match="unknown roles"):
        pools.generate("modern", slots=10, roles={"mainframe": 1.0})
    with pytest.raises(TribesError, match="slots must be"):
        pools.generate("modern", slots=0)
    assert np.isclose(sum(modern.OS_SHARES.values()), 1.0)


def test_a_subset_of_attributes_gives_the_same_slots():
    full = pools.generate("modern", slots=5000, seed=3)
    part = pools.generate("modern", slots=5000, seed=3, attributes=["name", "HasKVM", "START"])
    assert list(part.ads.columns) == ["name", "haskvm", "start"]
    assert full.ads[["name", "haskvm", "start"]].equals(part.ads)
    assert part.names["haskvm"] == "HasKVM"
    with pytest.raises(TribesError, match="no attributes"):
        pools.generate("modern", slots=10, attributes=["Nope"])


def test_pool_specs_carry_parameters():
    assert pools.parse_spec("modern:slots=100000, seed=7") == (
        "modern", {"slots": 100000, "seed": 7}
    )
    assert pools.parse_spec("pool_2010") == ("pool_2010", {})
    assert pools.parse_spec("store/") is None and pools.from_spec("C:/ads.txt") is None
    snap = pools.from_spec("modern:slots=300,seed=2")
    assert snap.ads.equals(pools.generate("modern", slots=300, seed=2).ads)
    with pytest.raises(TribesError, match="expected key=value"):
        pools.parse_spec("modern:300")

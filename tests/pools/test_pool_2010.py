"""The embedded 2010 pool: the seed's tables exactly, and a joint that makes sense."""

import csv
from collections import Counter
from pathlib import Path

import pytest

from simulator import pools
from simulator.match.plain import plain_match
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.errors import TribesError
from simulator.pools import pool_2010

# The seed's published tables (a byte copy of the reference CSV).
MARGINALS = Path(__file__).parent / "data" / "pool_2010_marginals.csv"


def seed_tables():
    tables = {}
    with open(MARGINALS, newline="") as fh:
        for row in csv.DictReader(fh):
            tables.setdefault(row["attributes"], Counter())[row["value"]] = int(row["count"])
    return tables


@pytest.fixture(scope="module")
def snap():
    return pools.generate("pool_2010")


def uniq_c(snap, attrs):
    """What condor_status -format "%s " A -format "%s\\n" B | sort | uniq -c counts."""
    columns = [snap.values(a) for a in attrs]
    lines = Counter()
    for values in zip(*columns, strict=True):
        if all(v is not None for v in values):
            lines[" ".join(str(v) for v in values)] += 1
    return lines


def test_the_seed_publishes_four_tables():
    assert sorted(seed_tables()) == sorted(
        ["redhat_version", "kernel_version", "glibc_version", "JavaVendor JavaVersion"]
    )


@pytest.mark.parametrize("seed", [2010, 1, 7])
def test_every_seed_table_comes_out_exactly(seed):
    snap = pools.generate("pool_2010", seed=seed)
    for attrs, expected in seed_tables().items():
        assert uniq_c(snap, attrs.split()) == expected, attrs


def test_slot_totals(snap):
    tables = seed_tables()
    assert sum(tables["redhat_version"].values()) == pool_2010.LINUX_SLOTS == 859
    assert sum(tables["JavaVendor JavaVersion"].values()) == 789
    opsys = Counter(snap.values("OpSys"))
    assert opsys == {"LINUX": 859, "OSX": 2}
    assert len(snap) == pool_2010.TOTAL_SLOTS == 861
    linux = snap.values("OpSys") == "LINUX"
    no_java = snap.values("JavaVendor").isna()
    assert int((linux & no_java).sum()) == 72
    assert int((~linux & no_java).sum()) == 0


def test_macs_have_apple_java_and_no_linux_facts(snap):
    mac = snap.values("OpSys") == "OSX"
    assert set(snap.values("JavaVendor")[mac]) == {"Apple Computer, Inc."}
    for attr in ("redhat_version", "kernel_version", "glibc_version", "HasHardwareVirt"):
        assert snap.values(attr)[mac].isna().all(), attr
    assert snap.values("Machine")[mac].nunique() == 1


def test_every_machine_has_one_os_kernel_glibc_and_java(snap):
    frame = snap.ads
    for col in ("redhat_version", "kernel_version", "glibc_version", "javavendor",
                "javaversion", "hashardwarevirt", "arch", "totalcpus"):  # fmt: skip
        per_machine = frame.groupby("machine")[col].agg(lambda s: len(set(s)))
        assert (per_machine == 1).all(), col
    sizes = frame.groupby("machine").size()
    assert (sizes == frame.groupby("machine")["totalcpus"].first().astype(int)).all()


def test_families_run_their_own_kernel_and_glibc(snap):
    release, kernel, glibc = (snap.values(a) for a in ("redhat_version", "kernel_version",
                                                         "glibc_version"))  # fmt: skip
    for r, k, g in zip(release, kernel, glibc, strict=True):
        if r is None:
            continue
        if "release 4" in r:
            assert k.startswith("2.6.9-") and g.startswith("glibc-2.3.4-"), (r, k, g)
        else:
            assert k.startswith(("2.6.18-", "2.6.27.8-")) and g.startswith("glibc-2.5-"), (r, k, g)
        if "release 5.3" in r and r.startswith("Red Hat"):
            assert "-128." in k and g.startswith("glibc-2.5-34"), (r, k, g)
        if "release 5.4" in r:
            assert "-164." in k and g.startswith("glibc-2.5-42"), (r, k, g)
        if "CentOS" in r:
            assert k == "2.6.27.8-md-microway"


def test_rhel4_updates_match_their_builds_but_for_two_documented_slots(snap):
    exceptions = 0
    for r, k, g in zip(*(snap.values(a) for a in ("redhat_version", "kernel_version",
                                                  "glibc_version")), strict=True):  # fmt: skip
        if r is None or "release 4" not in r:
            continue
        update8 = "Update 8" in r
        assert ("2.3.4-2.43" in g) == update8
        if ("-89." in k) != update8:
            exceptions += 1
            assert update8 and k == "2.6.9-78.0.17.ELsmp"
    assert exceptions == 2


def test_the_two_xen_slots_are_xen_guests(snap):
    xen = snap.values("kernel_version") == "2.6.18-164.9.1.el5xen"
    assert int(xen.sum()) == 2
    assert set(snap.values("IsVirtualMachine")[xen]) == {True}
    assert set(snap.values("Hypervisor")[xen]) == {"xen"}
    assert set(snap.values("HasHardwareVirt")[xen]) == {False}
    linux = snap.values("OpSys") == "LINUX"
    assert set(snap.values("IsVirtualMachine")[linux & ~xen]) == {False}
    assert snap.values("Hypervisor")[~xen].isna().all()


def test_os_attributes_agree_with_redhat_version(snap):
    expected = {"Red Hat": "RedHat", "CentOS": "CentOS"}
    for r, and_ver, major, long_name, base, glibc in zip(
        *(snap.values(a) for a in ("redhat_version", "OpSysAndVer", "OpSysMajorVer",
                                   "OpSysLongName", "glibc_base_version", "glibc_version")),
        strict=True,
    ):  # fmt: skip
        if r is None:
            continue
        name = next(v for k, v in expected.items() if r.startswith(k))
        assert and_ver == f"{name}{major}" and long_name == r
        assert glibc.startswith(f"glibc-{base}-")


def test_most_2010_hardware_has_vtx_and_few_have_kvm(snap):
    virt = snap.values("HasHardwareVirt").dropna()
    assert 0.7 < virt.mean() < 0.95
    assert set(snap.values("HardwareVirtType").dropna()) <= {"VT-x", "AMD-V"}
    assert snap.values("HasKVM").dropna().mean() < 0.1
    assert ((snap.values("HasKVM") == True) <= (snap.values("HasHardwareVirt") == True)).all()  # noqa: E712


def test_deterministic_per_seed_and_varied_across_seeds():
    a, b = pools.generate("pool_2010", seed=3), pools.generate("pool_2010", seed=3)
    assert a.ads.equals(b.ads)
    c = pools.generate("pool_2010", seed=4)
    assert not a.ads.equals(c.ads)


def test_cells_are_exactly_what_htcondor_unparses(snap):
    for col in snap.ads.columns:
        for text in snap.ads[col].dropna().unique():
            assert str(ExprTree(text)) == text, (col, text)


def test_slots_rebuild_as_classads_and_match_with_htcondor(snap):
    ad = snap.classad(1)
    assert ad["MyType"] == "Machine" and ad.eval("Requirements") is True
    job = ClassAd({"Requirements": ExprTree('TARGET.OpSys == "LINUX"')})
    assert int(plain_match(snap, job).sum()) == 859
    job = ClassAd({"Requirements": ExprTree('versionGE(TARGET.glibc_base_version, "2.5")')})
    assert int(plain_match(snap, job).sum()) == 812


def test_capture_time_is_the_seeds_date(snap):
    import time

    assert time.strftime("%Y-%m-%d", time.gmtime(snap.time)) == "2010-04-05"
    assert snap.time == max(snap.values("MyCurrentTime"))
    assert min(snap.values("LastHeardFrom")) > snap.time - 300


def test_names_follow_htcondor(snap):
    names, machines, slots = (snap.values(a) for a in ("Name", "Machine", "TotalSlots"))
    for name, machine, n in zip(names, machines, slots, strict=True):
        assert name == machine if n == 1 else name.endswith("@" + machine)
    assert names.is_unique


def test_unknown_pool_and_wrong_size_are_user_errors():
    with pytest.raises(TribesError, match="unknown pool 'nope'"):
        pools.generate("nope")
    with pytest.raises(TribesError, match="861"):
        pools.generate("pool_2010", slots=100)
    with pytest.raises(TribesError, match="pool pool_2010"):
        pools.generate("pool_2010", colour="blue")

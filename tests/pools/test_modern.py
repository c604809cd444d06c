"""The modern pool: consistent machines, HTCondor's spellings, and a million slots fast."""

import time

import numpy as np
import pytest

from simulator import pools
from simulator.model.condor import ExprTree
from simulator.model.errors import TribesError
from simulator.pools import modern


@pytest.mark.parametrize("slots", [1, 7, 999, 12_345])
def test_exactly_the_slots_asked_for(slots):
    assert len(pools.generate("modern", slots=slots, seed=slots)) == slots


def test_deterministic_per_seed():
    a = pools.generate("modern", slots=3000, seed=11)
    b = pools.generate("modern", slots=3000, seed=11)
    c = pools.generate("modern", slots=3000, seed=12)
    assert a.ads.equals(b.ads)
    assert not a.ads.equals(c.ads)


def test_cells_are_exactly_what_htcondor_unparses(modern_snap):
    for col in modern_snap.ads.columns:
        for text in modern_snap.ads[col].dropna().unique()[:400]:
            assert str(ExprTree(text)) == text, (col, text)


def test_partitionable_machines_add_up(modern_frame):
    slots = modern_frame.groupby("Machine")
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
    with pytest.raises(TribesError, match="slots 0: give a whole number from 1 to 5000000"):
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

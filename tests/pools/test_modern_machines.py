"""The modern pool's machines: one OS, kernel, glibc, Java and platform each."""

import numpy as np

from simulator.pools.modern_machines import Machines
from simulator.pools.modern_mix import HYPERVISORS, ROLES
from simulator.pools.modern_releases import OS_SHARES


def test_each_machine_has_one_os_kernel_glibc_java_and_platform(modern_frame):
    per_slot = ["SlotType", "Cpus", "Memory", "Disk", "LoadAvg", "CondorLoadAvg", "State"]
    per_machine = modern_frame.drop(columns=per_slot).groupby("Machine")
    for col, counts in per_machine.nunique(dropna=False).items():
        assert (counts == 1).all(), col


def test_truncate_keeps_the_first_machines_and_cuts_the_last_one_short():
    m = Machines(np.random.default_rng(4), 30, OS_SHARES, ROLES, HYPERVISORS)
    slot_ads, release = m.slot_ads.copy(), m.release.copy()
    m.truncate(10, 1)
    assert m.n == 10 and len(m.release) == len(m.cores) == len(m.java) == 10
    assert m.release.tolist() == release[:10].tolist()
    assert m.slot_ads.tolist() == [*slot_ads[:9].tolist(), 1]
    # One slot ad left: a partitionable machine keeps no dynamic slot, a static one one core.
    assert (m.dynamic[-1] == 0) if m.partitionable[-1] else (m.cores[-1] == 1)

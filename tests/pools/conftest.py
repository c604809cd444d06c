"""A modern pool shared by the tests of its modules (generated once a session)."""

import pandas as pd
import pytest

from simulator import pools


@pytest.fixture(scope="session")
def modern_snap():
    return pools.generate("modern", slots=20_000, seed=5)


@pytest.fixture(scope="session")
def modern_frame(modern_snap):
    """Evaluated values of the attributes the tests look at, one row per slot."""
    attrs = ["Machine", "SlotType", "OpSysAndVer", "OpSysName", "OpSysMajorVer", "OpSysVer",
             "OpSysLongName", "redhat_version", "os_version_id", "kernel_version",
             "UtsnameRelease", "glibc_version", "glibc_base_version", "JavaVendor",
             "JavaVersion", "JavaSpecificationVersion", "HasHardwareVirt", "HardwareVirtType",
             "HasKVM", "IsVirtualMachine", "Hypervisor", "Cpus", "TotalCpus", "Memory",
             "TotalMemory", "Disk", "TotalDisk", "TotalSlots", "KeyboardIdle", "LoadAvg",
             "CondorLoadAvg", "GLIDEIN_ToRetire", "State"]  # fmt: skip
    return pd.DataFrame({a: modern_snap.values(a) for a in attrs})

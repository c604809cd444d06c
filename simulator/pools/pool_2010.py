"""The seed's 2010 campus pool: 859 Linux slots and one Mac, as of 2010-04-05.

Every table the seed publishes comes out exactly (``sort | uniq -c`` of
``redhat_version``, ``kernel_version``, ``glibc_version``, and of
``JavaVendor JavaVersion``). The slot total is **861**: the redhat, kernel and
glibc tables each sum to 859 Linux slots; the Java table sums to 789, of which
2 slots are Apple's Java on a Mac (OpSys "OSX", so outside the Linux tables)
and 787 are Linux, which leaves 72 Linux slots without Java.

>>> snap = generate()
>>> len(snap), int(snap.values("redhat_version").notna().sum())
(861, 859)

It is built in three modules:

- :mod:`simulator.pools.pool_2010_tables`: the seed's tables and what its
  text says (see "What comes from the seed" there);
- :mod:`simulator.pools.pool_2010_machines`: the machines, their joint of
  OS, kernel and glibc (see "The joint" there) and their seeded facts.

This module spreads the machines over their slot ads and writes the cells.

Seeded assumptions (not in the seed; they vary with ``seed``)
-------------------------------------------------------------
=====================  =========================================================
RHEL 5.4 machines      cores 8 / 4 / 2 / 1 with weights .35 / .40 / .20 / .05
                       (2008–2010 dual quad-core and quad-core Xeons), one
                       static slot per core, cut to fit each joint cell
Release of RHEL 4.7    27 AS and 10 WS chosen at random among the 4.7 machines
Java                   per machine, at random, the table's counts exactly:
                       Apple only on the Mac; Sun 1.5.0_17 only on RHEL 4;
                       "Sun Microsystems Inc. 1.6.0" is OpenJDK 6 as packaged
                       from RHEL 5.3 on, so RHEL/CentOS 5 only; gcj 1.4.2
                       six times likelier on RHEL 4 than on 5; the rest anywhere
Arch                   40% of RHEL 4 and 15% of RHEL 5.3 desktops are 32-bit
                       ("INTEL"); all others "X86_64"; the Mac "INTEL"
VT-x / AMD-V           RHEL 4 desktops 30%, RHEL 5.3 desktops 60%, RHEL 5.4
                       90%; VT-x 80% / AMD-V 20%; the Microway box AMD-V;
                       Xen guests none; the Mac's hook does not run (no facts)
HasKVM                 5% of RHEL 5.4 machines with VT-x/AMD-V (KVM first
                       shipped in 5.4; /dev/kvm usually not open to condor)
Memory                 desktops 1/2/4 GB (.5/.4/.1); servers 1/2/4 GB per core
                       (.2/.6/.2); minus a little for the kernel; split evenly
Disk                   40–500 GB per machine, 30–90% free, split evenly (KiB)
State                  each slot Claimed/Busy with probability .55, else
                       Unclaimed/Idle
LastHeardFrom          within 5 minutes before 2010-04-05 12:00 UTC
Names                  ``wsNNN`` (1–2 slots), ``nodeNNN`` (4–8), ``vmNN`` (Xen
                       guests), ``mac01``; domain ``campus.example.edu``;
                       ``slotN@host`` only on machines with several slots
=====================  =========================================================

HTCondor 7.4 (2010) did not yet publish ``OpSysAndVer``, ``OpSysMajorVer``,
``OpSysName`` … or ``UtsnameRelease``; the generated ads carry them as a current
startd would, so the profiles that use them work on this pool.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot
from simulator.pools.cells import cell, frame
from simulator.pools.pool_2010_machines import (
    DOMAIN,
    Machine,
    _assign_java,
    _hardware,
    _machines,
)
from simulator.pools.pool_2010_tables import (
    _OS,
    CAPTURE_TIME,
    CENTOS5,
    JAVA,
    LINUX_SLOTS,
    RHEL4_GLIBC,
    RHEL4_KERNELS,
    RHEL4_RELEASES,
    RHEL4_UPDATES,
    RHEL5_GLIBC,
    RHEL5_KERNELS,
    RHEL5_RELEASES,
    TOTAL_SLOTS,
    XEN_KERNEL,
)

# The tables and machines are read from here too (pool_2010.TOTAL_SLOTS, ...).
__all__ = [
    "ATTRIBUTES",
    "CAPTURE_TIME",
    "CENTOS5",
    "DOMAIN",
    "JAVA",
    "LINUX_SLOTS",
    "Machine",
    "RHEL4_GLIBC",
    "RHEL4_KERNELS",
    "RHEL4_RELEASES",
    "RHEL4_UPDATES",
    "RHEL5_GLIBC",
    "RHEL5_KERNELS",
    "RHEL5_RELEASES",
    "TOTAL_SLOTS",
    "XEN_KERNEL",
    "generate",
]


# Attribute order in the generated ads (display spelling).
ATTRIBUTES = [
    "MyType", "TargetType", "Name", "Machine", "SlotID", "SlotType", "State", "Activity",
    "OpSys", "Arch", "OpSysAndVer", "OpSysMajorVer", "OpSysName", "OpSysShortName", "OpSysVer",
    "OpSysLongName", "UtsnameSysname", "UtsnameRelease",
    "redhat_version", "kernel_version", "glibc_version", "glibc_base_version",
    "HasJava", "JavaVendor", "JavaVersion", "JavaSpecificationVersion",
    "HasHardwareVirt", "HardwareVirtType", "HasKVM", "IsVirtualMachine", "Hypervisor",
    "Cpus", "TotalCpus", "TotalSlots", "Memory", "TotalMemory", "Disk", "TotalDisk",
    "START", "Requirements", "MyCurrentTime", "LastHeardFrom",
]  # fmt: skip


def _slot_ads(machines: List[Machine], rng: np.random.Generator) -> List[Dict[str, object]]:
    rows = []
    for m in sorted(machines, key=lambda m: m.facts["host"]):
        f = m.facts
        base: Dict[str, object] = {
            "MyType": "Machine",
            "TargetType": "Job",
            "Machine": f["host"],
            "SlotType": "Static",
            "Arch": f["arch"],
            "Cpus": 1,
            "TotalCpus": m.slots,
            "TotalSlots": m.slots,
            "Memory": f["TotalMemory"] // m.slots,
            "TotalMemory": f["TotalMemory"],
            "Disk": f["TotalDisk"] // m.slots,
            "TotalDisk": f["TotalDisk"],
            "MyCurrentTime": f["LastHeardFrom"],
            "LastHeardFrom": f["LastHeardFrom"],
        }
        if m.family == "mac":
            # Mac OS X 10.5.8 (Leopard, Darwin 9.8.0): its Java 1.5.0_19 dates it.
            base.update(
                OpSys="OSX", OpSysAndVer="MacOSX5", OpSysMajorVer=5, OpSysName="Leopard",
                OpSysShortName="MacOSX", OpSysVer=508, OpSysLongName="MacOSX 5.8",
                UtsnameSysname="Darwin", UtsnameRelease="9.8.0",
            )  # fmt: skip
        else:
            and_ver, major, os_name, os_ver = _OS[m.release]
            base.update(
                OpSys="LINUX", OpSysAndVer=and_ver, OpSysMajorVer=major, OpSysName=os_name,
                OpSysShortName=os_name, OpSysVer=os_ver, OpSysLongName=m.release,
                UtsnameSysname="Linux", UtsnameRelease=m.kernel,
                redhat_version=m.release, kernel_version=m.kernel, glibc_version=m.glibc,
                glibc_base_version=m.glibc.split("-")[1],
            )  # fmt: skip
        for key in ("HasHardwareVirt", "HardwareVirtType", "HasKVM", "IsVirtualMachine",
                    "Hypervisor"):  # fmt: skip
            if key in f:
                base[key] = f[key]
        vendor, version, spec = m.java
        if vendor is not None:
            base.update(
                HasJava=True, JavaVendor=vendor, JavaVersion=version,
                JavaSpecificationVersion=spec,
            )  # fmt: skip
        for slot in range(1, m.slots + 1):
            busy = rng.random() < 0.55
            row = dict(base)
            row["Name"] = f"slot{slot}@{f['host']}" if m.slots > 1 else f["host"]
            row["SlotID"] = slot
            row["State"] = "Claimed" if busy else "Unclaimed"
            row["Activity"] = "Busy" if busy else "Idle"
            rows.append(row)
    return rows


_EXPRESSIONS = {"START": "true", "Requirements": "START"}


def generate(*, seed: int = 2010, slots: Optional[int] = None) -> Snapshot:
    """The 2010 campus pool as a snapshot (861 slots; ``seed`` varies the assumptions)."""
    if slots is not None and slots != TOTAL_SLOTS:
        raise TribesError(f"pool_2010 has exactly {TOTAL_SLOTS} slots; got slots={slots}")
    rng = np.random.default_rng(seed)
    machines = _machines(rng)
    _assign_java(machines, rng)
    _hardware(machines, rng)
    rows = _slot_ads(machines, rng)
    columns = {}
    for attr in ATTRIBUTES:
        if attr in _EXPRESSIONS:
            columns[attr] = [_EXPRESSIONS[attr]] * len(rows)
        else:
            columns[attr] = [cell(row.get(attr)) for row in rows]
    ads, names = frame(columns, ATTRIBUTES)
    return Snapshot(
        ads=ads,
        time=CAPTURE_TIME,
        time_source="generated",
        source=f"pool_2010(seed={seed})",
        names=names,
    )

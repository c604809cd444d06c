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

What comes from the seed
------------------------
The seven tables (``RHEL4_*``, ``RHEL5_*``, ``CENTOS5``, ``JAVA`` below) and
these readings of its text:

* "another 73 machines are behind by a version or two": the 47 RHEL 4 and 26
  RHEL 5.3 slots are 73 single-slot machines.
* "someone plugged in their own personal CentOS machine" and "a few are
  hand-modified for some unusual hardware": the 4 CentOS 5.3 slots are one
  4-core machine running the custom ``2.6.27.8-md-microway`` kernel with the
  glibc it was installed with (``glibc-2.5-34``).
* "only two are Xen virtualized": the two ``…el5xen`` slots are two
  single-vCPU Xen guests (``IsVirtualMachine``, ``Hypervisor = "xen"``); a
  paravirtualised guest does not see VT-x.

The joint
---------
Within each family the OS release, kernel and glibc tables are joined oldest
with oldest (:func:`simulator.pools.coupling.couple`): a machine that picked
up an old kernel also has the matching old C library. This gives RHEL 5.3 ↔
``2.6.18-128.*`` ↔ ``glibc-2.5-34*`` and RHEL 5.4 ↔ ``2.6.18-164.*`` ↔
``glibc-2.5-42*`` with no exception, and RHEL 4 Update 7 ↔ ``2.6.9-78.*`` ↔
``glibc-2.3.4-2.41*``, Update 8 ↔ ``2.6.9-89.*`` ↔ ``glibc-2.3.4-2.43*`` with
**one forced exception**: the 4.8 release has 10 slots but the 4.8 kernels
only 8, so 2 Update 8 slots still run ``2.6.9-78.0.17.ELsmp`` (updated, not
yet rebooted). The joint of OS, kernel and glibc is the same for every seed.

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

import calendar
import dataclasses
from typing import Dict, List, Optional

import numpy as np

from simulator.exceptions import TribesError
from simulator.pools.cells import cell, frame
from simulator.pools.coupling import couple
from simulator.snapshot import Snapshot

CAPTURE_TIME = calendar.timegm((2010, 4, 5, 12, 0, 0))
DOMAIN = "campus.example.edu"

_AS7 = "Red Hat Enterprise Linux AS release 4 (Nahant Update 7)"
_WS7 = "Red Hat Enterprise Linux WS release 4 (Nahant Update 7)"
_AS8 = "Red Hat Enterprise Linux AS release 4 (Nahant Update 8)"
_EL53 = "Red Hat Enterprise Linux Server release 5.3 (Tikanga)"
_EL54 = "Red Hat Enterprise Linux Server release 5.4 (Tikanga)"
_CENTOS53 = "CentOS release 5.3 (Final)"

# The seed's tables, split by family and put in age order (oldest first).
RHEL4_UPDATES = [("4.7", 37), ("4.8", 10)]
RHEL4_RELEASES = {"4.7": [(_AS7, 27), (_WS7, 10)], "4.8": [(_AS8, 10)]}
RHEL4_KERNELS = [
    ("2.6.9-78.0.5.ELsmp", 2),
    ("2.6.9-78.0.13.ELsmp", 32),
    ("2.6.9-78.0.17.ELsmp", 5),
    ("2.6.9-89.0.9.ELsmp", 2),
    ("2.6.9-89.0.16.ELsmp", 2),
    ("2.6.9-89.0.20.ELsmp", 4),
]
RHEL4_GLIBC = [
    ("glibc-2.3.4-2.41", 24),
    ("glibc-2.3.4-2.41.el4_7.1", 13),
    ("glibc-2.3.4-2.43", 6),
    ("glibc-2.3.4-2.43.el4_8.1", 4),
]
RHEL5_RELEASES = [(_EL53, 26), (_EL54, 782)]
RHEL5_KERNELS = [
    ("2.6.18-128.2.1.el5", 10),
    ("2.6.18-128.4.1.el5", 2),
    ("2.6.18-128.7.1.el5", 14),
    ("2.6.18-164.el5", 294),
    ("2.6.18-164.2.1.el5", 6),
    ("2.6.18-164.6.1.el5", 12),
    ("2.6.18-164.9.1.el5", 342),
    ("2.6.18-164.9.1.el5xen", 2),
    ("2.6.18-164.10.1.el5", 94),
    ("2.6.18-164.11.1.el5", 32),
]
# glibc-2.5-34 has 14 slots in the seed: 10 here and 4 on the CentOS machine.
RHEL5_GLIBC = [
    ("glibc-2.5-34", 10),
    ("glibc-2.5-34.el5_3.1", 16),
    ("glibc-2.5-42", 296),
    ("glibc-2.5-42.el5_4.2", 452),
    ("glibc-2.5-42.el5_4.3", 34),
]
CENTOS5 = (_CENTOS53, "2.6.27.8-md-microway", "glibc-2.5-34", 4)
XEN_KERNEL = "2.6.18-164.9.1.el5xen"

# (vendor, version, specification, slots, weight per family); vendor None = no Java.
# Filled in this order; the last row takes what is left.
JAVA = [
    ("Apple Computer, Inc.", "1.5.0_19", "1.5", 2, {"mac": 1}),
    ("Sun Microsystems Inc.", "1.5.0_17", "1.5", 3, {"rhel4": 1}),
    ("Free Software Foundation, Inc.", "1.4.2", "1.4", 52, {"rhel4": 6, "rhel5": 1, "centos5": 1}),
    ("Sun Microsystems Inc.", "1.6.0", "1.6", 308, {"rhel5": 1, "centos5": 1}),
    (None, None, None, 72, {"rhel4": 1, "rhel5": 1, "centos5": 1}),
    ("Sun Microsystems Inc.", "1.6.0_18", "1.6", 28, {"rhel4": 1, "rhel5": 1, "centos5": 1}),
    ("Sun Microsystems Inc.", "1.6.0_17", "1.6", 174, {"rhel4": 1, "rhel5": 1, "centos5": 1}),
    ("Sun Microsystems Inc.", "1.6.0_15", "1.6", 222, {"rhel4": 1, "rhel5": 1, "centos5": 1}),
]

TOTAL_SLOTS = 861
LINUX_SLOTS = 859

_OS = {  # release text -> (OpSysAndVer, OpSysMajorVer, OpSysName, OpSysVer)
    _AS7: ("RedHat4", 4, "RedHat", 407),
    _WS7: ("RedHat4", 4, "RedHat", 407),
    _AS8: ("RedHat4", 4, "RedHat", 408),
    _EL53: ("RedHat5", 5, "RedHat", 503),
    _EL54: ("RedHat5", 5, "RedHat", 504),
    _CENTOS53: ("CentOS5", 5, "CentOS", 503),
}


@dataclasses.dataclass
class Machine:
    family: str  # rhel4, rhel5, centos5, mac: what decides Java and hardware
    slots: int
    release: Optional[str] = None
    kernel: Optional[str] = None
    glibc: Optional[str] = None
    xen: bool = False
    java: Optional[tuple] = None
    facts: Dict[str, object] = dataclasses.field(default_factory=dict)


def _cut(total: int, rng: np.random.Generator) -> List[int]:
    """Split ``total`` slots into machine sizes (cores of 2008–2010 servers)."""
    sizes, weights = np.array([8, 4, 2, 1]), np.array([0.35, 0.40, 0.20, 0.05])
    out = []
    while total:
        fits = sizes <= total
        size = int(rng.choice(sizes[fits], p=weights[fits] / weights[fits].sum()))
        out.append(size)
        total -= size
    return out


def _machines(rng: np.random.Generator) -> List[Machine]:
    machines: List[Machine] = []
    # RHEL 4: 47 single-slot desktops; AS/WS of Update 7 chosen at random.
    for (update, kernel, glibc), n in couple(RHEL4_UPDATES, RHEL4_KERNELS, RHEL4_GLIBC):
        machines += [Machine("rhel4", 1, update, kernel, glibc) for _ in range(n)]
    for update, releases in RHEL4_RELEASES.items():
        group = [m for m in machines if m.release == update]
        order = rng.permutation(len(group))
        labels = [text for text, n in releases for _ in range(n)]
        for i, label in zip(order, labels, strict=True):
            group[i].release = label
    for (release, kernel, glibc), n in couple(RHEL5_RELEASES, RHEL5_KERNELS, RHEL5_GLIBC):
        if release == _EL53 or kernel == XEN_KERNEL:
            sizes = [1] * n
        else:
            sizes = _cut(n, rng)
        for size in sizes:
            machines.append(Machine("rhel5", size, release, kernel, glibc, kernel == XEN_KERNEL))
    release, kernel, glibc, n = CENTOS5
    machines.append(Machine("centos5", n, release, kernel, glibc))
    machines.append(Machine("mac", 2))
    return machines


def _assign_java(machines: List[Machine], rng: np.random.Generator) -> None:
    """Give each machine one Java so that every row of ``JAVA`` is hit exactly."""
    for _attempt in range(200):
        free = list(range(len(machines)))
        chosen: Dict[int, tuple] = {}
        ok = True
        for *java, slots, weights in JAVA:
            left = slots
            while left and ok:
                pool = [
                    i
                    for i in free
                    if machines[i].slots <= left and weights.get(machines[i].family, 0)
                ]
                if not pool:
                    ok = False
                    break
                w = np.array([weights[machines[i].family] for i in pool], dtype=float)
                pick = pool[int(rng.choice(len(pool), p=w / w.sum()))]
                chosen[pick] = tuple(java)
                free.remove(pick)
                left -= machines[pick].slots
            if not ok:
                break
        if ok and not free:
            for i, java in chosen.items():
                machines[i].java = java
            return
    raise TribesError("pool_2010: could not fit the Java table to the machines")


def _hardware(machines: List[Machine], rng: np.random.Generator) -> None:
    """Fill in the seeded facts the seed does not give (see the module docstring)."""
    counters: Dict[str, int] = {}

    def name(prefix: str, width: int) -> str:
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}{counters[prefix]:0{width}d}.{DOMAIN}"

    offsets = rng.integers(0, 300, size=len(machines))
    offsets -= offsets.min()
    for m, offset in zip(machines, offsets, strict=True):
        f = m.facts
        desktop = m.slots <= 2
        if m.family == "mac":
            f["host"] = name("mac", 2)
        elif m.xen:
            f["host"] = name("vm", 2)
        else:
            f["host"] = name("ws" if desktop else "node", 3)
        if m.family == "rhel4":
            f["arch"] = "INTEL" if rng.random() < 0.40 else "X86_64"
            virt = rng.random() < 0.30
        elif m.family == "rhel5" and m.release == _EL53:
            f["arch"] = "INTEL" if rng.random() < 0.15 else "X86_64"
            virt = rng.random() < 0.60
        elif m.family == "mac":
            f["arch"] = "INTEL"
            virt = None
        else:
            f["arch"] = "X86_64"
            virt = (not m.xen) and (m.family == "centos5" or rng.random() < 0.90)
        if virt is not None:
            f["HasHardwareVirt"] = bool(virt)
            if virt:
                amd = m.family == "centos5" or rng.random() < 0.20
                f["HardwareVirtType"] = "AMD-V" if amd else "VT-x"
            kvm_ok = virt and m.release == _EL54 and rng.random() < 0.05
            f["HasKVM"] = bool(kvm_ok)
            f["IsVirtualMachine"] = m.xen
            if m.xen:
                f["Hypervisor"] = "xen"
        if desktop:
            gb_total = int(rng.choice([1, 2, 4], p=[0.5, 0.4, 0.1])) * (m.slots if m.xen else 1)
        else:
            gb_total = int(rng.choice([1, 2, 4], p=[0.2, 0.6, 0.2])) * m.slots
        f["TotalMemory"] = gb_total * 1024 - int(rng.integers(16, 120))
        disk_gb = int(rng.choice([40, 80, 160, 250, 500]))
        f["TotalDisk"] = int(disk_gb * 1024 * 1024 * rng.uniform(0.3, 0.9))
        f["LastHeardFrom"] = CAPTURE_TIME - int(offset)


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

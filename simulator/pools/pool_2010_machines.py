"""The machines of the 2010 pool: the joint of the seed's tables, then seeded facts.

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

What is drawn at random (cores, AS/WS, Java, arch, virtualisation, memory,
disk, names) is listed in :mod:`simulator.pools.pool_2010`.

>>> machines = _machines(np.random.default_rng(2010))
>>> sum(m.slots for m in machines), sum(m.family == "rhel4" for m in machines)
(861, 47)
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional

import numpy as np

from simulator.model.errors import TribesError
from simulator.pools.coupling import couple
from simulator.pools.pool_2010_tables import (
    _EL53,
    _EL54,
    CAPTURE_TIME,
    CENTOS5,
    JAVA,
    RHEL4_GLIBC,
    RHEL4_KERNELS,
    RHEL4_RELEASES,
    RHEL4_UPDATES,
    RHEL5_GLIBC,
    RHEL5_KERNELS,
    RHEL5_RELEASES,
    XEN_KERNEL,
)

DOMAIN = "campus.example.edu"


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
    """Fill in the seeded facts the seed does not give (see :mod:`simulator.pools.pool_2010`)."""
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

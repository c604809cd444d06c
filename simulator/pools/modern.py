"""A modern pool (2026): EL7–EL10, Debian 12/13, Ubuntu 22.04/24.04, bare metal and VMs.

Vectorised with numpy: ``generate(slots=1_000_000)`` takes a few seconds. Each
distinct cell text is one shared Python string, so a column costs one pointer
per slot. Deterministic for a given ``seed``.

>>> snap = generate(slots=500, seed=1)
>>> len(snap), sorted(set(snap.values("SlotType")))
(500, ['Dynamic', 'Partitionable', 'Static'])

The mix is documented, every share with where its figure comes from, beside
its tables (``os_shares=``, ``roles=``, ``hypervisors=`` override them):

- :mod:`simulator.pools.modern_releases`: OS families, releases, kernels, glibc;
- :mod:`simulator.pools.modern_mix`: machine roles and their slots, sizes,
  virtualisation, START policies;
- :mod:`simulator.pools.modern_java`: Java builds;
- :mod:`simulator.pools.modern_machines`: the machines drawn from them.

This module spreads the machines over their slot ads and writes the cells.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np
import pandas as pd

from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot
from simulator.pools import startd_facts as facts
from simulator.pools.cells import (
    Block,
    expression_cell,
    float_cell,
    int_cell,
    string_cell,
)
from simulator.pools.modern_java import JAVA, NO_JAVA
from simulator.pools.modern_machines import Machines, outcomes, pick
from simulator.pools.modern_mix import (
    AMD_SHARE,
    BARE_METAL_VIRT,
    CAPTURE_TIME,
    CORES,
    DESKTOP_GB_PER_CORE,
    DISK_GB_PER_CORE,
    GB_PER_CORE,
    HAS_KVM,
    HYPERVISORS,
    JOB_MEMORY_MB,
    MICROARCH,
    NESTED_VIRT,
    REQUIREMENTS,
    ROLES,
    START,
    STATIC_CLAIMED,
    WITHIN_RESOURCE_LIMITS,
)
from simulator.pools.modern_releases import OS_SHARES, RELEASES

# The mix tables are re-exported: callers read them as ``modern.OS_SHARES`` and so on.
__all__ = [
    "AMD_SHARE", "ATTRIBUTES", "BARE_METAL_VIRT", "CAPTURE_TIME", "CORES", "DEFAULT_SLOTS",
    "DESKTOP_GB_PER_CORE", "DISK_GB_PER_CORE", "DOMAIN", "GB_PER_CORE", "HAS_KVM",
    "HYPERVISORS", "JAVA", "JOB_MEMORY_MB", "MAX_SLOTS", "MICROARCH", "NESTED_VIRT", "NO_JAVA",
    "OS_SHARES", "RELEASES", "REQUIREMENTS", "ROLES", "START", "STATIC_CLAIMED",
    "WITHIN_RESOURCE_LIMITS", "generate",
]  # fmt: skip

DEFAULT_SLOTS = 10_000
MAX_SLOTS = 5_000_000
DOMAIN = "pool.example.org"


def _labels(texts: Sequence[Optional[str]]) -> np.ndarray:
    table = np.empty(len(texts) + 1, dtype=object)
    table[:-1] = list(texts)
    table[-1] = None  # code -1 = absent
    return table


def _coded(codes: np.ndarray, texts: Sequence[Optional[str]]) -> np.ndarray:
    return _labels(texts)[codes]


def _numbers(values: np.ndarray, fmt=int_cell, index: Optional[np.ndarray] = None) -> np.ndarray:
    """Cells of numbers; with ``index``, ``values`` are per machine and spread to slots."""
    codes, uniq = pd.factorize(values)
    texts = [fmt(v) for v in uniq.tolist()]
    return _coded(codes if index is None else codes[index], texts)


def _masked(column: np.ndarray, keep: np.ndarray) -> np.ndarray:
    out = column.copy()
    out[~keep] = None
    return out


ATTRIBUTES = [
    "MyType", "TargetType", "Name", "Machine", "SlotID", "SlotType", "PartitionableSlot",
    "DynamicSlot", "State", "Activity", "OpSys", "OpSysLegacy", "Arch", "Microarch",
    "OpSysAndVer", "OpSysMajorVer", "OpSysName", "OpSysShortName", "OpSysVer", "OpSysLongName",
    "UtsnameSysname", "UtsnameRelease", "redhat_version", "os_pretty_name", "os_id",
    "os_version_id", "kernel_version", "glibc_version", "glibc_base_version", "HasJava",
    "JavaVendor", "JavaVersion", "JavaSpecificationVersion", "HasHardwareVirt",
    "HardwareVirtType", "HasKVM", "IsVirtualMachine", "Hypervisor", "Cpus", "TotalCpus",
    "Memory", "TotalMemory", "Disk", "TotalDisk", "TotalSlots", "KeyboardIdle", "LoadAvg",
    "CondorLoadAvg", "GLIDEIN_ToRetire", "START", "WithinResourceLimits", "Requirements",
    "MyCurrentTime", "LastHeardFrom",
    # What every startd publishes (simulator.pools.startd_facts).
    "CondorVersion", "HasFileTransfer", "FileSystemDomain", "UidDomain", "RemoteUser",
    "RemoteOwner", "TotalSlotCpus", "TotalSlotMemory", "TotalSlotDisk", "GPUs", "TotalGPUs",
    "TotalSlotGPUs", "MachineResources",
    "HasVM", "VM_Type", "VM_AvailNum", "VM_Memory", *facts.CONTAINER_FLAGS,
    "SingularityVersion",
]  # fmt: skip


def generate(
    *,
    seed: int = 2010,
    slots: Optional[int] = None,
    os_shares: Optional[Dict[str, float]] = None,
    roles: Optional[Dict[str, float]] = None,
    hypervisors: Optional[Dict[str, float]] = None,
    attributes: Optional[Sequence[str]] = None,
) -> Snapshot:
    """A modern pool of ``slots`` slot ads (default 10,000), as of 2026-07-06.

    ``attributes`` keeps only those columns (any case), for big pools where
    memory counts; the slots are the same as with all of them.
    """
    slots = DEFAULT_SLOTS if slots is None else int(slots)
    if not 1 <= slots <= MAX_SLOTS:
        raise TribesError(f"modern pool: slots must be between 1 and {MAX_SLOTS}, got {slots}")
    roles = dict(ROLES if roles is None else roles)
    unknown = sorted(set(roles) - set(START))
    if unknown:
        raise TribesError(f"modern pool: unknown roles {unknown} (known: {', '.join(START)})")
    rng = np.random.default_rng(seed)
    # Draw enough machines at once; a second draw is rarely needed.
    n = max(8, int(slots / 20) + 8)
    while True:
        m = Machines(rng, n, os_shares or OS_SHARES, roles, hypervisors or HYPERVISORS)
        ends = np.cumsum(m.slot_ads)
        if ends[-1] >= slots:
            break
        n *= 2
    n_machines = int(np.searchsorted(ends, slots) + 1)
    before = int(ends[n_machines - 2]) if n_machines > 1 else 0
    m.truncate(n_machines, slots - before)
    keep = ATTRIBUTES
    if attributes is not None:
        wanted = {a.lower() for a in attributes}
        unknown = sorted(wanted - {a.lower() for a in ATTRIBUTES})
        if unknown:
            raise TribesError(f"modern pool: no attributes {unknown}")
        keep = [a for a in ATTRIBUTES if a.lower() in wanted]
    return _snapshot(m, rng, seed, slots, keep)


def _snapshot(m: Machines, rng, seed: int, slots: int, keep: Sequence[str]) -> Snapshot:
    mi = np.repeat(np.arange(m.n), m.slot_ads)  # machine of each slot
    starts = np.cumsum(m.slot_ads) - m.slot_ads
    pos = np.arange(len(mi)) - starts[mi]  # 0 = first slot ad of its machine
    pslot = m.partitionable[mi]
    dynamic = pslot & (pos > 0)
    static = ~pslot
    cols = Block(keep, len(mi))
    const = {
        "MyType": "Machine", "TargetType": "Job", "OpSys": "LINUX", "OpSysLegacy": "LINUX",
        "Arch": "X86_64", "UtsnameSysname": "Linux",
    }  # fmt: skip
    for attr, value in const.items():
        cols[attr] = _coded(np.zeros(len(mi), dtype=np.int64), [string_cell(value)])

    # Names: hosts are [a-z0-9.-] only, so quoting is adding the quotes.
    host = [f"{_host_prefix(m, i)}{i + 1:06d}.{DOMAIN}" for i in range(m.n)]
    cols["Machine"] = _coded(mi, [f'"{h}"' for h in host])
    if "Name" in cols:  # a million distinct strings: only when asked for
        pos_list, mi_list = pos.tolist(), mi.tolist()
        names = np.empty(len(mi), dtype=object)
        names[:] = [
            f'"slot1_{p}@{host[j]}"' if kind == 2 else f'"slot{p + 1}@{host[j]}"'
            for p, j, kind in zip(pos_list, mi_list, (pslot.astype(np.int8) + dynamic).tolist(),
                                  strict=True)
        ]  # fmt: skip
        cols["Name"] = names
        del names
    cols["SlotID"] = _numbers(np.where(pslot, 1, pos + 1))
    kind = np.where(dynamic, 2, np.where(pslot, 1, 0))
    cols["SlotType"] = _coded(kind, [string_cell(s) for s in ("Static", "Partitionable",
                                                             "Dynamic")])  # fmt: skip
    cols["PartitionableSlot"] = _masked(_coded(np.zeros(len(mi), np.int64), ["true"]),
                                        pslot & ~dynamic)  # fmt: skip
    cols["DynamicSlot"] = _masked(_coded(np.zeros(len(mi), np.int64), ["true"]), dynamic)

    # State: dynamic slots run a job; partitionable slots stay Unclaimed; static ones vary.
    claimed = dynamic | (static & (rng.random(len(mi)) < STATIC_CLAIMED))
    cols["State"] = _coded(claimed.astype(np.int64), ['"Unclaimed"', '"Claimed"'])
    cols["Activity"] = _coded(claimed.astype(np.int64), ['"Idle"', '"Busy"'])

    # The OS, one release row per machine.
    rel = m.release[mi]
    for attr, key, fmt in (
        ("OpSysAndVer", None, None), ("OpSysMajorVer", "major", int_cell),
        ("OpSysName", "name", string_cell), ("OpSysShortName", "name", string_cell),
        ("OpSysVer", None, None), ("OpSysLongName", "long_name", string_cell),
        ("redhat_version", "redhat_version", string_cell), ("os_pretty_name",
        "os_pretty_name", string_cell), ("os_id", "os_id", string_cell),
        ("os_version_id", "os_version_id", string_cell),
    ):  # fmt: skip
        if attr == "OpSysAndVer":
            texts = [string_cell(f"{r['name']}{r['major']}") for r in RELEASES]
        elif attr == "OpSysVer":
            texts = [int_cell(r["major"] * 100 + r["minor"]) for r in RELEASES]
        else:
            texts = [fmt(r[key]) for r in RELEASES]
        cols[attr] = _coded(rel, texts)
    kernel_codes, kernel_texts = _per_release(m.release, m.kernel, "kernels")
    cols["kernel_version"] = cols["UtsnameRelease"] = _coded(kernel_codes[mi], kernel_texts)
    glibc_codes, glibc_texts = _per_release(m.release, m.glibc, "glibcs")
    cols["glibc_version"] = _coded(glibc_codes[mi], glibc_texts)
    base = [string_cell(t.strip('"').split("-")[1]) for t in glibc_texts]
    cols["glibc_base_version"] = _coded(glibc_codes[mi], base)
    cols["Microarch"] = _coded(m.microarch[mi], [string_cell(v) for v in MICROARCH])

    java = m.java[mi]
    cols["HasJava"] = _coded(np.where(java >= 0, 0, -1), ["true"])
    for attr, idx in (("JavaVendor", 0), ("JavaVersion", 1), ("JavaSpecificationVersion", 2)):
        cols[attr] = _coded(java, [string_cell(row[idx]) for row in m.java_rows])

    virt, amd = m.virt[mi], m.amd[mi]
    cols["HasHardwareVirt"] = _coded(virt.astype(np.int64), ["false", "true"])
    cols["HardwareVirtType"] = _coded(np.where(virt, amd.astype(np.int64), -1),
                                      ['"VT-x"', '"AMD-V"'])  # fmt: skip
    cols["HasKVM"] = _coded(m.kvm[mi].astype(np.int64), ["false", "true"])
    hyp = m.hypervisor[mi]
    cols["IsVirtualMachine"] = _coded((hyp >= 0).astype(np.int64), ["false", "true"])
    cols["Hypervisor"] = _coded(hyp, [string_cell(h) for h in m.hypervisor_names])

    # Resources. Static: an equal share per core. Partitionable: what is left
    # after the dynamic slots; dynamic: one core and the job's memory.
    cores, memory, disk = m.cores[mi], m.memory[mi], m.disk[mi]
    job_mb = outcomes(JOB_MEMORY_MB)[pick(rng, JOB_MEMORY_MB, len(mi))]
    job_mb = np.minimum(job_mb, memory // np.maximum(cores, 1))
    dyn_disk = disk // np.maximum(cores, 1)
    used_mb = np.bincount(mi, weights=np.where(dynamic, job_mb, 0), minlength=m.n).astype(np.int64)
    slot_cpus = np.where(dynamic, 1, np.where(pslot, m.cores[mi] - m.dynamic[mi], 1))
    slot_memory = np.where(dynamic, job_mb, np.where(pslot, memory - used_mb[mi], memory // cores))
    pslot_disk = disk - dyn_disk * m.dynamic[mi]
    slot_disk = np.where(dynamic, dyn_disk, np.where(pslot, pslot_disk, disk // cores))
    cols["Cpus"] = _numbers(slot_cpus)
    cols["TotalCpus"] = _numbers(m.cores, index=mi)
    cols["Memory"] = _numbers(slot_memory)
    cols["TotalMemory"] = _numbers(m.memory, index=mi)
    cols["Disk"] = _numbers(slot_disk)
    cols["TotalDisk"] = _numbers(m.disk, index=mi)
    cols["TotalSlots"] = _numbers(m.slot_ads, index=mi)

    role = m.role[mi]
    desktop = role == (m.role_names.index("desktop") if "desktop" in m.role_names else -1)
    vm = m.hypervisor[mi] >= 0
    cols["KeyboardIdle"] = _masked(_numbers(m.keyboard_idle, index=mi), desktop)
    condor_load = claimed.astype(float)
    cols["CondorLoadAvg"] = _masked(_numbers(condor_load, float_cell), desktop)
    cols["LoadAvg"] = _masked(_numbers(condor_load + m.owner_load[mi], float_cell), desktop)
    cols["GLIDEIN_ToRetire"] = _masked(_numbers(m.retire, index=mi), vm)
    cols["START"] = _coded(role, [expression_cell(START[r]) for r in m.role_names])
    cols["WithinResourceLimits"] = _coded(np.zeros(len(mi), np.int64),
                                          [expression_cell(WITHIN_RESOURCE_LIMITS)])  # fmt: skip
    cols["Requirements"] = _coded(np.zeros(len(mi), np.int64), [expression_cell(REQUIREMENTS)])
    cols["MyCurrentTime"] = cols["LastHeardFrom"] = _numbers(m.heard, index=mi)
    _startd_facts(cols, m, mi, seed, claimed, pslot & ~dynamic,
                  (slot_cpus, slot_memory, slot_disk))

    del mi, pos
    ads, names_map = cols.frame()
    return Snapshot(
        ads=ads,
        time=int(m.heard.max()),
        time_source="generated",
        source=f"modern(seed={seed}, slots={slots})",
        names=names_map,
    )


def _startd_facts(cols: Block, m: Machines, mi, seed, claimed, pslot, sizes) -> None:
    """File transfer, domains, claims, whole-slot sizes, VM and container support."""
    rng = facts.facts_rng(seed)
    n = len(mi)
    one = np.zeros(n, dtype=np.int64)
    cols["CondorVersion"] = _coded(mi, [string_cell(v) for v in facts.condor_versions(rng, m.n)])
    cols["HasFileTransfer"] = _coded(one, ["true"])
    cols["FileSystemDomain"] = _coded(one, [string_cell(DOMAIN)])
    cols["UidDomain"] = _coded(one, [string_cell(DOMAIN)])
    remote = facts.users(rng, claimed, "ap.example.org")
    codes, texts = _labels_of(remote)
    cols["RemoteUser"] = _coded(codes, texts)
    cols["RemoteOwner"] = _coded(codes, texts)
    slot_cpus, slot_memory, slot_disk = sizes
    for attr, whole, own in (("TotalSlotCpus", m.cores, slot_cpus),
                             ("TotalSlotMemory", m.memory, slot_memory),
                             ("TotalSlotDisk", m.disk, slot_disk)):
        cols[attr] = _numbers(np.where(pslot, whole[mi], own))
    for attr in ("GPUs", "TotalGPUs", "TotalSlotGPUs"):  # no GPUs, as 141 of the sample's 143
        cols[attr] = _coded(one, ["0"])
    cols["MachineResources"] = _coded(one, [string_cell(facts.MACHINE_RESOURCES)])
    kvm = m.kvm[mi].astype(np.int64)
    cols["HasVM"] = _coded(kvm, ["false", "true"])
    cols["VM_Type"] = _coded(np.where(kvm == 1, 0, -1), ['"kvm"'])
    cols["VM_AvailNum"] = _coded(np.where(kvm == 1, 0, -1), ["1"])
    cols["VM_Memory"] = _masked(_numbers(m.memory // 2, index=mi), kvm == 1)
    runtimes = facts.container_runtimes(rng, m.n)
    runtime_codes, runtime_texts = _labels_of(runtimes)
    able = runtime_codes[mi]
    for attr in facts.CONTAINER_FLAGS:
        cols[attr] = _coded(np.where(able >= 0, 1, 0), ["false", "true"])
    cols["SingularityVersion"] = _coded(able, runtime_texts)


def _labels_of(values):
    """Integer codes (-1 for None) and the quoted texts of a list of strings."""
    texts: list = []
    index: dict = {}
    codes = np.array([-1 if v is None else index.setdefault(v, len(index)) for v in values],
                     dtype=np.int64)
    texts = [string_cell(v) for v in index]
    return codes, texts


def _host_prefix(m: Machines, i: int) -> str:
    role = m.role_names[m.role[i]]
    return {"cluster": "node", "cluster-static": "node", "desktop": "ws", "vm": "vm"}[role]


def _per_release(release: np.ndarray, choice: np.ndarray, key: str):
    """Global codes and cell texts for a per-release list (kernels or glibcs)."""
    offsets, texts = [], []
    for r in RELEASES:
        offsets.append(len(texts))
        texts += [string_cell(v) for v in r[key]]
    return np.array(offsets)[release] + choice, texts

"""The modern pool's machines, drawn from the mix tables: one row per machine, as numpy arrays.

Each attribute is an array over the machines (codes into ``RELEASES``, the
roles, the hypervisors, a Java row ...); :mod:`simulator.pools.modern` spreads
them over the slots. The draws come in a fixed order from one generator, so a
seed gives the same machines.

>>> m = Machines(np.random.default_rng(1), 50, {"EL9": 1.0}, {"vm": 1.0}, {"kvm": 1.0})
>>> {RELEASES[r]["family"] for r in m.release}, m.hypervisor_names, bool(m.partitionable.all())
({'EL9'}, ['kvm'], True)
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np

from simulator.model.errors import TribesError
from simulator.pools.modern_java import JAVA, NO_JAVA
from simulator.pools.modern_mix import (
    AMD_SHARE,
    BARE_METAL_VIRT,
    CAPTURE_TIME,
    CORES,
    DESKTOP_GB_PER_CORE,
    DISK_GB_PER_CORE,
    GB_PER_CORE,
    HAS_KVM,
    MICROARCH,
    NESTED_VIRT,
)
from simulator.pools.modern_releases import RELEASES


def pick(rng, table: Dict, size: int) -> np.ndarray:
    """Indices into ``list(table)``, drawn with the table's weights."""
    weights = np.array(list(table.values()), dtype=float)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def outcomes(table: Dict) -> np.ndarray:
    """The table's outcomes (its keys), in the order ``pick`` indexes them."""
    return np.array(list(table))


class Machines:
    """Per-machine arrays for ``n`` machines (codes into the mix tables)."""

    def __init__(self, rng: np.random.Generator, n: int, os_shares, roles, hypervisors):
        families = list(os_shares)
        unknown = sorted(set(families) - {r["family"] for r in RELEASES})
        if unknown:
            raise TribesError(f"modern pool: unknown OS families {unknown}")
        weights = np.array(
            [os_shares[r["family"]] * r["share"] if r["family"] in os_shares else 0.0
             for r in RELEASES]
        )  # fmt: skip
        family_totals: Dict[str, float] = {}
        for r in RELEASES:
            family_totals[r["family"]] = family_totals.get(r["family"], 0.0) + r["share"]
        weights = weights / np.array([family_totals[r["family"]] for r in RELEASES])
        self.n = n
        self.release = rng.choice(len(RELEASES), size=n, p=weights / weights.sum())
        self.kernel = np.zeros(n, dtype=np.int64)
        self.glibc = np.zeros(n, dtype=np.int64)
        for i, r in enumerate(RELEASES):
            mask = self.release == i
            count = int(mask.sum())
            if count:
                self.kernel[mask] = rng.integers(0, len(r["kernels"]), size=count)
                self.glibc[mask] = rng.integers(0, len(r["glibcs"]), size=count)
        self.role = pick(rng, roles, n)
        role_names = list(roles)
        self.role_names = role_names
        self.cores = np.zeros(n, dtype=np.int64)
        for j, role in enumerate(role_names):
            mask = self.role == j
            self.cores[mask] = outcomes(CORES[role])[pick(rng, CORES[role], int(mask.sum()))]
        desktop = self._is("desktop")
        gb = outcomes(GB_PER_CORE)[pick(rng, GB_PER_CORE, n)]
        gb[desktop] = outcomes(DESKTOP_GB_PER_CORE)[pick(rng, DESKTOP_GB_PER_CORE,
                                                         int(desktop.sum()))]  # fmt: skip
        total_mb = self.cores * gb * 1024
        self.memory = total_mb - (total_mb * rng.uniform(0.01, 0.03, size=n)).astype(np.int64)
        disk_gb = outcomes(DISK_GB_PER_CORE)[pick(rng, DISK_GB_PER_CORE, n)]
        free = rng.uniform(0.5, 0.95, size=n)
        self.disk = (self.cores * disk_gb * 1024 * 1024 * free).astype(np.int64)
        # Virtualisation.
        vm = self._is("vm")
        self.hypervisor = np.full(n, -1, dtype=np.int64)
        self.hypervisor[vm] = pick(rng, hypervisors, int(vm.sum()))
        self.hypervisor_names = list(hypervisors)
        nested = np.array([NESTED_VIRT.get(h, 0.0) for h in self.hypervisor_names])
        p_virt = np.where(vm, nested[np.maximum(self.hypervisor, 0)], BARE_METAL_VIRT)
        self.virt = rng.random(n) < p_virt
        self.amd = rng.random(n) < AMD_SHARE
        family_of = np.array([r["family"] for r in RELEASES])[self.release]
        p_kvm = np.array([HAS_KVM[f] for f in family_of])
        self.kvm = self.virt & (rng.random(n) < p_kvm)
        self.microarch = pick(rng, MICROARCH, n)
        # Java: none, or one of the family's builds.
        self.java = np.full(n, -1, dtype=np.int64)
        has_java = rng.random(n) >= NO_JAVA
        self.java_rows: List[Tuple[str, str, str]] = []
        for family, options in JAVA.items():
            mask = has_java & (family_of == family)
            if mask.any():
                table = {len(self.java_rows) + i: w for i, (*_, w) in enumerate(options)}
                self.java[mask] = np.array(list(table))[pick(rng, table, int(mask.sum()))]
            self.java_rows += [tuple(o[:3]) for o in options]
        # Desktop owners: idle time and their own load; VMs: when the instance retires.
        self.keyboard_idle = rng.choice([30, 300, 1800, 7200, 86400], size=n,
                                        p=[0.15, 0.15, 0.2, 0.25, 0.25])  # fmt: skip
        self.owner_load = rng.choice([0.0, 0.1, 0.5, 1.2], size=n, p=[0.6, 0.2, 0.1, 0.1])
        self.heard = CAPTURE_TIME - rng.integers(0, 300, size=n)
        self.retire = self.heard + rng.integers(3600, 48 * 3600, size=n)
        # Running jobs on partitionable machines.
        pslot = self._is("cluster") | vm
        busy = (rng.beta(4, 2, size=n) * self.cores).astype(np.int64)
        self.dynamic = np.where(pslot, np.minimum(busy, self.cores), 0)
        self.partitionable = pslot
        self.slot_ads = np.where(pslot, 1 + self.dynamic, self.cores)

    def _is(self, role: str) -> np.ndarray:
        if role not in self.role_names:
            return np.zeros(self.n, dtype=bool)
        return self.role == self.role_names.index(role)

    def truncate(self, n_machines: int, last_slots: int) -> None:
        """Keep the first machines; the last keeps only ``last_slots`` slot ads."""
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray) and len(value) == self.n:
                setattr(self, name, value[:n_machines].copy())
        self.n = n_machines
        last = n_machines - 1
        if self.partitionable[last]:
            self.dynamic[last] = last_slots - 1
        else:
            self.cores[last] = last_slots
        self.slot_ads[last] = last_slots

"""The slots of a snapshot as the replay sees them: identity, size, partitionable slots whole.

The replay starts with an empty pool and carves partitionable slots itself,
so it needs each slot's whole size and a name that follows it across days.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from simulator.model.condor import ExprTree
from simulator.model.snapshot import Snapshot


def capacity(snapshot: Snapshot):
    """Per slot: (is partitionable, cores, memory MB, is dynamic).

    A partitionable slot offers its whole size (``TotalSlotCpus``/``Memory``
    where published, else its own plus its dynamic slots'): the replay carves
    it itself, so dynamic slots count for nothing.
    """
    partitionable, dynamic, whole = _whole_sizes(snapshot)
    cpus = np.nan_to_num(whole["cpus"], nan=1.0)
    memory = np.nan_to_num(whole["memory"], nan=0.0)
    cpus[dynamic] = 0
    memory[dynamic] = 0
    return partitionable, cpus, memory, dynamic


def disk_capacity(snapshot: Snapshot) -> np.ndarray:
    """Per slot, its whole disk (KB) as ``capacity`` sizes cores; unknown: no limit (inf)."""
    partitionable, dynamic, whole = _whole_sizes(snapshot)
    disk = np.nan_to_num(whole["disk"], nan=np.inf)
    disk[dynamic] = 0
    return disk


_SIZES = (("cpus", "totalslotcpus"), ("memory", "totalslotmemory"), ("disk", "totalslotdisk"))


def _whole_sizes(snapshot: Snapshot):
    """(partitionable, dynamic, {size column: values with the dynamic slots given back})."""
    ads = snapshot.ads
    n = len(ads)

    def flag(col):
        if col not in ads.columns:
            return np.zeros(n, dtype=bool)
        return (ads[col] == "true").to_numpy(dtype=bool, copy=True)

    def numbers(col):
        if col not in ads.columns:
            return np.full(n, np.nan)
        return np.array([v if isinstance(v, (int, float)) and not isinstance(v, bool) else np.nan
                         for v in snapshot.values(col)], dtype=float)

    partitionable = flag("partitionableslot")
    dynamic = flag("dynamicslot")
    if "slottype" in ads.columns:
        dynamic |= (ads["slottype"] == '"Dynamic"').to_numpy(dtype=bool)
    owner = None
    if partitionable.any() and dynamic.any() and "name" in ads.columns:
        # slot1_3@host is a piece of slot1@host.
        parents = ads["name"][dynamic].str.replace(r"_\d+@", "@", regex=True)
        owner = pd.Index(ads["name"]).get_indexer(parents)
    whole = {}
    for col, total_col in _SIZES:
        values = numbers(col)
        if partitionable.any():
            if owner is not None:
                known = owner >= 0
                np.add.at(values, owner[known], np.nan_to_num(values[dynamic][known]))
            total = numbers(total_col)
            values = np.where(partitionable & ~np.isnan(total), total, values)
        whole[col] = values
    return partitionable, dynamic, whole


def empty_pool(snapshot: Snapshot) -> Snapshot:
    """The snapshot as it would be with no job running: partitionable slots whole again.

    A captured partitionable slot shows only what its dynamic slots left
    (``Cpus = 0`` when it is full, which its own ``WithinResourceLimits``
    then refuses); the replay starts empty, so it matches against the whole
    slot. Other slots are unchanged.
    """
    partitionable, _, whole = _whole_sizes(snapshot)
    if not partitionable.any():
        return snapshot
    ads = snapshot.ads.copy()
    rows = np.flatnonzero(partitionable)
    for col, _ in _SIZES:
        if col not in ads.columns:
            continue
        cells = ads[col].to_numpy(dtype=object, copy=True)
        for i in rows:
            value = whole[col][i]
            if np.isnan(value):
                continue
            cells[i] = str(int(value)) if float(value).is_integer() else str(ExprTree(repr(value)))
        ads[col] = cells
    return dataclasses.replace(snapshot, ads=ads)


def slot_keys(snapshot: Snapshot) -> np.ndarray:
    """A slot's identity across snapshots: its ``Name`` (else its row)."""
    ads = snapshot.ads
    if "name" in ads.columns and ads["name"].notna().all() and ads["name"].is_unique:
        return ads["name"].to_numpy(dtype=object)
    return np.array([f"#{i}" for i in range(len(ads))], dtype=object)

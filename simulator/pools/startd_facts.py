"""What every startd publishes besides the OS: file transfer and domains, claims, whole-slot
resources, VM and container support, in the shares the real OSPool sample shows.

A real startd (``src/condor_startd.V6/ResAttributes.cpp``, ``Resource.cpp``; the starter's
container detection in ``src/condor_starter.V6.1/``) publishes ``HasFileTransfer``,
``FileSystemDomain`` and ``UidDomain`` (both default to the machine's full host name),
``RemoteUser``/``RemoteOwner`` while a slot is claimed, ``TotalSlotCpus`` … for each slot,
``MachineResources``, ``HasVM``/``VM_Type``/``VM_AvailNum`` where the VM universe is set up,
and, where the starter can run containers, ``HasContainer``, ``HasSingularity``, ``HasSIF``,
``HasDockerURL``, ``HasSandboxImage`` and ``SingularityVersion``. Jobs and the clauses
``condor_submit`` appends read them, so a pool without them matches no real job.

Draws use a generator of their own (``facts_rng``), so adding facts never moves the slots,
releases or kernels a seed gives.

>>> users(np.random.default_rng(0), np.array([True, False, True]), "ap.example.org")[1] is None
True
"""

from __future__ import annotations

from typing import List, Optional

import numpy as np

# The OSPool sample (143 slot ads, 2026): 140 of them (97.9 %) can run containers, with
# these runtimes (slots per SingularityVersion, the sample's counts), and these HTCondor
# versions (slots per CondorVersion).
CONTAINER_SHARE = 140 / 143
SINGULARITY_VERSIONS = {
    "singularity version 3.6.0-rc.4": 42, "apptainer version 1.5.1-1.el9": 32,
    "apptainer version 1.5.1-1.el8": 21, "apptainer version 1.4.5-3.el8": 10,
    "apptainer version 1.5.2-1.el8": 9, "apptainer version 1.5.2-1.el9": 8,
    "apptainer version 1.5.0-1.el9": 5, "apptainer version 1.3.6-1.el8": 2,
    "apptainer version 1.2.5+433-gca1e06012": 2, "apptainer version 1.4.5-3.el9": 2,
    "singularity version 3.7.1-5.1.ohpc.2.1": 1, "apptainer version 1.2.5": 1,
    "singularity-ce version 4.4.1-1.el9": 1, "apptainer version 1.4.2-1.el9": 1,
    "apptainer version 1.1.8": 1, "apptainer version 1.1.9": 1,
    "apptainer version 1.4.5-2.el9": 1,
}  # fmt: skip
CONDOR_VERSIONS = {"25.12.0": 85, "23.10.32": 44, "25.11.0": 10, "24.12.22": 4}
CONTAINER_FLAGS = ("HasContainer", "HasSingularity", "HasSIF", "HasDockerURL", "HasSandboxImage")
MACHINE_RESOURCES = "Cpus Memory Disk GPUs"
N_USERS = 40  # submitters whose jobs hold the claimed slots


def facts_rng(seed: int) -> np.random.Generator:
    """The generator for these facts: apart from the one that drew the machines."""
    return np.random.default_rng([int(seed), 0x7452])


def users(rng: np.random.Generator, claimed: np.ndarray, submit_host: str) -> List[Optional[str]]:
    """``RemoteUser`` per slot: a submitter on claimed slots (a few heavy, many light)."""
    weights = 1.0 / np.arange(1, N_USERS + 1)  # Zipf: user1 holds the most slots
    picks = rng.choice(N_USERS, size=len(claimed), p=weights / weights.sum())
    return [f"user{k + 1}@{submit_host}" if busy else None
            for k, busy in zip(picks.tolist(), claimed.tolist(), strict=True)]


def container_runtimes(rng: np.random.Generator, n: int) -> List[Optional[str]]:
    """``SingularityVersion`` per machine (None where the starter cannot run containers)."""
    names = list(SINGULARITY_VERSIONS)
    weights = np.array([SINGULARITY_VERSIONS[v] for v in names], dtype=float)
    which = rng.choice(len(names), size=n, p=weights / weights.sum())
    able = rng.random(n) < CONTAINER_SHARE
    return [names[k] if ok else None for k, ok in zip(which.tolist(), able.tolist(),
                                                      strict=True)]


def condor_versions(rng: np.random.Generator, n: int) -> List[str]:
    """``CondorVersion`` per machine, in the sample's shares."""
    names = list(CONDOR_VERSIONS)
    weights = np.array([CONDOR_VERSIONS[v] for v in names], dtype=float)
    which = rng.choice(len(names), size=n, p=weights / weights.sum())
    return [f"$CondorVersion: {names[k]} $" for k in which.tolist()]

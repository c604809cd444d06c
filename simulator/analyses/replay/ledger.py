"""What the replay knows of each job, the same for every negotiator model.

One entry per job of the stream, indexed by its row in :class:`Jobs`: its state
(``PENDING`` before it is submitted, ``IDLE``, ``RUNNING``, ``DONE``), the times it
first started, last started and finished, the slot it runs on, how often it ran and
was evicted, the cores its claim counts, and the core-seconds it used and lost to
evictions. ``finishing`` is the heap of (finish time, job, run number) of the jobs
running now; a run number that no longer matches marks an entry a later eviction
made stale.
"""

from __future__ import annotations

from typing import List, Sequence

import numpy as np
import pandas as pd

from simulator.analyses.replay.jobs import JobProfile, Jobs
from simulator.analyses.replay.slots import slot_keys
from simulator.match import Matcher
from simulator.model.snapshot import Snapshot

PENDING, IDLE, RUNNING, DONE = 0, 1, 2, 3


class JobLedger:
    """Per-job arrays and the finishing heap; the negotiator models build on it."""

    def __init__(self, profiles: Sequence[JobProfile], jobs: Jobs, matcher: Matcher, seed: int):
        self.profiles = list(profiles)
        self.jobs = jobs
        self.matcher = matcher
        self.seed = seed
        n = len(jobs)
        self.state = np.zeros(n, dtype=np.int8)
        self.start = np.full(n, np.nan)
        self.first_start = np.full(n, np.nan)
        self.finish = np.full(n, np.nan)
        self.slot = np.full(n, -1, dtype=np.int64)
        self.runs = np.zeros(n, dtype=np.int64)
        self.evictions = np.zeros(n, dtype=np.int64)
        self.weight = np.zeros(n)  # cores the claim counts (SLOT_WEIGHT = Cpus)
        self.used_core_s = np.zeros(n)
        self.lost_core_s = np.zeros(n)
        self.pool_core_s = 0.0
        self.finishing: List[tuple] = []
        self.rc = np.array([p.cpus for p in self.profiles], dtype=float)
        self.rm = np.array([p.memory for p in self.profiles], dtype=float)
        self.keys = np.zeros(0, dtype=object)

    def slots_in_order(self, snapshot: Snapshot):
        """The snapshot's slot names in the order slots are tried, and that order (rows of
        the snapshot): one fixed pseudo-random order per name and seed, the same every day."""
        keys = slot_keys(snapshot)
        order = np.argsort(pd.util.hash_array(keys.astype(str), hash_key=f"{self.seed:016d}"[-16:]),
                           kind="stable")
        return keys[order], order

    def follow_slots(self, keys: np.ndarray, now: float):
        """Evict the running jobs whose slot is not among ``keys`` (the new snapshot's);
        return the others and their slots' rows in ``keys``."""
        running = np.flatnonzero(self.state == RUNNING)
        if len(self.keys):
            new_index = pd.Index(keys).get_indexer(self.keys[self.slot[running]])
        else:
            new_index = np.full(len(running), -1)
        for j in running[new_index < 0]:
            self.evict(int(j), now)
        return running[new_index >= 0], new_index[new_index >= 0]

    def evict(self, j: int, now: float) -> None:
        raise NotImplementedError

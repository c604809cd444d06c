"""The FIFO model of the replay (``--negotiator fifo``): one queue, oldest job first.

``Engine`` holds the pool of the snapshot in effect (per-profile match
masks, free cores and memory per slot), the idle queues and the running jobs.
``use`` switches snapshots (evicting jobs from slots that vanished),
``release_until`` frees the slots of finished jobs and ``negotiate`` starts
idle jobs, oldest first, on free slots that match them, trying slots in a
fixed pseudo-random order. No submitters, priorities, request rounding,
claim reuse or drains: that is ``fairshare``.
"""

from __future__ import annotations

import heapq
from typing import Dict, List, Sequence

import numpy as np

from simulator.analyses.replay.jobs import JobProfile, Jobs
from simulator.analyses.replay.ledger import DONE, IDLE, RUNNING, JobLedger
from simulator.analyses.replay.slots import capacity, empty_pool
from simulator.match import Matcher, default_matcher  # noqa: F401
from simulator.model import clock
from simulator.model.snapshot import Snapshot


class Engine(JobLedger):
    def __init__(self, profiles: Sequence[JobProfile], jobs: Jobs, matcher: Matcher, seed: int):
        super().__init__(profiles, jobs, matcher, seed)
        n = len(jobs)
        self.took_cpus = np.zeros(n)
        self.took_mem = np.zeros(n)
        self._pool = (0.0, 0.0)  # (since, cores)
        self.queues: List[List[tuple]] = [[] for _ in self.profiles]  # heaps of (submit, job)
        self.asleep = [False] * len(self.profiles)
        self.released: List[int] = []
        self.switched = True

    # -- snapshots ----------------------------------------------------------

    def use(self, snapshot: Snapshot, now: float):
        """Make ``snapshot`` the pool: new slot arrays and masks; evict from vanished slots."""
        since, cores = self._pool
        self.pool_core_s += cores * (now - since)
        keys, order = self.slots_in_order(snapshot)
        partitionable, cpus, memory, dynamic = capacity(snapshot)
        self.partitionable = partitionable[order]
        self.cap_cpus = cpus[order]
        self.cap_mem = memory[order]
        self._pool = (now, float(cpus[~dynamic].sum()))
        empty = empty_pool(snapshot)
        masks = []
        for profile in self.profiles:
            job = clock.freeze_job(profile.job, snapshot.time)
            mask = np.asarray(self.matcher(empty, job), dtype=bool)
            masks.append((mask & ~dynamic)[order])
        self.masks = masks

        kept, where = self.follow_slots(keys, now)
        self.keys = keys
        self.slot[kept] = where
        static = ~self.partitionable
        self.free_cpus = np.where(static, np.inf, self.cap_cpus)
        self.free_mem = np.where(static, np.inf, self.cap_mem)
        for j, s in np.column_stack([kept, where]).tolist():
            if static[s]:
                self.free_cpus[s] = self.free_mem[s] = 0.0
            else:
                self.free_cpus[s] -= self.took_cpus[j]
                self.free_mem[s] -= self.took_mem[j]
        # A partitionable slot that shrank below what runs on it loses those jobs.
        short = np.flatnonzero((self.free_cpus < 0) | (self.free_mem < 0))
        if len(short):
            for j in kept[np.isin(where, short)]:
                self.evict(j, now)
            self.free_cpus[short] = self.cap_cpus[short]
            self.free_mem[short] = self.cap_mem[short]
        self.switched = True

    def evict(self, j: int, now: float):
        ran = self.weight[j] * (now - self.start[j])
        self.used_core_s[j] += ran
        self.lost_core_s[j] += ran
        self.state[j] = IDLE
        self.runs[j] += 1
        self.evictions[j] += 1
        self.slot[j] = -1
        heapq.heappush(self.queues[self.jobs.profile[j]], (self.jobs.submit[j], int(j)))

    # -- events -------------------------------------------------------------

    def release_until(self, now: float):
        heap = self.finishing
        while heap and heap[0][0] <= now:
            when, j, run = heapq.heappop(heap)
            if self.runs[j] != run or self.state[j] != RUNNING:
                continue  # evicted since it started
            self.state[j] = DONE
            self.finish[j] = when
            self.used_core_s[j] += self.weight[j] * (when - self.start[j])
            s = self.slot[j]
            if self.partitionable[s]:
                self.free_cpus[s] += self.took_cpus[j]
                self.free_mem[s] += self.took_mem[j]
            else:
                self.free_cpus[s] = self.free_mem[s] = np.inf
            self.released.append(s)

    def negotiate(self, now: float):
        """One negotiation cycle: start idle jobs, oldest first, on free matching slots."""
        released = np.array(self.released, dtype=np.int64)
        candidates: Dict[int, np.ndarray] = {}
        pointer: Dict[int, int] = {}
        for p, queue in enumerate(self.queues):
            if not queue:
                continue
            # Asleep since it last found nothing: only a freed slot it matches wakes it.
            woken = len(released) and self.masks[p][released].any()
            if self.asleep[p] and not self.switched and not woken:
                continue
            fits = self.masks[p] & (self.free_cpus >= self.rc[p]) & (self.free_mem >= self.rm[p])
            candidates[p] = np.flatnonzero(fits)
            pointer[p] = 0
            self.asleep[p] = False
        self.released = []
        self.switched = False
        active = [p for p in candidates if len(candidates[p])]
        for p in candidates:
            if not len(candidates[p]):
                self.asleep[p] = True
        free_cpus, free_mem, partitionable = self.free_cpus, self.free_mem, self.partitionable
        while active:
            p = min(active, key=lambda q: self.queues[q][0])
            rc, rm = self.rc[p], self.rm[p]
            slots, i = candidates[p], pointer[p]
            while i < len(slots) and not (free_cpus[slots[i]] >= rc and free_mem[slots[i]] >= rm):
                i += 1
            if i == len(slots):
                self.asleep[p] = True
                active.remove(p)
                continue
            pointer[p] = i
            s = int(slots[i])
            _, j = heapq.heappop(self.queues[p])
            if partitionable[s]:
                self.took_cpus[j], self.took_mem[j] = rc, rm
                free_cpus[s] -= rc
                free_mem[s] -= rm
                self.weight[j] = rc
            else:
                free_cpus[s] = free_mem[s] = 0.0
                self.weight[j] = self.cap_cpus[s]
            self.state[j] = RUNNING
            self.slot[j] = s
            self.start[j] = now
            if np.isnan(self.first_start[j]):
                self.first_start[j] = now
            heapq.heappush(self.finishing, (now + self.jobs.runtime[j], j, int(self.runs[j])))
            if not self.queues[p]:
                active.remove(p)


    def close(self, horizon: float):
        """At the horizon: the pool's core-seconds, and the jobs still running held theirs."""
        since, cores = self._pool
        self.pool_core_s += cores * (horizon - since)
        running = self.state == RUNNING
        self.used_core_s[running] += self.weight[running] * (horizon - self.start[running])

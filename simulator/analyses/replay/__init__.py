"""Queue replay: what match rates cost in wait time, over a series of snapshots.

A discrete-event simulation of the negotiator. Every ``cycle`` seconds (60 s,
HTCondor's default NEGOTIATOR_INTERVAL) the idle jobs, oldest first, are
matched to free slots that match them. Matching is exact: per snapshot and
profile, one boolean mask from HTCondor's own ``symmetricMatch`` (the fast
slot-class path when installed), computed once and reused for every cycle of
that snapshot. A static slot holds one job; a partitionable slot is carved
into RequestCpus and RequestMemory until it runs out. A job holds its slot
for its runtime. When the next snapshot takes effect, the slots that are gone
from it (their machine left the pool) evict their jobs, which go back to the
queue in their original order and start over; a job whose machine stays but
changes tribe keeps running (the negotiator does not re-check a running
job's Requirements). The replay starts with an empty pool: what the
snapshots say is running is not carried over.

Cycles in which nothing can change (no arrival, no slot freed, no new
snapshot) are skipped, and a profile that found no slot stays asleep until a
slot that matches it frees up, so the cost grows with jobs, not with time.

Per profile: ``jobs``, ``finished``, ``never_started`` (the share of jobs that
never started), ``mean_wait_s``, ``median_wait_s``, ``p95_wait_s`` (submit to
the start of the job's last run, over the jobs that started) and
``mean_slowdown`` ((finish - submit) / max(runtime, 10 s), over finished jobs:
the bounded slowdown of the parallel-workloads literature).

The modules:

* ``jobs``: ``JobProfile``, the ``Jobs`` stream, ``synthetic_jobs`` and ``jobs_for_load``;
* ``trace``: a real job log (Standard Workload Format) as a job stream;
* ``slots``: each slot's identity and size, partitionable slots whole (``capacity``,
  ``empty_pool``, ``slot_keys``);
* ``negotiator``: the pool in effect, the queues and one negotiation cycle;
* ``result``: ``ReplayResult``, the per-profile statistics;
* ``run``: ``replay``, the event loop over cycles, arrivals and snapshots.

>>> result = replay(snapshots, profiles, synthetic_jobs(...))   # doctest: +SKIP
>>> result.summary()                                            # doctest: +SKIP
"""

from simulator.analyses.replay.jobs import (
    DEFAULT_LOAD,
    DEFAULT_RUNTIME_MEDIAN,
    DEFAULT_RUNTIME_SIGMA,
    JobProfile,
    Jobs,
    ReplayError,
    jobs_for_load,
    synthetic_jobs,
)
from simulator.analyses.replay.knobs import DEFAULT_NEGOTIATOR, NEGOTIATORS, NegotiatorKnobs
from simulator.analyses.replay.negotiator import Matcher, default_matcher
from simulator.analyses.replay.result import RECORD_KEYS, SLOWDOWN_BOUND, ReplayResult
from simulator.analyses.replay.run import DEFAULT_CYCLE, SnapshotLike, replay, snapshot_time
from simulator.analyses.replay.session import store_knobs
from simulator.analyses.replay.slots import capacity, empty_pool, slot_keys

__all__ = [
    "DEFAULT_CYCLE",
    "DEFAULT_NEGOTIATOR",
    "NEGOTIATORS",
    "NegotiatorKnobs",
    "DEFAULT_LOAD",
    "DEFAULT_RUNTIME_MEDIAN",
    "DEFAULT_RUNTIME_SIGMA",
    "RECORD_KEYS",
    "SLOWDOWN_BOUND",
    "JobProfile",
    "Jobs",
    "Matcher",
    "ReplayError",
    "ReplayResult",
    "SnapshotLike",
    "capacity",
    "default_matcher",
    "empty_pool",
    "jobs_for_load",
    "replay",
    "slot_keys",
    "snapshot_time",
    "store_knobs",
    "synthetic_jobs",
]

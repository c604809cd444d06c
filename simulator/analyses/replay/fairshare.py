"""The fair-share negotiator: submitters, user priorities, the pie, claims and drains.

One negotiation cycle, as ``matchmaker.cpp: Matchmaker::negotiationTime``
runs it with HTCondor's defaults and no groups:

1. the accountant updates the user priorities (``accountant``);
2. the submitters are the users with jobs in the queue (idle or running, as
   NEGOTIATOR_CONSIDER_PREEMPTION = true keeps them in the pie); the pie is
   spun (``matchmaker.cpp: Matchmaker::negotiateWithGroup``): each spin
   computes every submitter's limit, serves them best priority first (order
   fixed on the first spin), each up to ``min(limit, pie left)``, and drops
   those with nothing more to ask; spins repeat while the pie shrank or a
   submitter was dropped and slots are left; after the first spin a submitter
   whose limit or the pie is below the smallest slot weight is skipped;
3. a submitter's jobs are offered in its schedd's order, JobPrio (higher
   first), then submission (``qmgmt.cpp: prio_compar``); when a job finds no
   slot, the rest of its autocluster (its profile) is skipped for this
   submitter in this pass (``schedd_negotiate.cpp:
   ScheddNegotiate::setAutoClusterRejected``), and the submitter stops when
   its limit is used up (``matchmaker.cpp: Matchmaker::negotiate``);
4. a job's candidates are the unclaimed slots it matches (the exact mask,
   and a partitionable slot's free cores, memory and disk) that the limit
   permits: ``used + SlotWeight <= limit``, or any one slot while nothing is
   used yet (``matchmaker.cpp: SubmitterLimitPermits``); the best by the
   ranks of ``ranks`` wins, and leaves the list for the rest of the cycle
   (so a partitionable slot takes one negotiated match per cycle), charging
   its SlotWeight, i.e. its Cpus (a partitionable slot: all its free cores),
   to the submitter's limit and the pie;
5. a partitionable slot is carved by the request rewritten by
   MODIFY_REQUEST_EXPR_REQUESTCPUS/MEMORY/DISK (memory rounded up to 128 MB,
   disk to 1024 KB), or as asked if the rounded request does not fit
   (``Resource.cpp: create_dslot``); with CLAIM_PARTITIONABLE_LEFTOVERS the
   schedd at once claims the leftovers for the same submitter's next job that
   fits, again and again (``schedd.cpp: Scheduler::claimedStartd``,
   ``qmgmt.cpp: FindRunnableJob``).

Between cycles, when a job ends, its schedd starts the same submitter's next
job that matches the claimed slot (a dynamic slot: that fits its size) on
that claim at once, unless the claim is older than CLAIM_WORKLIFE or the
machine drains (``schedd.cpp: Scheduler::FindRunnableJobForClaim``,
``Resource.cpp: Resource::claimWorklifeExpired``, ``command.cpp:
deactivate_claim``); else the claim is released.

A machine whose kernel or release (``reboot_attributes``) differs from the
previous snapshot drains: it takes no new job, each running job may run until
MaxJobRetirementTime after its start (``Resource.cpp:
Resource::evalRetirementRemaining``) and is evicted then, and once empty the
machine is gone for ``reboot_time``. A slot whose ads read the clock
(``time()``, e.g. a glidein's ``time() < GLIDEIN_ToRetire``) has its mask
evaluated again at the end of the snapshot's period; where the verdict
differs, the moment it changes is found by bisection to the second, and the
mask changes then.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from simulator.analyses.replay.accountant import Accountant, pie_limits
from simulator.analyses.replay.jobs import JobProfile, Jobs
from simulator.analyses.replay.knobs import DEFAULT_PRE_JOB_RANK, NegotiatorKnobs
from simulator.analyses.replay.ledger import DONE, IDLE, PENDING, RUNNING, JobLedger
from simulator.analyses.replay.ranks import Ranks
from simulator.analyses.replay.slots import capacity, disk_capacity, empty_pool, slot_keys
from simulator.match import Matcher
from simulator.model import clock
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.snapshot import Snapshot

__all__ = ["FairShareEngine", "PENDING", "IDLE", "RUNNING", "DONE"]

_RESUME, _DONE = 0, 1


def _request(job: ClassAd, text: str, asked: float) -> float:
    """A MODIFY_REQUEST_EXPR_ rewrite of one request, by the ClassAd library (TARGET empty)."""
    try:
        value = ExprTree(text).eval(job, ClassAd())
    except Exception:
        return asked
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return asked
    return float(value)


def _clock_rows(snapshot: Snapshot) -> np.ndarray:
    """Rows with a cell that reads the clock (``time()`` or an undefined ``CurrentTime``)."""
    rows = np.zeros(len(snapshot), dtype=bool)
    for col in snapshot.ads.columns:
        cells = snapshot.ads[col]
        texts = [t for t in cells.dropna().unique() if isinstance(t, str)
                 and clock.freeze_time(t, 1) != t]
        if texts:
            rows |= cells.isin(texts).to_numpy(dtype=bool)
    return rows


def _at(snapshot: Snapshot, rows: np.ndarray, when: np.ndarray) -> Snapshot:
    """``rows`` of ``snapshot`` with their clocks moved to epoch times ``when`` (one per row)."""
    ads = snapshot.ads.iloc[rows].reset_index(drop=True).copy()
    own = np.array([clock.slot_time(ads.iloc[i], snapshot.time) for i in range(len(ads))],
                   dtype=np.int64)
    ads["mycurrenttime"] = [str(int(o + w - snapshot.time))
                            for o, w in zip(own, when, strict=True)]
    names = dict(snapshot.names)
    names.setdefault("mycurrenttime", "MyCurrentTime")
    return dataclasses.replace(snapshot, ads=ads, names=names)


class FairShareEngine(JobLedger):
    """The pool in effect, the queues per submitter and profile, claims, and the cycle."""

    def __init__(self, profiles: Sequence[JobProfile], jobs: Jobs, matcher: Matcher, seed: int,
                 knobs: NegotiatorKnobs, cycle: float, horizon: float, origin: float):
        super().__init__(profiles, jobs, matcher, seed)
        self.knobs = knobs
        self.cycle = float(cycle)
        self.horizon = float(horizon)
        self.origin = float(origin)
        n, n_users = len(jobs), len(jobs.user_names)
        self.took = np.zeros((n, 3))  # cores, memory, disk of a dynamic slot
        self.claimed_at = np.zeros(n)
        self.timers: List[tuple] = []  # (time, seq, kind, payload)
        self._seq = 0
        self.queues: Dict[Tuple[int, int], List[tuple]] = {}
        self.idle = np.zeros(n_users, dtype=np.int64)
        self.idle_profile = np.zeros(len(profiles), dtype=np.int64)
        self.running = np.zeros(n_users, dtype=np.int64)
        self.user_profiles: List[set] = [set() for _ in range(n_users)]
        self.rd = np.array([p.disk for p in profiles], dtype=float)
        self.jprio = [p.prio for p in profiles]
        rounded = []
        for p in profiles:
            rounded.append((_request(p.job, knobs.modify_request_expr_requestcpus, p.cpus),
                            _request(p.job, knobs.modify_request_expr_requestmemory, p.memory),
                            _request(p.job, knobs.modify_request_expr_requestdisk, p.disk)))
        self.rounded = np.array(rounded, dtype=float).reshape(len(profiles), 3)
        self.acct = Accountant(jobs.user_names,
                               [knobs.prio_factor(u) for u in jobs.user_names],
                               halflife=knobs.priority_halflife, cycle=cycle)
        self.rng = np.random.default_rng(seed)
        self.machine_state: Dict[str, tuple] = {}  # machine -> ("drain", t) | ("down", until)
        self.signature = None
        self.generation = 0
        self.woken = True
        self.stalled = False
        self._pool_since = 0.0
        self.weight_total = 0.0

    # -- queues -------------------------------------------------------------

    def arrive(self, j: int) -> None:
        self.state[j] = IDLE
        self._enqueue(j)
        self.woken = True

    def _enqueue(self, j: int) -> None:
        u, p = int(self.jobs.user[j]), int(self.jobs.profile[j])
        heapq.heappush(self.queues.setdefault((u, p), []), (self.jobs.submit[j], j))
        self.idle[u] += 1
        self.idle_profile[p] += 1
        self.user_profiles[u].add(p)

    def _head(self, u: int, allowed) -> Optional[int]:
        """The profile of user ``u``'s next job (JobPrio, then submission) among ``allowed``."""
        best, best_key = None, None
        for p in self.user_profiles[u]:
            if not allowed(p):
                continue
            submit, j = self.queues[(u, p)][0]
            key = (-self.jprio[p], submit, j)
            if best_key is None or key < best_key:
                best, best_key = p, key
        return best

    def _pop(self, u: int, p: int) -> int:
        queue = self.queues[(u, p)]
        _, j = heapq.heappop(queue)
        if not queue:
            self.user_profiles[u].discard(p)
        self.idle[u] -= 1
        self.idle_profile[p] -= 1
        return j

    # -- snapshots ----------------------------------------------------------

    def use(self, snapshot: Snapshot, now: float, offset: float, until: float) -> None:
        """Make ``snapshot`` (captured at replay time ``offset``) the pool from ``now`` to
        ``until``: slots, masks, ranks, drains, clock flips."""
        self._count_pool(now)
        self.generation += 1
        keys, order = self.slots_in_order(snapshot)
        # Jobs on slots that are gone are evicted (their slot as it was).
        kept, where = self.follow_slots(keys, now)
        partitionable, cpus, memory, dynamic = capacity(snapshot)
        self.partitionable = partitionable[order]
        self.cap = np.column_stack([cpus[order], memory[order], disk_capacity(snapshot)[order]])
        self.dynamic = dynamic[order]
        empty = empty_pool(snapshot)
        jobs = [clock.freeze_job(p.job, snapshot.time) for p in self.profiles]
        self.masks = [np.asarray(self.matcher(empty, job), dtype=bool)[order] & ~self.dynamic
                      for job in jobs]
        self.ranks = Ranks(empty, order, jobs, self.knobs.negotiator_pre_job_rank,
                           self.knobs.negotiator_post_job_rank, DEFAULT_PRE_JOB_RANK)
        machines = _machines(snapshot)[order]
        signature = _signature(snapshot, self.knobs.reboot_attributes)[order]
        rebooting = np.zeros(len(keys), dtype=bool)
        if self.signature is not None and len(self.keys):
            old = pd.Index(self.keys).get_indexer(keys)
            both = old >= 0
            rebooting[both] = self.signature[old[both]] != signature[both]
        self.keys = keys
        self.machines = machines
        self.signature = signature
        self.slot[kept] = where
        static = ~self.partitionable
        self.free = np.where(static[:, None], np.inf, self.cap)
        for j, s in zip(kept.tolist(), where.tolist(), strict=True):
            if static[s]:
                self.free[s] = 0.0
            else:
                self.free[s] -= self.took[j]
        short = np.flatnonzero((self.free < 0).any(axis=1))
        if len(short):
            for j in kept[np.isin(where, short)]:
                self.evict(int(j), now)
            self.free[short] = self.cap[short]
        self.blocked = np.zeros(len(keys), dtype=bool)
        for name in set(machines[rebooting].tolist()):
            if name not in self.machine_state:
                self._drain(name, now)
        self._apply_machine_state()
        self._clock_flips(empty, order, jobs, now, offset, until)
        self.woken = True

    def close(self, horizon: float) -> None:
        """At the horizon: the pool's core-seconds, and the jobs still running held theirs."""
        self._count_pool(horizon)
        self.acct.integrate(horizon)
        running = self.state == RUNNING
        self.used_core_s[running] += self.weight[running] * (horizon - self.start[running])

    def _apply_machine_state(self) -> None:
        self.blocked[:] = False
        self.gone = np.zeros(len(self.keys), dtype=bool)
        if self.machine_state:
            states = pd.Series(self.machines).map(
                {m: s[0] for m, s in self.machine_state.items()}).to_numpy(dtype=object)
            self.blocked = pd.notna(states)
            self.gone = states == "down"
        self.weight_total = float(self.cap[~self.dynamic & ~self.gone, 0].sum())

    def _count_pool(self, now: float) -> None:
        if now > self._pool_since:
            self.pool_core_s += self.weight_total * (now - self._pool_since)
            self._pool_since = now

    def _drain(self, machine: str, now: float) -> None:
        """Drain ``machine``: evict at MaxJobRetirementTime after each job's start, then reboot."""
        slots = np.flatnonzero(self.machines == machine)
        on = np.flatnonzero((self.state == RUNNING) & np.isin(self.slot, slots))
        empty_at = now
        retire = self.knobs.max_job_retirement_time
        for j in on.tolist():
            end = self.start[j] + self.jobs.runtime[j]
            deadline = max(now, self.start[j] + retire)
            if end <= deadline:
                empty_at = max(empty_at, end)
            elif deadline <= now:
                self.evict(j, now)
            else:
                self._timer(deadline, "evict", (j, int(self.runs[j])))
                empty_at = max(empty_at, deadline)
        self.machine_state[machine] = ("drain", empty_at)
        self._timer(empty_at, "down", machine)

    def _timer(self, when: float, kind: str, payload) -> None:
        self._seq += 1
        heapq.heappush(self.timers, (float(when), self._seq, kind, payload))

    def _clock_flips(self, empty: Snapshot, order: np.ndarray, jobs, now: float, offset: float,
                     until: float) -> None:
        """Mask changes of clock-reading slots within this snapshot's period, as timers."""
        rows_all = _clock_rows(empty)
        if not rows_all.any() or until <= now:
            return
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        rows = np.flatnonzero(rows_all & ~self.dynamic[position])
        base = empty.time - offset  # the epoch of replay time 0
        end = until - 1.0
        for p, job in enumerate(jobs):
            first = self.masks[p][position[rows]]
            last = np.asarray(self.matcher(_at(empty, rows, np.full(len(rows), base + end)), job),
                              dtype=bool)
            moving = np.flatnonzero(first != last)
            if not len(moving):
                continue
            low = np.full(len(moving), now)  # verdict as at the start
            high = np.full(len(moving), end)  # verdict as at the end
            while (high - low > 1).any():
                mid = np.floor((low + high) / 2)
                got = np.asarray(self.matcher(_at(empty, rows[moving], base + mid), job),
                                 dtype=bool)
                at_end = got == last[moving]
                high = np.where(at_end, mid, high)
                low = np.where(at_end, low, mid)
            for r, when, value in zip(rows[moving].tolist(), high.tolist(),
                                      last[moving].tolist(), strict=True):
                self._timer(when, "mask", (self.generation, p, int(position[r]), bool(value)))

    # -- events -------------------------------------------------------------

    def events_until(self, now: float, arrivals) -> None:
        """Arrivals, job ends (with claim reuse) and timers up to ``now``, in time order."""
        while True:
            t_arrive = arrivals.peek()
            t_end = self.finishing[0][0] if self.finishing else math.inf
            t_timer = self.timers[0][0] if self.timers else math.inf
            t = min(t_arrive, t_end, t_timer)
            if t > now:
                return
            if t == t_arrive:
                self.arrive(arrivals.pop())
            elif t == t_end:
                when, j, run = heapq.heappop(self.finishing)
                if self.runs[j] == run and self.state[j] == RUNNING:
                    self._end(j, when)
            else:
                when, _, kind, payload = heapq.heappop(self.timers)
                self._fire(when, kind, payload)

    def _fire(self, when: float, kind: str, payload) -> None:
        if kind == "evict":
            j, run = payload
            if self.runs[j] == run and self.state[j] == RUNNING:
                self.evict(j, when)
        elif kind == "down":
            machine = payload
            slots = np.flatnonzero(self.machines == machine)
            for j in np.flatnonzero((self.state == RUNNING) & np.isin(self.slot, slots)).tolist():
                self.evict(j, when)
            self._count_pool(when)
            self.machine_state[machine] = ("down", when + self.knobs.reboot_time)
            self._apply_machine_state()
            self._timer(when + self.knobs.reboot_time, "up", machine)
        elif kind == "up":
            self._count_pool(when)
            self.machine_state.pop(payload, None)
            self._apply_machine_state()
            self.woken = True
        elif kind == "mask":
            generation, p, s, value = payload
            if generation == self.generation:
                self.masks[p][s] = value
                self.woken = True

    def _end(self, j: int, now: float) -> None:
        """Job ``j`` finished: reuse its claim for the submitter's next job, or release it."""
        self.state[j] = DONE
        self.finish[j] = now
        self.used_core_s[j] += self.weight[j] * (now - self.start[j])
        u, s = int(self.jobs.user[j]), int(self.slot[j])
        self.running[u] -= 1
        if (now - self.claimed_at[j] <= self.knobs.claim_worklife and not self.blocked[s]
                and now < self.horizon and self.idle[u]):
            static = not self.partitionable[s]
            size = self.took[j]

            def fits(p):
                if not self.masks[p][s]:
                    return False
                return static or (self.rc[p] <= size[0] and self.rm[p] <= size[1]
                                  and self.rd[p] <= size[2])

            p = self._head(u, fits)
            if p is not None:
                nxt = self._pop(u, p)
                self.took[nxt] = size
                self.weight[nxt] = self.weight[j]
                self._run(nxt, s, now, self.claimed_at[j])
                return
        self.acct.change(u, -self.weight[j], now)
        self._release(j, s)

    def _release(self, j: int, s: int) -> None:
        if self.partitionable[s]:
            self.free[s] += self.took[j]
        else:
            self.free[s] = np.inf
        self.woken = True

    def evict(self, j: int, now: float) -> None:
        u = int(self.jobs.user[j])
        ran = self.weight[j] * (now - self.start[j])
        self.used_core_s[j] += ran
        self.lost_core_s[j] += ran
        self.acct.change(u, -self.weight[j], now)
        s = int(self.slot[j])
        if 0 <= s < len(self.keys):
            self._release(j, s)
        self.running[u] -= 1
        self.runs[j] += 1
        self.evictions[j] += 1
        self.slot[j] = -1
        self.state[j] = IDLE
        self._enqueue(j)

    def _run(self, j: int, s: int, now: float, claimed_at: float) -> None:
        self.state[j] = RUNNING
        self.slot[j] = s
        self.start[j] = now
        self.claimed_at[j] = claimed_at
        if np.isnan(self.first_start[j]):
            self.first_start[j] = now
        self.running[int(self.jobs.user[j])] += 1
        heapq.heappush(self.finishing, (now + self.jobs.runtime[j], j, int(self.runs[j])))

    def _claim(self, j: int, s: int, now: float) -> None:
        """Start job ``j`` on a new claim of slot ``s`` (a partitionable slot: carve it)."""
        p = int(self.jobs.profile[j])
        if self.partitionable[s]:
            want = self.rounded[p]
            if not (want <= self.free[s]).all():
                want = np.array([self.rc[p], self.rm[p], self.rd[p]])
            self.took[j] = want
            self.free[s] -= want
            self.weight[j] = want[0]
        else:
            self.free[s] = 0.0
            self.weight[j] = self.cap[s, 0]
        self.acct.change(int(self.jobs.user[j]), self.weight[j], now)
        self._run(j, s, now, now)

    def _fits_now(self, p: int, s: int) -> bool:
        return (self.masks[p][s] and self.rc[p] <= self.free[s, 0]
                and self.rm[p] <= self.free[s, 1] and self.rd[p] <= self.free[s, 2])

    def _leftovers(self, u: int, s: int, now: float) -> None:
        """CLAIM_PARTITIONABLE_LEFTOVERS: the schedd fills the slot with ``u``'s next jobs."""
        while self.idle[u]:
            p = self._head(u, lambda q: self._fits_now(q, s))
            if p is None:
                return
            self._claim(self._pop(u, p), s, now)

    # -- the negotiation cycle ---------------------------------------------------

    def negotiate(self, now: float) -> None:
        self._count_pool(now)
        self.acct.update(now)
        try:
            if not self.idle.any() or not (self.woken or self.stalled):
                return
            self.woken = False
            self._cycle(now)
        finally:
            self.acct.settle()

    def _cycle(self, now: float) -> None:
        static = ~self.partitionable
        offered = ~self.blocked & ~self.dynamic & (static & (self.free[:, 0] > 0)
                                                   | self.partitionable & (self.free[:, 0] > 0))
        offers = np.flatnonzero(offered)
        if not len(offers):
            self.stalled = False
            return
        cycle = _Cycle(self, offers, static)
        acct = self.acct
        users = np.flatnonzero((self.idle > 0) | (self.running > 0)
                               if self.knobs.negotiator_consider_preemption else self.idle > 0)
        charged = acct.usage.copy()
        eup = acct.effective()
        # The smallest SlotWeight any slot ad shows (a dynamic slot shows at least a request).
        sizes = [self.cap[static & ~self.dynamic & ~self.gone, 0],
                 self.free[self.partitionable & ~self.gone & ~self.dynamic, 0]]
        min_weight = min([float(a.min()) for a in sizes if len(a)] + [float(self.rc.min())])
        total = self.weight_total
        spin = 0
        tiebreak = self.rng.random(len(self.acct.names))
        while len(users):
            spin += 1
            if not self.knobs.negotiator_consider_preemption:
                users = users[self.idle[users] > 0]
                if not len(users):
                    break
            limits = pie_limits(eup[users], charged[users], total)
            pie = float(limits.sum())
            if not self.knobs.negotiator_consider_preemption and pie <= 0:
                break
            if spin == 1:
                usage = charged[users]
                denominator = usage + limits
                starved = np.where(denominator > 0, usage / np.where(denominator > 0,
                                                                    denominator, 1), np.inf)
                order = np.lexsort((tiebreak[users], starved, eup[users]))
                users, limits = users[order], limits[order]
            pie_before, count_before = pie, len(users)
            keep = []
            for u, limit in zip(users.tolist(), limits.tolist(), strict=True):
                limit = min(limit, pie)
                if self.idle[u] == 0:
                    continue  # MM_DONE: nothing to ask
                if spin > 1 and (limit < min_weight or pie < min_weight):
                    keep.append(u)  # MM_RESUME
                    continue
                result, used = self._negotiate_user(u, limit, cycle, now)
                pie -= used
                charged[u] += used
                if result == _RESUME:
                    keep.append(u)
            users = np.array(keep, dtype=np.int64)
            if not ((pie < pie_before or len(users) < count_before) and cycle.left):
                break
        self.stalled = cycle.unserved()

    def _negotiate_user(self, u: int, limit: float, cycle: _Cycle, now: float):
        used, limited = 0.0, False
        rejected = set()
        while True:
            if used >= limit:
                return _RESUME, used
            p = self._head(u, lambda q: q not in rejected)
            if p is None:
                return (_RESUME if limited else _DONE), used
            s, for_limit = cycle.best(p, used, limit)
            if s is None:
                rejected.add(p)
                limited |= for_limit
                continue
            cost = cycle.take(s)
            used += cost
            self._claim(self._pop(u, p), s, now)
            if self.partitionable[s] and self.knobs.claim_partitionable_leftovers:
                self._leftovers(u, s, now)


class _Cycle:
    """One cycle's offers: each profile's candidates with their ranks, slots taken so far."""

    def __init__(self, engine: FairShareEngine, offers: np.ndarray, static: np.ndarray):
        self.engine = engine
        self.offers = offers
        self.taken = np.zeros(len(engine.keys), dtype=bool)
        self.left = len(offers)
        # What each slot advertises as this cycle starts: its free (static: whole) size.
        self.cpus = np.where(static, engine.cap[:, 0], engine.free[:, 0])
        self.memory = np.where(static, engine.cap[:, 1], engine.free[:, 1])
        self.cands: Dict[int, tuple] = {}

    def candidates(self, p: int):
        got = self.cands.get(p)
        if got is None:
            e, o = self.engine, self.offers
            ok = e.masks[p][o] & (e.free[o, 0] >= e.rc[p]) & (e.free[o, 1] >= e.rm[p]) \
                & (e.free[o, 2] >= e.rd[p])
            slots = o[ok]
            pre = e.ranks.pre(p, slots, self.cpus[slots], self.memory[slots])
            job_rank = e.ranks.job_rank[p]
            jr = np.zeros(len(slots)) if job_rank is None else job_rank[slots]
            got = self.cands[p] = (slots, pre, jr, e.ranks.post[slots], self.cpus[slots])
        return got

    def best(self, p: int, used: float, limit: float):
        """The best candidate the limit permits, and whether the limit turned one away."""
        slots, pre, jr, post, weight = self.candidates(p)
        free = ~self.taken[slots]
        if not free.any():
            return None, False
        if used <= 0 and limit > 0:
            ok = free
        else:
            ok = free & (used + weight <= limit)
        if not ok.any():
            return None, True
        idx = np.flatnonzero(ok)
        top = pre[idx] == pre[idx].max()
        idx = idx[top]
        if len(idx) > 1:
            idx = idx[jr[idx] == jr[idx].max()]
            if len(idx) > 1:
                idx = idx[post[idx] == post[idx].max()]
        return int(slots[idx[0]]), bool((free & ~ok).any())

    def take(self, s: int) -> float:
        self.taken[s] = True
        self.left -= 1
        return float(self.cpus[s])

    def unserved(self) -> bool:
        """Whether an idle job could still be matched at the next cycle: a slot offered in
        this one (taken or not) still has room for it."""
        e = self.engine
        o = self.offers
        for p in np.flatnonzero(e.idle_profile > 0).tolist():
            ok = e.masks[p][o] & (e.free[o, 0] >= e.rc[p]) & (e.free[o, 1] >= e.rm[p]) \
                & (e.free[o, 2] >= e.rd[p])
            if ok.any():
                return True
        return False


def _machines(snapshot: Snapshot) -> np.ndarray:
    """Each slot's machine: ``Machine``, else the host part of ``Name``, else the slot."""
    ads = snapshot.ads
    if "machine" in ads.columns and ads["machine"].notna().all():
        return ads["machine"].to_numpy(dtype=object)
    return slot_keys(snapshot).astype(str)


def _signature(snapshot: Snapshot, attributes: Sequence[str]) -> np.ndarray:
    """Per slot, the texts of the reboot attributes joined (a change means a reboot)."""
    cols = [a.lower() for a in attributes if a.lower() in snapshot.ads.columns]
    if not cols:
        return np.full(len(snapshot), "", dtype=object)
    frame = snapshot.ads[cols].astype(object).where(snapshot.ads[cols].notna(), "")
    return frame.astype(str).agg("\x1f".join, axis=1).to_numpy(dtype=object)

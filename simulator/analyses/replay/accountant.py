"""User priorities and the fair-share pie, as HTCondor's accountant and negotiator compute them.

Rules modelled (HTCondor source, ``file: function``):

* usage is weighted by SLOT_WEIGHT = Cpus: a static slot counts its cores, a
  dynamic slot the cores carved for it (``Accountant.cpp: Accountant::AddMatch``,
  ``Accountant::CheckMatches``);
* once per negotiation cycle the real user priority decays towards the usage
  of the interval, ``prio = max(0.5, prio * b + usage * (1 - b))`` with
  ``b = 0.5 ** (dt / PRIORITY_HALFLIFE)``, usage the mean cores in use over
  ``dt`` (``Accountant.cpp: Accountant::UpdatePriorities``,
  ``Accountant::UpdateOnePriority``; MinPriority 0.5 in ``Accountant::Accountant``).
  Cycles the replay skips (nothing could change) are folded in exactly: the
  usage is constant over them, so ``n`` updates are one with ``b ** n``;
* the effective priority is the real one times the user's factor
  (``Accountant.cpp: Accountant::GetPriority``, ``Accountant::GetPriorityFactor``);
* the pie: with ``m`` the largest effective priority among the submitters,
  each one's share is ``(m / eup) / sum(m / eup)``, i.e. proportional to
  ``1 / eup``, and its limit ``max(0, share * pool cores - usage)``; the pie
  left is the sum of the limits (``matchmaker.cpp:
  Matchmaker::calculateNormalizationFactor``, ``Matchmaker::calculateSubmitterLimit``,
  ``Matchmaker::calculatePieLeft``);
* submitters are served best (lowest) effective priority first, then least
  starved (``usage / (usage + limit)``), then in a random order
  (``matchmaker.cpp: submitterLessThan``).

>>> acct = Accountant(["a", "b"], [1000.0, 1000.0], halflife=86400.0, cycle=60.0)
>>> acct.effective().tolist()
[500.0, 500.0]
>>> pie_limits(acct.effective(), np.array([0.0, 4.0]), total=10.0).tolist()
[5.0, 1.0]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

MIN_PRIORITY = 0.5  # Accountant::Accountant: MinPriority


class Accountant:
    """Real user priorities from usage with half-life decay; usage integrated exactly."""

    def __init__(self, names: Sequence[str], factors: Sequence[float], *, halflife: float,
                 cycle: float):
        n = len(names)
        self.names = list(names)
        self.factor = np.asarray(factors, dtype=float)
        self.prio = np.full(n, MIN_PRIORITY)
        self.usage = np.zeros(n)  # cores in use now
        self.core_seconds = np.zeros(n)  # since the last update
        self.total_core_seconds = np.zeros(n)  # over the whole replay
        self.halflife = float(halflife)
        self.cycle = float(cycle)
        self.integrated_to = 0.0
        self.updated_at = 0.0
        self.usage_after_update = np.zeros(n)
        self.first_change = None  # first usage change after the last update

    def integrate(self, now: float) -> None:
        dt = now - self.integrated_to
        if dt > 0:
            used = self.usage * dt
            self.core_seconds += used
            self.total_core_seconds += used
            self.integrated_to = now

    def change(self, user: int, cores: float, now: float) -> None:
        """``user`` starts (cores > 0) or stops (cores < 0) using cores at ``now``."""
        self.integrate(now)
        self.usage[user] += cores
        if self.first_change is None and now > self.updated_at:
            self.first_change = now

    def update(self, now: float) -> None:
        """UpdatePriorities at a cycle at ``now``, for every cycle since the last update."""
        self.integrate(now)
        dt = now - self.updated_at
        if dt <= 0:
            return
        cycles = max(1, int(round(dt / self.cycle)))
        decay = 0.5 ** (self.cycle / self.halflife)
        # Cycles before the first usage change saw the usage left by the last update.
        first = now if self.first_change is None else self.first_change
        quiet = min(cycles - 1, max(0, int(np.ceil((first - self.updated_at) / self.cycle)) - 1))
        prio = self.prio
        rest = self.core_seconds
        if quiet:
            held = self.usage_after_update
            factor = decay ** quiet
            prio = np.maximum(MIN_PRIORITY, prio * factor + held * (1 - factor))
            rest = rest - held * quiet * self.cycle
        left = dt - quiet * self.cycle
        factor = 0.5 ** (left / self.halflife)
        self.prio = np.maximum(MIN_PRIORITY, prio * factor + (rest / left) * (1 - factor))
        self.core_seconds = np.zeros_like(self.core_seconds)
        self.updated_at = now
        self.first_change = None

    def settle(self) -> None:
        """After a cycle's negotiation: the usage the next quiet cycles will see."""
        self.usage_after_update = self.usage.copy()

    def effective(self) -> np.ndarray:
        return np.maximum(self.prio, MIN_PRIORITY) * self.factor


def pie_limits(eup: np.ndarray, usage: np.ndarray, total: float) -> np.ndarray:
    """Each submitter's limit: its share (proportional to 1/eup) of ``total`` less its usage."""
    if not len(eup):
        return np.zeros(0)
    top = eup.max()
    normal = (top / eup).sum()
    share = top / (eup * normal)
    return np.maximum(0.0, share * total - usage)

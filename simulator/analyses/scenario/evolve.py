"""The pool day by day: waves move machines, churn and events add and remove them.

``generate`` yields one Snapshot per day of a scenario, starting from
``start_pool(scenario)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pandas as pd

from simulator.analyses.scenario.adoption import turn_times
from simulator.analyses.scenario.machines import MachinePool
from simulator.analyses.scenario.spec import DAY, Scenario, Tribe
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot


def start_pool(scenario: Scenario) -> Snapshot:
    """The scenario's start pool: a built-in generator's pool or a stored snapshot."""
    if scenario.snapshot is not None:
        from simulator.io import store

        if not Path(scenario.snapshot).exists():
            raise scenario.error(("pool", "snapshot"), f"{scenario.snapshot}: no such file")
        return store.load(scenario.snapshot)
    from simulator import pools

    kwargs = {"seed": scenario.seed}
    if scenario.slots is not None:
        kwargs["slots"] = scenario.slots
    try:
        pool = pools.generate(scenario.pool, **kwargs)
    except (KeyError, ValueError, TribesError) as exc:
        raise scenario.error(("pool", "builtin"), str(exc)) from exc
    if isinstance(pool, pd.DataFrame):
        pool = Snapshot(ads=pool, time=scenario.start, time_source="generated",
                        source=f"pool {scenario.pool}")
    return pool


def generate(scenario: Scenario, pool: Snapshot):
    """Yield one Snapshot per day of ``scenario``, starting from ``pool``."""
    columns = set()
    for wave in scenario.waves:
        columns.update(wave.selector.values, wave.target.values)
    for event in scenario.events:
        columns.update(event.selector.values, event.target.values, event.where.values)
    for tribe in (scenario.join_like, scenario.join_set, scenario.leave_where):
        columns.update(tribe.values)
    _check_selectors(scenario, pool)
    state = MachinePool(pool, sorted(columns))
    rng = np.random.default_rng(scenario.seed)
    turns = [turn_times(w, rng, state.n_machines) for w in scenario.waves]
    for day, when in enumerate(scenario.times()):
        joined: List[np.ndarray] = []
        if day > 0:
            leave = rng.poisson(scenario.leave_per_day) if scenario.leave_per_day else 0
            _leave(state, rng, leave, scenario.leave_where)
            join = rng.poisson(scenario.join_per_day) if scenario.join_per_day else 0
            joined.append(_join(state, rng, join, scenario.join_like, scenario.join_set))
        for event in scenario.events:
            if when - (DAY if day > 0 else 10 ** 12) < event.time <= when:
                _leave(state, rng, event.leave, event.where)
                joined.append(_join(state, rng, event.join, event.selector, event.target))
        added = sum(len(j) for j in joined)
        if added:
            turns = [np.concatenate([turns[i], turn_times(w, rng, added)])
                     for i, w in enumerate(scenario.waves)]
        for i, wave in enumerate(scenario.waves):
            moving = state.present & (turns[i] <= when) & state.select(wave.selector)
            state.assign(moving, wave.target)
        yield Snapshot(
            ads=state.frame(when),
            time=int(when),
            time_source="scenario",
            source=f"scenario {scenario.name}, day {day}",
            names=dict(state.names),
        )


def _check_selectors(scenario: Scenario, pool: Snapshot):
    """A selector on an attribute nothing has is a typo: say so before writing anything."""
    known = set(pool.ads.columns)
    for tribe in (scenario.join_set, *(e.target for e in scenario.events)):
        known.update(tribe.values)
    selectors = []
    for i, wave in enumerate(scenario.waves, 1):
        selectors.append((("wave", i, "from"), wave.selector))
        known.update(wave.target.values)
    for i, event in enumerate(scenario.events, 1):
        selectors += [(("event", i, "like"), event.selector), (("event", i, "where"), event.where)]
    selectors += [(("churn", "join_like"), scenario.join_like),
                  (("churn", "leave_where"), scenario.leave_where)]
    for where, tribe in selectors:
        for col in tribe.values:
            if col not in known:
                raise scenario.error((*where, tribe.names[col]),
                                     "no slot of the start pool (nor any wave) has this attribute")


def _leave(state: MachinePool, rng, count: int, where: Tribe):
    if count <= 0:
        return
    candidates = np.flatnonzero(state.present & state.select(where))
    if len(candidates):
        gone = rng.choice(candidates, size=min(count, len(candidates)), replace=False)
        state.present[gone] = False


def _join(state: MachinePool, rng, count: int, like: Tribe, target: Tribe) -> np.ndarray:
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    candidates = np.flatnonzero(state.present & state.select(like))
    if not len(candidates):
        candidates = np.flatnonzero(state.select(like))
    if not len(candidates):
        return np.zeros(0, dtype=np.int64)
    new = state.clone(rng.choice(candidates, size=count, replace=True))
    state.assign(new, target)
    return new

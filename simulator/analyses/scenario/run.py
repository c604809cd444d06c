"""Writing a scenario's days into a snapshot store, all or nothing; checking a scenario file
as a run would.

>>> scenario = check_scenario("simulator/data/scenarios/rhel4_to_rhel5.toml")  # doctest: +SKIP
>>> written = write_scenario("simulator/data/scenarios/rhel4_to_rhel5.toml",
...                          "store/rhel")                                    # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import List, Optional, Union

from simulator.analyses.progress import counted
from simulator.analyses.scenario.evolve import generate, start_pool
from simulator.analyses.scenario.parse import load_scenario, reboot_toml
from simulator.analyses.scenario.spec import Scenario, ScenarioError
from simulator.io import store
from simulator.io.store import Leftovers
from simulator.model.errors import not_a_folder
from simulator.model.snapshot import Snapshot


@dataclasses.dataclass
class ScenarioRun:
    """What ``write_scenario`` wrote: the scenario, the store and its daily snapshot files,
    and the leftovers of interrupted writes removed on the way (``store.Leftovers``)."""

    scenario: Scenario
    store: str
    paths: List[Path]
    elapsed: float
    leftovers: Optional[Leftovers] = None


def check_scenario(path: Union[str, Path]) -> Scenario:
    """Read a scenario file and refuse what a run would refuse: the start pool (its size,
    its snapshot) and selectors on attributes nothing has. Day 0 is enough."""
    scenario = load_scenario(path)
    next(generate(scenario, start_pool(scenario)))
    return scenario


def write_scenario(path: Union[str, Path], store_dir: Union[str, Path], *,
                   replace: bool = False, progress: bool = False) -> ScenarioRun:
    """Read the scenario file at ``path`` and write its days into ``store_dir``
    (``run_scenario``); ``progress`` draws a bar on stderr, a step per day."""
    _check_store(store_dir)
    scenario = load_scenario(path)
    began = time.perf_counter()
    leftovers = Leftovers()
    paths = run_scenario(scenario, store_dir, replace=replace, progress=progress,
                         leftovers=leftovers)
    return ScenarioRun(scenario, str(store_dir), paths, time.perf_counter() - began, leftovers)


def _check_store(store_dir) -> None:
    if Path(store_dir).exists() and not Path(store_dir).is_dir():
        raise not_a_folder(store_dir, "store folder", ScenarioError)


def run_scenario(scenario: Scenario, store_dir: Union[str, Path], *, replace: bool = False,
                 pool: Optional[Snapshot] = None, progress: bool = False,
                 leftovers: Optional[Leftovers] = None) -> List[Path]:
    """Write one snapshot per day into ``store_dir`` (and the scenario's reboot settings
    as ``reboot.toml``); all or nothing.

    The new set is built in a folder beside the store, holding the store's lock, and
    swapped in only once every day has been written (``store.rewrite``): the store is at
    every moment its old set or the new one, and a failure leaves it untouched. A store
    that holds snapshots is an error unless ``replace``. ``leftovers``, if given, is
    filled with what was cleaned up of interrupted writes.
    """
    _check_store(store_dir)
    target = Path(store_dir)
    with store.rewrite(target) as change:
        if leftovers is not None:
            vars(leftovers).update(vars(change.lock.leftovers))
        if change.existing and not replace:
            raise ScenarioError(
                f"{target}: the store already holds {len(change.existing)} snapshots "
                "(use another folder, or --replace to overwrite them)"
            )
        if pool is None:
            pool = start_pool(scenario)
        days = counted(generate(scenario, pool), scenario.days, progress,
                       "tribes scenario run", "day")
        for snap in days:
            store.write(snap, change.folder / store.snapshot_filename(snap.time))
        if scenario.reboot:
            (change.folder / "reboot.toml").write_text(
                reboot_toml(scenario.reboot, scenario.path), encoding="utf-8")
        return change.commit()

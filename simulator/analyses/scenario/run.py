"""Writing a scenario's days into a snapshot store, all or nothing; checking a scenario file
as a run would.

>>> scenario = check_scenario("simulator/data/scenarios/rhel4_to_rhel5.toml")  # doctest: +SKIP
>>> written = write_scenario("simulator/data/scenarios/rhel4_to_rhel5.toml",
...                          "store/rhel")                                    # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import List, Optional, Union

from simulator.analyses.progress import counted
from simulator.analyses.scenario.evolve import generate, start_pool
from simulator.analyses.scenario.parse import load_scenario, reboot_toml
from simulator.analyses.scenario.spec import Scenario, ScenarioError
from simulator.model.errors import not_a_folder
from simulator.model.snapshot import Snapshot


@dataclasses.dataclass
class ScenarioRun:
    """What ``write_scenario`` wrote: the scenario, the store and its daily snapshot files."""

    scenario: Scenario
    store: str
    paths: List[Path]
    elapsed: float


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
    paths = run_scenario(scenario, store_dir, replace=replace, progress=progress)
    return ScenarioRun(scenario, str(store_dir), paths, time.perf_counter() - began)


def _check_store(store_dir) -> None:
    if Path(store_dir).exists() and not Path(store_dir).is_dir():
        raise not_a_folder(store_dir, "store folder", ScenarioError)


def run_scenario(scenario: Scenario, store_dir: Union[str, Path], *, replace: bool = False,
                 pool: Optional[Snapshot] = None, progress: bool = False) -> List[Path]:
    """Write one snapshot per day into ``store_dir``; all or nothing.

    Snapshots go to a temporary folder beside the store and are moved in only
    once every day has been generated, so a failure leaves the store untouched.
    """
    from simulator.io import store

    _check_store(store_dir)
    target = Path(store_dir)
    existing = store.list_store(target) if target.is_dir() else []
    if existing and not replace:
        raise ScenarioError(
            f"{target}: the store already holds {len(existing)} snapshots "
            "(use another folder, or --replace to overwrite them)"
        )
    if pool is None:
        pool = start_pool(scenario)
    created = target.parent
    while not created.parent.exists():
        created = created.parent
    made_parent = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        days = counted(generate(scenario, pool), scenario.days, progress,
                       "tribes scenario run", "day")
        written = [store.save(snap, temp) for snap in days]
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        if made_parent:
            shutil.rmtree(created, ignore_errors=True)
        raise
    try:
        target.mkdir(exist_ok=True)
        for old in existing:
            old.unlink()
        final = []
        for path in written:
            os.replace(path, target / path.name)
            final.append(target / path.name)
        settings = target / "reboot.toml"
        if scenario.reboot:
            settings.write_text(reboot_toml(scenario.reboot, scenario.path), encoding="utf-8")
        elif settings.exists():
            settings.unlink()
        return final
    finally:
        shutil.rmtree(temp, ignore_errors=True)

"""Writing a scenario's days into a snapshot store, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import List, Optional, Union

from simulator.analyses.scenario.evolve import generate, start_pool
from simulator.analyses.scenario.spec import Scenario, ScenarioError
from simulator.model.snapshot import Snapshot


def run_scenario(scenario: Scenario, store_dir: Union[str, Path], *, replace: bool = False,
                 pool: Optional[Snapshot] = None) -> List[Path]:
    """Write one snapshot per day into ``store_dir``; all or nothing.

    Snapshots go to a temporary folder beside the store and are moved in only
    once every day has been generated, so a failure leaves the store untouched.
    """
    from simulator.io import store

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
        written = [store.save(snap, temp) for snap in generate(scenario, pool)]
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
        return final
    finally:
        shutil.rmtree(temp, ignore_errors=True)

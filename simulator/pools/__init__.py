"""Generated pools: the seed's 2010 campus pool and a modern one.

>>> snap = generate("pool_2010")
>>> len(snap)
861
>>> len(generate("modern", slots=1000, seed=1))
1000

``POOLS`` maps each name to its module (``simulator.pools.<module>``); each
module has ``generate(*, seed, slots, **params) -> Snapshot``.
"""

from __future__ import annotations

import importlib
from typing import Optional

from simulator.exceptions import TribesError
from simulator.snapshot import Snapshot

POOLS = {
    "pool_2010": "pool_2010",
    "modern": "modern",
}
DEFAULT_POOL = "pool_2010"


def generate(name: str, *, seed: int = 2010, slots: Optional[int] = None, **params) -> Snapshot:
    """Generate the pool called ``name``; unknown names raise TribesError."""
    if name not in POOLS:
        known = ", ".join(sorted(POOLS))
        raise TribesError(f"unknown pool {name!r} (known pools: {known})")
    module = importlib.import_module(f"simulator.pools.{POOLS[name]}")
    try:
        return module.generate(seed=seed, slots=slots, **params)
    except TypeError as exc:
        if "unexpected keyword" in str(exc):
            raise TribesError(f"pool {name}: {exc}") from exc
        raise

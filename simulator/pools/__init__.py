"""Generated pools: the seed's 2010 campus pool and a modern one.

>>> snap = generate("pool_2010")
>>> len(snap)
861
>>> len(generate("modern", slots=1000, seed=1))
1000

``POOLS`` maps each name to its module (``simulator.pools.<module>``); each
module has ``generate(*, seed, slots, **params) -> Snapshot``. A pool *spec*
names a pool and, after a colon, its parameters:

>>> len(from_spec("modern:slots=2000,seed=7"))
2000
"""

from __future__ import annotations

import importlib
from typing import Dict, Optional, Tuple

from simulator.model.errors import TribesError, in_range
from simulator.model.snapshot import Snapshot

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
    check_params(f"pool {name}: ", seed=seed, slots=slots)
    module = importlib.import_module(f"simulator.pools.{POOLS[name]}")
    try:
        return module.generate(seed=seed, slots=slots, **params)
    except TypeError as exc:
        if "unexpected keyword" in str(exc):
            raise TribesError(f"pool {name}: {exc}") from exc
        raise


def from_spec(spec: str) -> Optional[Snapshot]:
    """The pool a spec names (``pool_2010``, ``modern:slots=100000,seed=7``), else None."""
    parsed = parse_spec(spec)
    if parsed is None:
        return None
    name, params = parsed
    return generate(name, **params)


def parse_spec(spec: str) -> Optional[Tuple[str, Dict[str, object]]]:
    """``(name, params)`` of a pool spec, or None if ``spec`` names no generated pool.

    Parameters are ``key=value`` separated by commas; numbers become numbers.
    """
    name, _, args = str(spec).partition(":")
    if name not in POOLS:
        return None
    params: Dict[str, object] = {}
    for item in filter(None, (part.strip() for part in args.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise TribesError(f"pool spec {spec!r}: expected key=value, got {item!r}")
        key, value = key.strip(), _number(value.strip())
        if key in ("seed", "slots") and (not isinstance(value, int) or isinstance(value, bool)):
            raise TribesError(f"pool spec {spec!r}: {key} must be a whole number, got {value!r}")
        params[key] = value
    check_params(f"pool spec {spec!r}: ", **{k: v for k, v in params.items()
                                            if k in ("seed", "slots")})
    return name, params


# A generated pool's seed and size: what numpy's generator takes, what memory holds.
MAX_SEED = 2 ** 32 - 1
MAX_SLOTS = 5_000_000  # simulator.pools.modern.MAX_SLOTS, the largest pool generated


def check_params(prefix: str = "", *, seed=None, slots=None, names=("seed", "slots")) -> None:
    """Refuse a seed or size out of range, in the one wording (``seed -1: give a whole
    number from 0 to 4294967295``); ``names`` are how the caller calls them (``--seed``)."""
    for name, value, low, high in ((names[0], seed, 0, MAX_SEED),
                                   (names[1], slots, 1, MAX_SLOTS)):
        try:
            in_range(name, value, low, high, whole=True)
        except TribesError as exc:
            raise TribesError(prefix + str(exc)) from None


def _number(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text

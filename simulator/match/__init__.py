"""Matching a job against a pool: the plain one-by-one ``symmetricMatch`` (the reference),
the slot-class fast path that gives the same answers, and the ``condor_q`` summary.

>>> from simulator import pools
>>> from simulator.jobs import load_template, with_requirements
>>> pool = pools.generate("pool_2010")
>>> job = with_requirements(load_template("plain"), 'TARGET.OpSys == "OSX"')
>>> int(default_matcher()(pool, job).sum()) == int(plain_match(pool, job).sum()) == 2
True
"""

from typing import Callable

import numpy as np

from simulator.match.plain import plain_match
from simulator.match.slot_classes import fast_match, fast_sides
from simulator.model.condor import ClassAd
from simulator.model.snapshot import Snapshot

Matcher = Callable[[Snapshot, ClassAd], np.ndarray]


def default_matcher() -> Matcher:
    """The matcher every analysis uses unless told otherwise: slot classes."""
    return fast_match


def default_sides() -> Callable:
    """The two one-sided results per slot, by slot class."""
    return fast_sides


__all__ = ["Matcher", "default_matcher", "default_sides", "fast_match", "fast_sides",
           "plain_match"]

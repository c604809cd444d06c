"""What the fast matcher remembers: per-snapshot work and answers per class.

Each column is factorized once per snapshot and groupings are kept per
snapshot (``PoolCache``); answers are remembered per class text across
snapshots and jobs (``_ANSWERS``). ``clear_caches()`` forgets all of it.

>>> clear_caches()
>>> len(_CACHES), len(_ANSWERS)
(0, 0)
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Dict, List

import numpy as np
import pandas as pd

from simulator.match.slot_classes.columns import Column, factorize
from simulator.match.slot_classes.references import LITERAL, NO_REFS, TEXT_INFO, text_info
from simulator.match.slot_classes.sides import JOB_SIDE, SLOT_SIDE, Side
from simulator.model.snapshot import Snapshot


class PoolCache:
    """Per-snapshot work shared by every job matched against it."""

    def __init__(self, snapshot: Snapshot):
        self.frame = snapshot.ads
        self.n = len(snapshot.ads)
        self.present = frozenset(snapshot.ads.columns)
        self.columns: Dict[str, Column] = {}
        self.sides: Dict[str, List[Side]] = {JOB_SIDE: [], SLOT_SIDE: []}
        # the job half's conjuncts, by text (``Side.parts``)
        self.parts: Dict[str, List[Side]] = {}

    def column(self, name: str) -> Column:
        col = self.columns.get(name)
        if col is None:
            series = self.frame[name]
            if isinstance(series.dtype, pd.CategoricalDtype):
                codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
            else:
                codes, uniques = factorize(series.to_numpy(dtype=object))
            texts = np.empty(len(uniques) + 1, dtype=object)
            texts[:-1] = uniques
            info = NO_REFS
            # Most texts are literals, which reach nothing (text_info would say so
            # too); the union is over the few distinct infos of the others.
            literal = LITERAL.fullmatch
            reaching = [t for t in texts[:-1].tolist() if not (isinstance(t, str) and literal(t))]
            for one in set(map(text_info, reaching)):
                info = info | one
            col = Column(codes.astype(np.int32, copy=False), texts, info)
            self.columns[name] = col
        return col


_CACHES: Dict[int, PoolCache] = {}


def cache_for(snapshot: Snapshot) -> PoolCache:
    key = id(snapshot)
    cache = _CACHES.get(key)
    if cache is None or cache.frame is not snapshot.ads or cache.n != len(snapshot.ads):
        cache = PoolCache(snapshot)
        if key not in _CACHES:
            weakref.finalize(snapshot, _CACHES.pop, key, None)
        _CACHES[key] = cache
    return cache


# Answers per class, across snapshots and jobs: {half key: {class texts: answer}}.
_ANSWERS: OrderedDict = OrderedDict()
# A job whose Requirements is a chain of && has a key per conjunct (most of them small
# tables shared by every job that asks the same clause), so several per job.
_MAX_KEYS = 256
_ANSWERS_LOCK = threading.Lock()
MAX_ANSWERS = 500_000  # per key; a full table is simply started afresh


def answers_for(memo_key) -> Dict:
    """The remembered answers of one half (``(side name, job texts)``), by class texts."""
    with _ANSWERS_LOCK:  # Dask may run tasks in threads of one process
        answers = _ANSWERS.get(memo_key)
        if answers is None:
            answers = _ANSWERS[memo_key] = {}
            while len(_ANSWERS) > _MAX_KEYS:
                _ANSWERS.popitem(last=False)
        else:
            _ANSWERS.move_to_end(memo_key)
            if len(answers) > MAX_ANSWERS:
                answers.clear()
    return answers


def clear_caches() -> None:
    """Forget remembered answers and per-snapshot work (benchmarks measure cold runs).

    A snapshot is taken as immutable once matched: replacing ``snapshot.ads`` is
    noticed, but code that edits cells of ``snapshot.ads`` in place must call this.
    """
    _ANSWERS.clear()
    _CACHES.clear()
    TEXT_INFO.clear()

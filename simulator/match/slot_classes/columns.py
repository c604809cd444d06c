"""One snapshot column factorized: a code per slot, its distinct texts, what they reach.

>>> import numpy as np
>>> codes, texts = factorize(np.array(['"LINUX"', None, '"OSX"', '"LINUX"'], dtype=object))
>>> codes.tolist(), list(texts)
([0, -1, 1, 0], ['"LINUX"', '"OSX"'])
"""

from __future__ import annotations

import ctypes
import dataclasses
from typing import Tuple

import numpy as np
import pandas as pd

from simulator.match.slot_classes.references import TextInfo


@dataclasses.dataclass
class Column:
    codes: np.ndarray  # int32 per slot, -1 where the slot lacks the attribute
    texts: np.ndarray  # the distinct texts, then None: texts[codes] is the column again
    info: TextInfo  # union over the distinct texts

    @property
    def is_leaf(self) -> bool:
        """Literals only (or nothing that leads anywhere): refining on it ends a branch."""
        info = self.info
        return not info.refs and not info.reads_clock and info.unsafe is None


def factorize(cells: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of a column of texts, faster when cells share string objects.

    Generated pools and the store's dictionary loader give every cell of one
    text the same string object, so the column is first factorized by object
    identity (a hash of pointers, not of strings), then the few distinct objects
    by text. Equal objects are equal texts and the second pass merges equal
    texts held by different objects, so the codes are exactly those of the text.
    """
    n = len(cells)
    if n >= 10_000 and cells.flags.c_contiguous:
        pointers = np.ctypeslib.as_array((ctypes.c_size_t * n).from_address(cells.ctypes.data))
        # Pools list a machine's slots together, so most columns come in runs of one
        # object: factorize one cell per run, then repeat the codes over the runs.
        starts = np.flatnonzero(pointers[1:] != pointers[:-1]) + 1
        if len(starts) * 8 < n:
            starts = np.concatenate(([0], starts))
            codes, uniques = _factorize_objects(cells[starts], pointers[starts])
            return np.repeat(codes, np.diff(np.append(starts, n))), uniques
        return _factorize_objects(cells, pointers)
    return pd.factorize(cells, use_na_sentinel=True)


def _factorize_objects(cells: np.ndarray, pointers: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Factorize ``cells`` by object identity first (``pointers``), then by text."""
    n = len(cells)
    if n:
        by_object, objects = pd.factorize(pointers)
        if len(objects) * 4 <= n:
            first = np.empty(len(objects), dtype=np.int64)
            first[by_object[::-1]] = np.arange(n - 1, -1, -1)
            codes, uniques = pd.factorize(cells[first], use_na_sentinel=True)
            return codes[by_object], uniques
    return pd.factorize(cells, use_na_sentinel=True)

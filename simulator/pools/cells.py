"""ClassAd cell texts for generated pools, written without the parser.

A snapshot cell is an attribute's expression exactly as HTCondor unparses it.
Generators build millions of cells, so they write the text directly:
strings through ``quote`` (once per distinct value), integers with ``str``,
booleans as ``true``/``false``. Tests check that ``str(ExprTree(cell)) == cell``.

>>> string_cell("LINUX"), bool_cell(True), int_cell(8), float_cell(0.25)
('"LINUX"', 'true', '8', '2.500000000000000E-01')
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional, Tuple

import numpy as np
import pandas as pd

from simulator.model.condor import ExprTree, quote


def string_cell(value: Optional[str]) -> Optional[str]:
    return None if value is None else quote(value)


def bool_cell(value: Optional[bool]) -> Optional[str]:
    return None if value is None else ("true" if value else "false")


def int_cell(value: Optional[int]) -> Optional[str]:
    return None if value is None else str(int(value))


def float_cell(value: Optional[float]) -> Optional[str]:
    """A real as HTCondor unparses it: ``%.15E`` (0.3 -> ``3.000000000000000E-01``), but 0.0.

    The rule has exceptions, so the library itself writes it (once per distinct value).
    """
    return None if value is None else str(ExprTree(repr(float(value))))


def expression_cell(text: str) -> str:
    """An expression as HTCondor unparses it (``=?=`` becomes ``is``, reals ``%.15E``)."""
    return str(ExprTree(text))


def cell(value) -> Optional[str]:
    """The cell text of a Python value (str, bool, int) or None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool_cell(bool(value))
    if isinstance(value, (int, np.integer)):
        return int_cell(value)
    if isinstance(value, (float, np.floating)):
        return float_cell(value)
    if isinstance(value, str):
        return string_cell(value)
    raise TypeError(f"no ClassAd cell for {value!r}")


class Block:
    """The cells of a snapshot, filled one attribute at a time.

    The cells live in one 2-D object block, the layout pandas keeps them in,
    so a million-slot frame is built without a second copy; each column is
    written straight into it, so no column outlives its assignment.
    """

    def __init__(self, order: Iterable[str], n: int):
        self.order = list(order)
        self.row = {display: j for j, display in enumerate(self.order)}
        self.block = np.empty((len(self.order), n), dtype=object)

    def __contains__(self, display: str) -> bool:
        return display in self.row

    def __setitem__(self, display: str, cells) -> None:
        # Attributes left out of the block are dropped, so callers need not check.
        row = self.row.get(display)
        if row is not None:
            self.block[row] = cells

    def frame(self) -> Tuple[pd.DataFrame, dict]:
        """The DataFrame (lower-case columns, object cells) and its display names."""
        names = {display.lower(): display for display in self.order}
        # dtype=object: pandas 3 would otherwise infer a string dtype and turn None into NaN.
        ads = pd.DataFrame(self.block.T, columns=list(names), dtype=object, copy=False)
        return ads, names


def frame(columns: Dict[str, Iterable], order: Iterable[str]) -> Tuple[pd.DataFrame, dict]:
    """A snapshot DataFrame and its display names from whole columns."""
    order = list(order)
    n = len(next(iter(columns.values()))) if columns else 0
    block = Block(order, n)
    for display in order:
        block[display] = columns[display]
    return block.frame()

"""ClassAd cell texts for generated pools, written without the parser.

A snapshot cell is an attribute's expression exactly as HTCondor unparses it.
Generators build millions of cells, so they write the text directly:
strings through ``quote`` (once per distinct value), integers with ``str``,
booleans as ``true``/``false``. Tests check that ``str(ExprTree(cell)) == cell``.

>>> string_cell("LINUX"), bool_cell(True), int_cell(8)
('"LINUX"', 'true', '8')
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

import numpy as np
import pandas as pd

from simulator.condor import quote


def string_cell(value: Optional[str]) -> Optional[str]:
    return None if value is None else quote(value)


def bool_cell(value: Optional[bool]) -> Optional[str]:
    return None if value is None else ("true" if value else "false")


def int_cell(value: Optional[int]) -> Optional[str]:
    return None if value is None else str(int(value))


def cell(value) -> Optional[str]:
    """The cell text of a Python value (str, bool, int) or None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool_cell(bool(value))
    if isinstance(value, (int, np.integer)):
        return int_cell(value)
    if isinstance(value, str):
        return string_cell(value)
    raise TypeError(f"no ClassAd cell for {value!r}")


def coded_column(codes: np.ndarray, labels: List[Optional[str]]) -> np.ndarray:
    """An object array of cells from integer codes into ``labels`` (texts already quoted).

    Each distinct text is one shared Python object, so a million-slot column
    costs one pointer per slot.
    """
    table = np.empty(len(labels), dtype=object)
    table[:] = labels
    return table[codes]


def frame(columns: Dict[str, Iterable], order: Iterable[str]) -> Tuple[pd.DataFrame, dict]:
    """A snapshot DataFrame (lower-case columns, object cells) and its display names."""
    names = {}
    data = {}
    for display in order:
        low = display.lower()
        names[low] = display
        # An explicit object Series: pandas 3 would otherwise infer a string
        # dtype and turn None into NaN.
        data[low] = pd.Series(np.asarray(columns[display], dtype=object), dtype=object)
    return pd.DataFrame(data), names

"""``--format csv`` and ``--format json``, written alike by every command.

The records a command's table shows are what its CSV rows and JSON objects hold, under the
same keys (the table may show some of them in a header line instead of a column). JSON is
indented by 2 and always valid: a NaN or infinity is ``null``, NumPy numbers plain numbers.
CSV has a header row; a missing value is an empty cell, and a cell that holds a list or a
mapping (a snapshot's skipped ads) holds it as compact JSON text.

>>> print(to_json([{"profile": "opsys", "rate": float("nan")}]))
[
  {
    "profile": "opsys",
    "rate": null
  }
]
>>> print(to_csv([{"profile": "opsys", "slots": 859}, {"profile": "vm", "slots": None}]))
profile,slots
opsys,859
vm,
"""

from __future__ import annotations

import json
import math
from typing import Optional, Sequence

import numpy as np
import pandas as pd


def plain(value):
    """``value`` as JSON can hold it: NaN and infinities as None, NumPy scalars as numbers."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(data) -> str:
    return json.dumps(plain(data), indent=2, allow_nan=False)


def to_csv(records: Sequence[dict], columns: Optional[Sequence[str]] = None) -> str:
    """One row per record, the ``columns`` (default: the first record's keys) in order."""
    if columns is None:
        columns = list(records[0]) if records else []
    rows = [{k: _cell(v) for k, v in r.items()} for r in records]
    # object cells: a whole number stays one where its column has gaps
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object)
    return frame.to_csv(index=False).rstrip("\n")


def _cell(value):
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(plain(value), separators=(",", ":"))
    return value


def write_json(data) -> None:
    print(to_json(data))


def write_csv(records: Sequence[dict], columns: Optional[Sequence[str]] = None) -> None:
    print(to_csv(records, columns))

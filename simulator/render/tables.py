"""Fixed-width text tables: a header row, then one row per record, columns two spaces apart.

>>> print(grid([{"name": "opsys", "n": 859}], [("name", "profile", "<"), ("n", "slots", ">")]))
profile  slots
opsys      859
"""

from __future__ import annotations

from typing import Callable, List, Optional, Sequence, Tuple

Column = Tuple[str, str, str]  # (record key, title, "<" or ">")


def grid_lines(records: Sequence[dict], columns: Sequence[Column],
               cell: Optional[Callable[[str, object], str]] = None) -> List[str]:
    """The table's lines; ``cell(key, value)`` writes a value (``str`` by default)."""
    cell = cell or (lambda key, value: str(value))
    rows = [[title for _, title, _ in columns]]
    rows += [[cell(key, r[key]) for key, _, _ in columns] for r in records]
    widths = [max(len(row[j]) for row in rows) for j in range(len(columns))]
    return ["  ".join(f"{row[j]:{columns[j][2]}{widths[j]}}" for j in range(len(columns))).rstrip()
            for row in rows]


def grid(records: Sequence[dict], columns: Sequence[Column],
         cell: Optional[Callable[[str, object], str]] = None) -> str:
    """The table as one text (see ``grid_lines``)."""
    return "\n".join(grid_lines(records, columns, cell))

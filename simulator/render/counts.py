"""The tables of ``tribes report``: ``uniq -c`` layout and CSV.

>>> from simulator import pools
>>> from simulator.analyses.counts import counts
>>> print(format_table(counts(pools.generate("pool_2010"), ["OpSys"])))
    859 LINUX
      2 OSX
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from simulator.analyses.counts import COUNT, CountTable, show


def format_table(table: pd.DataFrame) -> str:
    """``uniq -c`` layout: the count right-aligned in 7 columns, then the values."""
    width = len(table.columns) - 1
    lines = []
    for row in table.itertuples(index=False):
        values = " ".join(show(v) for v in row[:width])
        lines.append(f"{row[width]:>7} {values}")
    return "\n".join(lines)


def format_csv(table: pd.DataFrame) -> str:
    shown = table.copy()
    for col in shown.columns:
        if col != COUNT:
            shown[col] = shown[col].map(show)
    return shown.to_csv(index=False).rstrip("\n")


def counts_csv(results: Sequence[CountTable], *, long: bool, several: bool) -> str:
    """Wide (one column per attribute) or, with ``long``, one row per attribute and value."""
    frames = []
    for r in results:
        table = r.table
        if table.empty:  # a snapshot of a store without the attribute: no rows
            continue
        if long:
            shown = table.drop(columns=COUNT).apply(lambda col: col.map(show))
            table = pd.DataFrame({"attributes": " ".join(r.attrs),
                                  "value": shown.agg(" ".join, axis=1),
                                  COUNT: table[COUNT]})
        if several:
            table = table.copy()
            table.insert(0, "snapshot", r.source)
        frames.append(table)
    if long or several:
        return format_csv(pd.concat(frames, ignore_index=True))
    return format_csv(frames[0])

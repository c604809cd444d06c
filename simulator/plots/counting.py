"""What the charts count: slots per value, per pair of values, per value over time.

Built on :func:`simulator.analyses.counts.counts` (the seed's ``uniq -c`` tables), so a
chart's bars are the numbers ``tribes report`` prints.
"""

from __future__ import annotations

from typing import Sequence, Union

import pandas as pd

from simulator.analyses import counts as report
from simulator.io.sources import map_snapshots
from simulator.model.snapshot import Snapshot
from simulator.plots.words import NOT_PUBLISHED, names_of


def counts(
    snapshot: Snapshot, attrs: Union[str, Sequence[str]], *, missing: bool = False
) -> pd.Series:
    """Slots per value (values of several attributes joined by a space), largest first.

    The rows of :func:`simulator.analyses.counts.counts` (the seed's ``uniq -c``
    tables); ``missing`` adds a "(not published)" row for the slots that lack
    any of the attributes.
    """
    names = names_of(attrs)
    table = report.counts(snapshot, names)
    values = table.drop(columns=report.COUNT)
    labels = values.apply(lambda row: " ".join(report.show(v) for v in row), axis=1)
    found = pd.Series(table[report.COUNT].to_numpy(int), index=list(labels), name="slots")
    left_out = len(snapshot) - int(found.sum())
    if missing and left_out:
        found = pd.concat([found, pd.Series({NOT_PUBLISHED: left_out}, name="slots")])
        order = sorted(found.index, key=lambda v: (-found[v], v == NOT_PUBLISHED, v))
        found = found.reindex(order)
    return found.astype(int)


def joint_table(
    snapshot: Snapshot, rows: str = "redhat_version", cols: str = "glibc_version"
) -> pd.DataFrame:
    """Slots per (row value, column value); rows and columns by total, largest first.

    Only slots that publish both attributes are counted.
    """
    table = report.counts(snapshot, [rows, cols])
    if table.empty:
        return pd.DataFrame()
    row_name, col_name = table.columns[:2]
    shown = table.assign(
        **{row_name: table[row_name].map(report.show), col_name: table[col_name].map(report.show)}
    )
    grid = shown.pivot_table(
        index=row_name, columns=col_name, values=report.COUNT, aggfunc="sum", fill_value=0
    )
    grid = grid.loc[
        sorted(grid.index, key=lambda v: (-grid.loc[v].sum(), v)),
        sorted(grid.columns, key=lambda v: (-grid[v].sum(), v)),
    ]
    return grid.astype(int)


def composition_table(
    snapshots: Sequence[Snapshot], attrs: Union[str, Sequence[str]], *, top: int = 8
) -> pd.DataFrame:
    """Slots per value at each capture time: one row per snapshot (UTC), one column per value.

    Columns are ordered by total over the series, largest first; past ``top``
    values the rest are summed into "(other values)". Slots lacking the
    attribute form a "(not published)" column, so each row sums to the slot count.
    """
    def row(snap: Snapshot):
        return pd.Timestamp(int(snap.time), unit="s"), counts(snap, attrs, missing=True)

    # A store opened by open_pool is read one snapshot at a time.
    rows = dict(map_snapshots(snapshots, row))
    table = pd.DataFrame(rows).T.fillna(0).astype(int).sort_index()
    table.index.name = "capture time (UTC)"
    values = [v for v in table.columns if v != NOT_PUBLISHED]
    values.sort(key=lambda v: (-table[v].sum(), v))
    if len(values) > top:
        keep, rest = values[:top], values[top:]
        table["(other values)"] = table[rest].sum(axis=1)
        values = [*keep, "(other values)"]
    if NOT_PUBLISHED in table.columns:
        values.append(NOT_PUBLISHED)
    return table[values]

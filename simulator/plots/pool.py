"""Charts of one pool (or of a series of snapshots of it): distributions, facts, joints, drift.

>>> fig = distribution(generate("pool_2010"), "redhat_version")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from simulator.model.snapshot import Snapshot
from simulator.plots.canvas import BAR, barh, figure, palette
from simulator.plots.counting import composition_table, counts, joint_table
from simulator.plots.words import (
    LABELS,
    NOT_PUBLISHED,
    count_texts,
    coverage,
    describe,
    do,
    label,
    slots,
)

# The charts of a pool report: for each, the attributes to draw, best first. A
# pool without the hook's attributes falls back to what HTCondor publishes.
POOL_CHARTS: Dict[str, List[List[str]]] = {
    "os": [["redhat_version"], ["OpSysAndVer"], ["OpSysLongName"]],
    "kernel": [["kernel_version"], ["UtsnameRelease"]],
    "glibc": [["glibc_version"], ["glibc_base_version"]],
    "java": [["JavaVendor", "JavaVersion"], ["JavaVersion"]],
}
VIRT_FACTS = ["HasHardwareVirt", "HasKVM", "IsVirtualMachine", "Hypervisor"]


def distribution(
    snapshot: Snapshot,
    attrs: Union[str, Sequence[str]],
    *,
    missing: bool = False,
    top: Optional[int] = None,
) -> Figure:
    """Sorted horizontal bars: slots per value of one attribute (or a joined pair).

    Bars are labelled "count (share of all slots)". ``top`` keeps the largest
    values and folds the rest into one "(N other values)" bar.
    """
    found = counts(snapshot, attrs, missing=missing)
    if found.empty:
        raise ValueError(f"{snapshot.source}: no slot publishes {label(attrs)}")
    values = len(found)
    if top is not None and len(found) > top:
        rest = found.iloc[top:]
        other = pd.Series({f"({len(rest)} other values)": rest.sum()})
        found = pd.concat([found.iloc[:top], other])
    total = len(snapshot)
    title = f"{label(attrs)}: {values} values across {total} slots"
    subtitle = describe(snapshot) + coverage(snapshot, int(found.sum()), attrs)
    fig, body = figure(9, 0.7 + 0.3 * len(found), title, subtitle)
    ax = body.add_subplot()
    barh(ax, list(found.index), list(found.values), count_texts(found.values, total))
    ax.set_xlabel("slots")
    return fig


def facts(
    snapshot: Snapshot,
    attrs: Sequence[str] = tuple(VIRT_FACTS),
    *,
    missing: bool = True,
    title: Optional[str] = None,
) -> Figure:
    """One bar chart per attribute, stacked on one x scale (e.g. the virtualization facts).

    ``missing`` draws the slots lacking an attribute as a grey "(not published)"
    bar; without it their number goes into the panel's title.
    """
    present = [a for a in attrs if a.lower() in snapshot.ads.columns]
    if not present:
        raise ValueError(f"{snapshot.source}: no slot publishes any of {', '.join(attrs)}")
    tables = [counts(snapshot, a, missing=missing) for a in present]
    heights = [0.6 + 0.3 * len(t) for t in tables]
    total = len(snapshot)
    if title is None:
        virt = [a.lower() for a in attrs] == [a.lower() for a in VIRT_FACTS]
        title = "Virtualization facts" if virt else f"{len(present)} attributes"
    fig, body = figure(9, 0.4 + sum(heights), f"{title} across {total} slots", describe(snapshot))
    # One x scale for every panel, so bar lengths compare across attributes.
    axes = body.subplots(
        len(present), 1, height_ratios=heights, squeeze=False, sharex=True
    )[:, 0]
    for k, attr in enumerate(present):
        ax, found = axes[k], tables[k]
        colors = [("#bbbbbb" if v == NOT_PUBLISHED else BAR) for v in found.index]
        barh(ax, list(found.index), list(found.values), count_texts(found.values, total), colors)
        left_out = total - int(found.sum())
        note = f"; {slots(left_out)} {do(left_out)} not publish it" if left_out else ""
        ax.set_title(label(attr) + note, fontsize=10, loc="left")
    axes[-1].set_xlabel("slots")
    axes[-1].set_xlim(0, 1.3 * max(int(t.max()) for t in tables))
    return fig


def joint(
    snapshot: Snapshot, rows: str = "redhat_version", cols: str = "glibc_version"
) -> Figure:
    """The joint table of two attributes as an annotated heatmap (log colour scale).

    Empty cells stay blank; each row and column label carries its total.
    """
    table = joint_table(snapshot, rows, cols)
    if table.empty:
        raise ValueError(f"{snapshot.source}: no slot publishes both {rows} and {cols}")
    data = table.to_numpy(dtype=float)
    total = len(snapshot)
    shown_total = int(data.sum())
    lack = total - shown_total
    rest = f"; {slots(lack)} {'lacks' if lack == 1 else 'lack'} one of them" if lack else ""
    names = f"{LABELS.get(rows.lower(), rows)} × {LABELS.get(cols.lower(), cols)}"
    longest = max(len(str(r)) for r in table.index)
    fig, body = figure(
        2.5 + 0.8 * table.shape[1] + 0.075 * longest,
        1.8 + 0.42 * table.shape[0],
        f"{names} across {total} slots",
        describe(snapshot) + rest,
    )
    ax = body.add_subplot()
    norm = LogNorm(vmin=1, vmax=max(data.max(), 2))
    image = ax.imshow(np.ma.masked_equal(data, 0), cmap="Blues", norm=norm, aspect="auto")
    for (i, j), value in np.ndenumerate(data):
        if value:
            color = "white" if norm(value) > 0.6 else "black"
            ax.text(j, i, f"{int(value)}", ha="center", va="center", fontsize=9, color=color)
    ax.set_yticks(
        range(table.shape[0]), labels=[f"{r}  ({table.loc[r].sum()})" for r in table.index]
    )
    ax.set_xticks(
        range(table.shape[1]),
        labels=[f"{c} ({table[c].sum()})" for c in table.columns],
        rotation=40,
        ha="right",
        rotation_mode="anchor",
        fontsize=8,
    )
    ax.set_xlabel(f"{label(cols)}; slots in brackets")
    ax.set_ylabel(f"{label(rows)}; slots in brackets")
    body.colorbar(image, ax=ax, label="slots (log scale)", shrink=0.8)
    return fig


def composition(
    snapshots: Sequence[Snapshot],
    attrs: Union[str, Sequence[str]],
    *,
    top: int = 8,
    source: Optional[str] = None,
) -> Figure:
    """A stacked area over time: how many slots carry each value (a migration, a drift)."""
    if not snapshots:
        raise ValueError("composition needs at least one snapshot")
    table = composition_table(snapshots, attrs, top=top)
    totals = table.sum(axis=1)
    subtitle = (
        f"{len(table)} snapshots from {table.index[0]:%Y-%m-%d %H:%M}"
        f" to {table.index[-1]:%Y-%m-%d %H:%M} UTC · "
        + (slots(totals.min()) if totals.min() == totals.max()
           else f"{totals.min()}–{totals.max()} slots")
        + f" · source: {source or snapshots[-1].source}"
    )
    fig, body = figure(11, 4.5, f"{label(attrs)} over time", subtitle)
    ax = body.add_subplot()
    greys = {"(other values)": "#999999", NOT_PUBLISHED: "#dddddd"}
    colors = [greys.get(c, palette(k)) for k, c in enumerate(table.columns)]
    # Legend entries read top-down in the order of the stack, largest at the bottom.
    ax.stackplot(
        table.index.to_numpy(), table.T.to_numpy(), labels=list(table.columns), colors=colors
    )
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], loc="center left", bbox_to_anchor=(1.01, 0.5),
              fontsize=8)  # fmt: skip
    ax.set_ylabel("slots")
    ax.set_xlabel("capture time (UTC)")
    ax.set_ylim(0, totals.max() * 1.02)
    ax.margins(x=0)
    for tick in ax.get_xticklabels():
        tick.set_rotation(30)
        tick.set_horizontalalignment("right")
    return fig


def chart_attrs(snapshot: Snapshot, name: str) -> Optional[List[str]]:
    """The attributes the pool-report chart ``name`` draws for this pool (None: none published).

    >>> chart_attrs(generate("pool_2010"), "os")                  # doctest: +SKIP
    ['redhat_version']
    """
    for attrs in POOL_CHARTS[name]:
        if all(a.lower() in snapshot.ads.columns for a in attrs):
            return attrs
    return None


def pool_chart(snapshot: Snapshot, name: str) -> Figure:
    """A pool-report chart by name: os, kernel, glibc, java, virt, or joint (os × glibc).

    A pool that publishes none of a chart's attributes gets a small figure
    that says so, so a report over any pool runs top to bottom.
    """
    if name == "virt":
        if not any(a.lower() in snapshot.ads.columns for a in VIRT_FACTS):
            return _nothing(snapshot, "Virtualization facts", VIRT_FACTS)
        return facts(snapshot)
    if name == "joint":
        rows, cols = chart_attrs(snapshot, "os"), chart_attrs(snapshot, "glibc")
        if not rows or not cols:
            wanted = [a for alt in POOL_CHARTS["os"] + POOL_CHARTS["glibc"] for a in alt]
            return _nothing(snapshot, "OS × glibc", wanted)
        return joint(snapshot, rows[0], cols[0])
    if name not in POOL_CHARTS:
        known = ", ".join([*POOL_CHARTS, "virt", "joint"])
        raise ValueError(f"no pool chart called {name!r} (known: {known})")
    attrs = chart_attrs(snapshot, name)
    if attrs is None:
        wanted = [" + ".join(alt) for alt in POOL_CHARTS[name]]
        return _nothing(snapshot, name, wanted)
    return distribution(snapshot, attrs)


def _nothing(snapshot: Snapshot, what: str, wanted: Sequence[str]) -> Figure:
    fig, body = figure(9, 0.6, f"{what}: not published by this pool", describe(snapshot))
    body.text(0.5, 0.5, f"no slot has any of: {', '.join(wanted)}", ha="center", va="center")
    return fig

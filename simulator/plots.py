"""Charts of a pool and of what-if results, as matplotlib Figures.

Every function returns a new ``Figure`` drawn on the Agg canvas, never through
``pyplot``: nothing is left in global state between calls, and charts draw on
a server or in a test without a display. Titles carry what a reader needs
without the code: the slot total, the capture time and the source.

>>> fig = distribution(snapshot, "redhat_version")       # doctest: +SKIP
>>> fig.savefig("os.png")                                 # doctest: +SKIP
"""

from __future__ import annotations

import re
import time as _time
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Union

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from simulator import report
from simulator.exceptions import TribesError
from simulator.snapshot import Snapshot

# Names a pool admin reads more easily than the attribute names.
LABELS: Dict[str, str] = {
    "redhat_version": "OS release",
    "opsysandver": "OS and version",
    "os_pretty_name": "OS",
    "kernel_version": "Kernel",
    "utsnamerelease": "Kernel",
    "glibc_version": "glibc build",
    "glibc_base_version": "glibc version",
    "javavendor javaversion": "Java vendor and version",
    "javaversion": "Java version",
    "hashardwarevirt": "Hardware virtualization (VT-x / AMD-V)",
    "haskvm": "Usable /dev/kvm",
    "isvirtualmachine": "Runs inside a virtual machine",
    "hypervisor": "Hypervisor",
    "opsys": "Operating system",
    "arch": "Architecture",
}

# The charts of a pool report: for each, the attributes to draw, best first. A
# pool without the hook's attributes falls back to what HTCondor publishes.
POOL_CHARTS: Dict[str, List[List[str]]] = {
    "os": [["redhat_version"], ["OpSysAndVer"], ["OpSysLongName"]],
    "kernel": [["kernel_version"], ["UtsnameRelease"]],
    "glibc": [["glibc_version"], ["glibc_base_version"]],
    "java": [["JavaVendor", "JavaVersion"], ["JavaVersion"]],
}
VIRT_FACTS = ["HasHardwareVirt", "HasKVM", "IsVirtualMachine", "Hypervisor"]

NOT_PUBLISHED = "(not published)"
_BAR = "#3b6ea5"
_MUTED = "#555555"


# --- words ---------------------------------------------------------------


def format_time(epoch: int) -> str:
    """``1289916000`` -> ``'2010-11-16 14:00 UTC'``."""
    return _time.strftime("%Y-%m-%d %H:%M UTC", _time.gmtime(int(epoch)))


def describe(snapshot: Snapshot) -> str:
    """One line naming a snapshot: size, capture time (and how it is known), source."""
    when = format_time(snapshot.time)
    return (
        f"{len(snapshot)} slots · captured {when} ({snapshot.time_source})"
        f" · source: {snapshot.source}"
    )


def label(attrs: Union[str, Sequence[str]]) -> str:
    """The reader's name for an attribute (or a joined pair), with the attribute names."""
    names = _names(attrs)
    key = " ".join(n.lower() for n in names)
    shown = " + ".join(names)
    if key not in LABELS or LABELS[key] == shown:
        return shown
    return f"{LABELS[key]} ({shown})"


# --- counting ------------------------------------------------------------


def _names(attrs: Union[str, Sequence[str]]) -> List[str]:
    return [attrs] if isinstance(attrs, str) else list(attrs)


def counts(
    snapshot: Snapshot, attrs: Union[str, Sequence[str]], *, missing: bool = False
) -> pd.Series:
    """Slots per value (values of several attributes joined by a space), largest first.

    The rows of :func:`simulator.report.counts` (the seed's ``uniq -c``
    tables); ``missing`` adds a "(not published)" row for the slots that lack
    any of the attributes.
    """
    names = _names(attrs)
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


# --- drawing helpers -----------------------------------------------------

_HEAD = 0.55  # inches kept above the chart for the title and the subtitle


def _figure(width: float, height: float, title: str, subtitle: str):
    """A figure with a header (title, and a smaller subtitle under it) and a body.

    The header is its own subfigure so a long subtitle is centred on the whole
    figure instead of spilling past the right edge of a narrow axes.
    Returns ``(figure, body)``; draw into ``body``.
    """
    fig = Figure(figsize=(width, height + _HEAD), layout="constrained", dpi=100)
    FigureCanvasAgg(fig)
    head, body = fig.subfigures(2, 1, height_ratios=[_HEAD, height])
    head.suptitle(title, fontsize=13, fontweight="bold")
    head.supxlabel(subtitle, fontsize=9, color=_MUTED)
    return fig, body


def _barh(ax, labels: Sequence[str], values: Sequence[float], texts: Sequence[str], color=_BAR):
    """Horizontal bars, first label on top, each with its text after the bar."""
    y = np.arange(len(labels))
    bars = ax.barh(y, values, color=color)
    ax.set_yticks(y, labels=list(labels))
    ax.invert_yaxis()
    top = max(values) if len(values) else 1
    ax.set_xlim(0, (top or 1) * 1.3)
    for i, bar in enumerate(bars):
        ax.annotate(
            texts[i],
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return bars


def zip_columns(*columns):
    """Items of equal-length columns side by side (``zip(strict=True)`` before Python 3.10)."""
    lists = [list(c) for c in columns]
    if len({len(c) for c in lists}) > 1:
        raise ValueError("columns of different lengths")
    return [tuple(c[i] for c in lists) for i in range(len(lists[0]) if lists else 0)]


def _count_texts(values: Iterable[int], total: int) -> List[str]:
    return [f"{v} ({100 * v / total:.1f} %)" if total else str(v) for v in values]


def _coverage(snapshot: Snapshot, shown: int, attrs: Union[str, Sequence[str]]) -> str:
    names = _names(attrs)
    missing = len(snapshot) - shown
    if not missing:
        return ""
    both = " and ".join(names) if len(names) > 1 else names[0]
    return f"; {_slots(missing)} {_do(missing)} not publish {both}"


def _slots(n: int) -> str:
    """``1`` -> ``'1 slot'``, ``2`` -> ``'2 slots'``."""
    return f"{n} slot" if n == 1 else f"{n} slots"


def _do(n: int) -> str:
    return "does" if n == 1 else "do"


# --- pool charts ---------------------------------------------------------


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
    subtitle = describe(snapshot) + _coverage(snapshot, int(found.sum()), attrs)
    fig, body = _figure(9, 0.7 + 0.3 * len(found), title, subtitle)
    ax = body.add_subplot()
    _barh(ax, list(found.index), list(found.values), _count_texts(found.values, total))
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
    fig, body = _figure(9, 0.4 + sum(heights), f"{title} across {total} slots", describe(snapshot))
    # One x scale for every panel, so bar lengths compare across attributes.
    axes = body.subplots(
        len(present), 1, height_ratios=heights, squeeze=False, sharex=True
    )[:, 0]
    for k, attr in enumerate(present):
        ax, found = axes[k], tables[k]
        colors = [("#bbbbbb" if v == NOT_PUBLISHED else _BAR) for v in found.index]
        _barh(ax, list(found.index), list(found.values), _count_texts(found.values, total), colors)
        left_out = total - int(found.sum())
        note = f"; {_slots(left_out)} {_do(left_out)} not publish it" if left_out else ""
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
    rest = f"; {_slots(lack)} {'lacks' if lack == 1 else 'lack'} one of them" if lack else ""
    names = f"{LABELS.get(rows.lower(), rows)} × {LABELS.get(cols.lower(), cols)}"
    longest = max(len(str(r)) for r in table.index)
    fig, body = _figure(
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


def composition_table(
    snapshots: Sequence[Snapshot], attrs: Union[str, Sequence[str]], *, top: int = 8
) -> pd.DataFrame:
    """Slots per value at each capture time: one row per snapshot (UTC), one column per value.

    Columns are ordered by total over the series, largest first; past ``top``
    values the rest are summed into "(other values)". Slots lacking the
    attribute form a "(not published)" column, so each row sums to the slot count.
    """
    rows = {}
    for snap in snapshots:
        when = pd.Timestamp(int(snap.time), unit="s")
        rows[when] = counts(snap, attrs, missing=True)
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
        + (f"{totals.min()} slots" if totals.min() == totals.max()
           else f"{totals.min()}–{totals.max()} slots")
        + f" · source: {source or snapshots[-1].source}"
    )
    fig, body = _figure(11, 4.5, f"{label(attrs)} over time", subtitle)
    ax = body.add_subplot()
    palette = [_palette(k) for k in range(len(table.columns))]
    greys = {"(other values)": "#999999", NOT_PUBLISHED: "#dddddd"}
    colors = [greys.get(c, palette[k]) for k, c in enumerate(table.columns)]
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


def _palette(k: int):
    from matplotlib import colormaps

    # tab10 without its grey (index 7): grey stands for "other" and "not published".
    colors = [colormaps["tab10"](i) for i in range(10) if i != 7]
    return colors[k % len(colors)]


# --- results charts ------------------------------------------------------


def _rates(results: pd.DataFrame) -> pd.Series:
    """Match rate in percent: from slot counts where given, else from match_rate (0..1)."""
    if {"matching_slots", "total_slots"} <= set(results.columns):
        total = results["total_slots"].astype(float).replace(0, np.nan)
        return (100 * results["matching_slots"].astype(float) / total).fillna(0.0)
    return 100 * results["match_rate"].astype(float)


def _times(results: pd.DataFrame) -> pd.Series:
    """The capture time of each record as a UTC timestamp."""
    column = "time" if "time" in results.columns else "snapshot"
    values = results[column]
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_datetime(values.astype("int64"), unit="s", utc=True)
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values, utc=True)
    stamps = values.astype(str).str.extract(r"(\d{8}T\d{6}Z)")[0]
    if stamps.notna().all():
        return pd.to_datetime(stamps, format="%Y%m%dT%H%M%SZ", utc=True)
    try:
        return pd.to_datetime(values, utc=True, format="ISO8601")
    except (ValueError, TypeError) as exc:
        # simulate() labels a snapshot without a capture time by its source.
        raise ValueError(
            f"a line over time needs capture times; {column} {values.iloc[0]!r} is none"
        ) from exc


def _series(results: pd.DataFrame) -> pd.DataFrame:
    """Capture time, profile and match rate (%) of each record."""
    return pd.DataFrame(
        {
            "time": _times(results),
            "profile": results["profile"].astype(str),
            "rate": _rates(results),
        }
    )


def ladder(results: pd.DataFrame, *, snapshot: Optional[Snapshot] = None) -> Figure:
    """The requirement ladder on one snapshot: one bar per profile, loosest on top.

    ``results`` holds one record per profile (``profile``, ``matching_slots``,
    ``total_slots``; ``match_rate`` as a fraction if the counts are absent);
    profiles keep the order they come in.
    """
    if "snapshot" in results.columns and results["snapshot"].nunique() > 1:
        raise ValueError(
            f"ladder draws one snapshot; the results hold {results['snapshot'].nunique()}"
        )
    rates = _rates(results)
    if {"matching_slots", "total_slots"} <= set(results.columns):
        rows = results[["matching_slots", "total_slots"]].assign(rate=rates.to_numpy())
        texts = [f"{m} of {t} slots ({r:.1f} %)" for m, t, r in rows.itertuples(index=False)]
        total = int(results["total_slots"].iloc[0])
    else:
        texts = [f"{r:.1f} %" for r in rates]
        total = len(snapshot) if snapshot is not None else None
    profiles = [str(p) for p in results["profile"]]
    size = f" on {total} slots" if total else ""
    subtitle = describe(snapshot) if snapshot is not None else f"{len(profiles)} profiles"
    title = f"Requirement ladder: match rate per profile{size}"
    fig, body = _figure(9, 0.9 + 0.4 * len(profiles), title, subtitle)
    ax = body.add_subplot()
    _barh(ax, profiles, list(rates), texts)
    ax.set_xlim(0, 130)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("slots matching (% of all slots)")
    ax.set_ylabel("profile (loosest on top)")
    return fig


def match_rates(results: pd.DataFrame, *, source: Optional[str] = None) -> Figure:
    """Match rate per profile over a snapshot series: one line per profile."""
    frame = _series(results)
    start, end = frame["time"].min(), frame["time"].max()
    subtitle = (
        f"{frame['time'].nunique()} snapshots from {start:%Y-%m-%d %H:%M}"
        f" to {end:%Y-%m-%d %H:%M} UTC"
    )
    if "total_slots" in results.columns:
        low, high = int(results["total_slots"].min()), int(results["total_slots"].max())
        subtitle += f" · {low} slots" if low == high else f" · {low}–{high} slots"
    if source:
        subtitle += f" · source: {source}"
    fig, body = _figure(10, 4.5, "Match rate per requirement profile over time", subtitle)
    ax = body.add_subplot()
    # Markers and dashes differ too, so profiles with equal rates stay visible.
    styles = [("o", "-"), ("s", "--"), ("^", "-."), ("D", ":"), ("v", "-"), ("x", "--")]
    for k, profile in enumerate(dict.fromkeys(frame["profile"])):
        rows = frame[frame["profile"] == profile].sort_values("time")
        marker, dashes = styles[k % len(styles)]
        ax.plot(
            rows["time"].dt.tz_localize(None),
            rows["rate"],
            marker=marker,
            linestyle=dashes,
            markersize=4,
            label=profile,
        )
    ax.set_ylim(-2, 102)
    ax.set_ylabel("slots matching (%)")
    ax.set_xlabel("capture time (UTC)")
    ax.grid(alpha=0.3)
    ax.legend(title="profile", loc="center left", bbox_to_anchor=(1.01, 0.5))
    for tick in ax.get_xticklabels():
        tick.set_rotation(30)
        tick.set_horizontalalignment("right")
    return fig


def rate_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per profile, its match rate (%) on the first and last snapshot, and its range.

    The table beside :func:`match_rates`: which profiles the drift hurt.
    """
    frame = _series(results).sort_values("time", kind="stable")
    grouped = frame.groupby("profile", sort=False)["rate"]
    table = pd.DataFrame(
        {
            "first (%)": grouped.first(),
            "last (%)": grouped.last(),
            "lowest (%)": grouped.min(),
            "highest (%)": grouped.max(),
        }
    )
    table["change (points)"] = table["last (%)"] - table["first (%)"]
    order = list(dict.fromkeys(results["profile"].astype(str)))
    return table.loc[order].round(1) + 0.0  # + 0.0: no "-0.0" for a rate that did not move


_WAITS = [("median_wait_s", "median"), ("mean_wait_s", "mean"), ("p95_wait_s", "95th percentile")]


def _wait_unit(seconds: float):
    for name, size in (("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= 2 * size:
            return name, size
    return "seconds", 1.0


def duration(seconds: float) -> str:
    """``57.4`` -> ``'57 s'``, ``720`` -> ``'12 min'``, ``46800`` -> ``'13.0 h'``."""
    if seconds is None or np.isnan(seconds):
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def wait_times(results: pd.DataFrame, *, subtitle: str = "") -> Figure:
    """Queue wait per profile from a replay: grouped bars (median, mean, 95th percentile).

    ``results`` holds one record per profile with ``median_wait_s``,
    ``mean_wait_s`` and/or ``p95_wait_s``; the unit (seconds, minutes, hours)
    follows the longest wait.
    """
    columns = [(c, name) for c, name in _WAITS if c in results.columns]
    if not columns:
        raise ValueError("wait_times needs median_wait_s, mean_wait_s or p95_wait_s")
    profiles = [str(p) for p in results["profile"]]
    if "never_started" in results.columns:
        # Waits count only the jobs that started; say how many never did.
        profiles = [
            f"{p}\n({100 * float(n):.0f} % never started)" if n and float(n) > 0 else p
            for p, n in zip_columns(profiles, results["never_started"])
        ]
    longest = np.nanmax(results[[c for c, _ in columns]].to_numpy(float))
    unit, size = _wait_unit(float(longest))
    if "jobs" in results.columns:
        jobs = results["jobs"].astype(int)
        # Profiles replayed one by one over the same jobs: say so, do not add them up.
        count = f"{jobs.iloc[0]} jobs per profile" if jobs.nunique() == 1 else f"{jobs.sum()} jobs"
        subtitle = f"{subtitle} · {count}".strip(" ·")
    title = "Queue wait per requirement profile"
    fig, body = _figure(9, 1.0 + 0.25 * len(profiles) * len(columns), title, subtitle)
    ax = body.add_subplot()
    height = 0.8 / len(columns)
    y = np.arange(len(profiles))
    colors = ["#3b6ea5", "#8fb3d9", "#d9822b"]
    for k, (column, name) in enumerate(columns):
        values = results[column].astype(float).to_numpy() / size
        bars = ax.barh(y + k * height, values, height, label=name, color=colors[k])
        seconds = results[column].astype(float).to_numpy()
        ax.bar_label(bars, labels=[duration(v) for v in seconds], padding=3, fontsize=8)
    ax.set_yticks(y + height * (len(columns) - 1) / 2, labels=profiles)
    ax.invert_yaxis()
    ax.set_xlabel(f"wait in queue ({unit})")
    ax.set_ylabel("profile")
    ax.margins(x=0.15)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


# --- the charts of a pool report ----------------------------------------------


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
    fig, body = _figure(9, 0.6, f"{what}: not published by this pool", describe(snapshot))
    body.text(0.5, 0.5, f"no slot has any of: {', '.join(wanted)}", ha="center", va="center")
    return fig


# --- the charts of tribes report --------------------------------------------


def report_figure(
    snapshot: Snapshot, attrs: Sequence[str], *, each: bool = False, grid: bool = False
) -> Figure:
    """The chart of ``tribes report ATTR... --plot``: the printed table as a picture.

    One attribute, or several counted jointly: sorted bars of the combinations.
    ``each``: one panel per attribute. ``grid``: two attributes as a joint heatmap.
    """
    attrs = list(attrs)
    if grid:
        if len(attrs) != 2 or each:
            raise TribesError("--grid draws the joint of exactly two attributes (and no --each)")
        return joint(snapshot, attrs[0], attrs[1])
    if each and len(attrs) > 1:
        return facts(snapshot, attrs, missing=False)
    return distribution(snapshot, attrs)


def write_report(
    snapshots: Sequence[Snapshot],
    attrs: Sequence[str],
    path: Union[str, Path],
    *,
    each: bool = False,
    grid: bool = False,
) -> List[Path]:
    """Write the report chart of each snapshot; several get their capture time in the name.

    ``os.png`` for one snapshot; ``os-20100405T120000Z.png`` … for a store of several.
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FigureCanvasAgg.get_supported_filetypes():
        known = ", ".join(sorted(FigureCanvasAgg.get_supported_filetypes()))
        raise TribesError(f"{path}: cannot tell the image format from the suffix (use {known})")
    written = []
    for snap in snapshots:
        target = path
        if len(snapshots) > 1:
            stamp = _time.strftime("%Y%m%dT%H%M%SZ", _time.gmtime(snap.time))
            target = path.with_name(f"{path.stem}-{stamp}{path.suffix}")
        try:
            fig = report_figure(snap, attrs, each=each, grid=grid)
            written.append(save(fig, target))
        except ValueError as exc:
            raise TribesError(str(exc)) from exc
        except OSError as exc:
            raise TribesError(f"{target}: cannot write the chart ({exc.strerror})") from exc
    return written


# --- saving --------------------------------------------------------------


def save(fig: Figure, path: Union[str, Path], *, dpi: int = 100) -> Path:
    """Write a figure; the format follows the file suffix (``.png``, ``.svg``, ``.pdf``)."""
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path


# --- a reading of the pool -----------------------------------------------


def _pct(part: int, total: int) -> str:
    return f"{100 * part / total:.1f} %"


def _glibc_base(value: str) -> Optional[str]:
    match = re.match(r"(?:glibc-)?(\d+(?:\.\d+)+)", value)
    return match.group(1) if match else None


def _lacking(snapshot: Snapshot, attr: str) -> str:
    """The slots that lack ``attr``, in words, naming their OpSys when known."""
    absent = snapshot.values(attr).isna()
    n = int(absent.sum())
    verb = "publishes" if n == 1 else "publish"
    text = f"{_slots(n)} {verb} no {snapshot.display_name(attr)}"
    if "opsys" in snapshot.ads.columns:
        systems = snapshot.values("opsys")[absent].dropna().value_counts()
        if len(systems):
            text += " (OpSys: " + ", ".join(f"{k} {v}" for v, k in systems.items()) + ")"
    return text


def reading(snapshot: Snapshot) -> str:
    """A paragraph that reads the pool's mix in words, every number from the data."""
    total = len(snapshot)
    sentences = [f"The pool has {_slots(total)} (captured {format_time(snapshot.time)})."]
    published = set(snapshot.ads.columns)
    for attr, what in (("redhat_version", "OS releases"), ("opsysandver", "OS versions")):
        found = counts(snapshot, attr) if attr in published else pd.Series(dtype=int)
        if len(found):
            first, n, publishing = found.index[0], int(found.iloc[0]), int(found.sum())
            sentence = (
                f"{_slots(publishing)} publish {snapshot.display_name(attr)} and run "
                f"{len(found)} {what}: {_pct(n, total)} of all slots run {first}"
            )
            if len(found) > 1:
                sentence += (
                    f"; the other {len(found) - 1} {what} share the remaining "
                    f"{_slots(publishing - n)}"
                )
            sentences.append(sentence + ".")
            if publishing < total:
                sentences.append(_lacking(snapshot, attr) + ".")
            break
    found = counts(snapshot, "kernel_version") if "kernel_version" in published else []
    if len(found):
        sentences.append(
            f"There are {len(found)} kernels: even the most common, {found.index[0]}, is on only "
            f"{_pct(int(found.iloc[0]), total)} of slots, so a job that names an exact kernel "
            f"can use at most that share."
        )
    found = counts(snapshot, "glibc_version") if "glibc_version" in published else []
    if len(found):
        bases = found.groupby(found.index.map(_glibc_base)).sum().sort_values(ascending=False)
        parts = ", ".join(f"glibc {b} on {_slots(int(n))}" for b, n in bases.items())
        sentences.append(
            f"The {len(found)} glibc builds come down to {len(bases)} versions ({parts})."
        )
    if "javavendor" in published and "javaversion" in published:
        found = counts(snapshot, ["JavaVendor", "JavaVersion"])
        with_java = int(found.sum())
        most = f", most often {found.index[0]}" if len(found) else ""
        sentences.append(
            f"{_slots(with_java)} publish a Java ({len(found)} vendor/version builds{most}); "
            f"{total - with_java} publish none."
        )
    virt = []
    for attr, what in (
        ("hashardwarevirt", "VT-x or AMD-V on {}"),
        ("haskvm", "a /dev/kvm the condor user can open on {}"),
        ("isvirtualmachine", "{} inside a virtual machine"),
    ):
        if attr in published:
            n = int(snapshot.values(attr).map(lambda v: v is True).sum())
            virt.append(what.format(_slots(n)))
    if virt:
        listed = virt[0] if len(virt) == 1 else ", ".join(virt[:-1]) + " and " + virt[-1]
        sentences.append(f"For virtualization: {listed}.")
    return " ".join(sentences)

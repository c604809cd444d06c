"""Charts of what-if results: the requirement ladder, match rates over time, queue waits.

They take the DataFrames of :func:`simulator.analyses.rates.simulate` (``snapshot``,
``profile``, ``matching_slots``, ``total_slots``, ``match_rate`` …) and of the
replay's summary (``profile``, ``median_wait_s`` …).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulator.model.snapshot import Snapshot
from simulator.plots.canvas import barh, figure, zip_columns
from simulator.plots.words import describe


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
    fig, body = figure(9, 0.9 + 0.4 * len(profiles), title, subtitle)
    ax = body.add_subplot()
    barh(ax, profiles, list(rates), texts)
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
    fig, body = figure(10, 4.5, "Match rate per requirement profile over time", subtitle)
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
    fig, body = figure(9, 1.0 + 0.25 * len(profiles) * len(columns), title, subtitle)
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

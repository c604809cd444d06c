"""The figure every chart starts from, and the bar style they share.

Figures are built on the Agg canvas directly, never through ``pyplot``, so no
global state is left behind and nothing needs a display.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence, Union

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

BAR = "#3b6ea5"
MUTED = "#555555"
HEAD = 0.55  # inches kept above the chart for the title and the subtitle


def figure(width: float, height: float, title: str, subtitle: str):
    """A figure with a header (title, and a smaller subtitle under it) and a body.

    The header is its own subfigure so a long subtitle is centred on the whole
    figure instead of spilling past the right edge of a narrow axes.
    Returns ``(figure, body)``; draw into ``body``.
    """
    fig = Figure(figsize=(width, height + HEAD), layout="constrained", dpi=100)
    FigureCanvasAgg(fig)
    head, body = fig.subfigures(2, 1, height_ratios=[HEAD, height])
    head.suptitle(title, fontsize=13, fontweight="bold")
    head.supxlabel(subtitle, fontsize=9, color=MUTED)
    return fig, body


def barh(ax, labels: Sequence[str], values: Sequence[float], texts: Sequence[str], color=BAR):
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


def palette(k: int):
    from matplotlib import colormaps

    # tab10 without its grey (index 7): grey stands for "other" and "not published".
    colors = [colormaps["tab10"](i) for i in range(10) if i != 7]
    return colors[k % len(colors)]


def zip_columns(*columns):
    """Items of equal-length columns side by side (``zip(strict=True)`` before Python 3.10)."""
    lists = [list(c) for c in columns]
    if len({len(c) for c in lists}) > 1:
        raise ValueError("columns of different lengths")
    return [tuple(c[i] for c in lists) for i in range(len(lists[0]) if lists else 0)]


def save(fig: Figure, path: Union[str, Path], *, dpi: int = 100) -> Path:
    """Write a figure; the format follows the file suffix (``.png``, ``.svg``, ``.pdf``)."""
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path

"""Charts of a pool and of what-if results, as matplotlib Figures.

Every function returns a new ``Figure`` drawn on the Agg canvas, never through
``pyplot``: nothing is left in global state between calls, and charts draw on
a server or in a test without a display. Titles carry what a reader needs
without the code: the slot total, the capture time and the source.

=================  ============================================================
``words``          names a reader knows, capture times, "782 (90.8 %)"
``counting``       slots per value, per pair of values, per value over time
``canvas``         the figure with its title and subtitle; the shared bar style
``pool``           distributions, virtualization facts, the joint heatmap, drift
``results``        the requirement ladder, match rates over time, queue waits
``report_chart``   the chart of ``tribes report ATTR... --plot FILE``
``reading``        a paragraph that reads the pool in words
=================  ============================================================

>>> from simulator.pools import generate
>>> fig = distribution(generate("pool_2010"), "redhat_version")   # doctest: +SKIP
>>> save(fig, "os.png")                                           # doctest: +SKIP
"""

from simulator.plots.canvas import save
from simulator.plots.counting import composition_table, counts, joint_table
from simulator.plots.pool import (
    POOL_CHARTS,
    VIRT_FACTS,
    chart_attrs,
    composition,
    distribution,
    facts,
    joint,
    pool_chart,
)
from simulator.plots.reading import reading
from simulator.plots.report_chart import report_figure, write_report
from simulator.plots.results import duration, ladder, match_rates, rate_summary, wait_times
from simulator.plots.words import LABELS, NOT_PUBLISHED, describe, format_time, label

__all__ = [
    "LABELS",
    "NOT_PUBLISHED",
    "POOL_CHARTS",
    "VIRT_FACTS",
    "chart_attrs",
    "composition",
    "composition_table",
    "counts",
    "describe",
    "distribution",
    "duration",
    "facts",
    "format_time",
    "joint",
    "joint_table",
    "label",
    "ladder",
    "match_rates",
    "pool_chart",
    "rate_summary",
    "reading",
    "report_figure",
    "save",
    "wait_times",
    "write_report",
]

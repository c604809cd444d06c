"""The charts of ``tribes report ATTR... --plot FILE``: the printed table as a picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Sequence, Union

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from simulator.io.sources import map_snapshots
from simulator.model import clock
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot
from simulator.plots.canvas import save
from simulator.plots.pool import distribution, facts, joint


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
    several: Optional[bool] = None,
) -> List[Path]:
    """Write the report chart of each snapshot; several get their capture time in the name.

    ``os.png`` for one snapshot; ``os-20100405T120000Z.png`` … for a store of several.
    ``snapshots`` may be an iterator (one snapshot in memory) when ``several`` is given.
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FigureCanvasAgg.get_supported_filetypes():
        known = ", ".join(sorted(FigureCanvasAgg.get_supported_filetypes()))
        raise TribesError(f"{path}: cannot tell the image format from the suffix (use {known})")
    several = len(snapshots) > 1 if several is None else several

    def draw(snap: Snapshot) -> Path:
        target = path
        if several:
            stamp = clock.format_time(snap.time, clock.STAMP_FORMAT)
            target = path.with_name(f"{path.stem}-{stamp}{path.suffix}")
        try:
            fig = report_figure(snap, attrs, each=each, grid=grid)
            return save(fig, target)
        except ValueError as exc:
            raise TribesError(str(exc)) from exc
        except OSError as exc:
            raise TribesError(f"{target}: cannot write the chart ({exc.strerror})") from exc

    # One snapshot in memory at a time when ``snapshots`` reads them on demand.
    return list(map_snapshots(snapshots, draw))

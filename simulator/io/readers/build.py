"""Turn parsed ads into a Snapshot of slot ads; every reader ends here.

Rows are dicts of lower-case attribute name -> expression text, exactly as
``str(ad.lookup(name))`` gives it. Only slot ads (MyType "Machine") become
rows; ads of any other type (Scheduler, Submitter, DaemonMaster, the StartD
daemon ad, Negotiator, Collector, Job, ...) are counted by type in
``Snapshot.skipped`` and never matched. An ad with no MyType at all is kept as a
slot when it carries OpSys or Arch (hand-written pools often omit MyType) and
is otherwise skipped as ``(no MyType)``. Machine ads without OpSys (e.g. the
CE-information ads of an old ReSS collector) are kept, as HTCondor would match
them; ``without_opsys`` counts them so the CLI can say so.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

try:
    from pandas._libs.lib import dicts_to_array as _dicts_to_array
except ImportError:  # pragma: no cover
    _dicts_to_array = None

from simulator.model import clock
from simulator.model.condor import ClassAd, value_text
from simulator.model.snapshot import Snapshot

NO_MYTYPE = "(no MyType)"


def ad_type(row: Dict[str, str]) -> Optional[str]:
    """None for a slot ad, else the label it is skipped under."""
    text = row.get("mytype")
    if text is None:
        return None if ("opsys" in row or "arch" in row) else NO_MYTYPE
    name = text[1:-1] if len(text) >= 2 and text[0] == '"' == text[-1] else text
    return None if name.lower() == "machine" else name


def row_of(ad: ClassAd, seen: Optional[dict] = None) -> Tuple[Dict[str, str], Dict[str, str]]:
    """One ClassAd as (row, spelling of each lower-case name).

    Raises ``UnwritableValue`` (from ``simulator.model.condor``) for a value the library
    does not write back as itself; ``seen`` caches the texts already checked.
    """
    row, spelling = {}, {}
    for key in ad:
        low = key.lower()
        spelling.setdefault(low, key)
        row[low] = value_text(ad, key, seen)
    return row, spelling


class SlotTable:
    """Collects rows, keeping slot ads and counting the others by type.

    ``names`` holds the first spelling seen among slot ads, as
    ``Snapshot.from_classads`` records it.
    """

    def __init__(self):
        self.slots: List[Dict[str, str]] = []
        self.skipped: Dict[str, int] = {}
        self.names: Dict[str, str] = {}
        self.ads = 0
        self._seen: dict = {}  # value texts checked to read back as themselves

    def add(self, row: Dict[str, str], spelling: Callable[[], Dict[str, str]]) -> bool:
        """Add one ad; ``spelling()`` gives its names' spellings (asked only when needed)."""
        self.ads += 1
        kind = ad_type(row)
        if kind is not None:
            self.skipped[kind] = self.skipped.get(kind, 0) + 1
            return False
        new = row.keys() - self.names.keys()
        if new:
            spelled = spelling()
            for low in row:  # keep the ad's own order for new columns
                if low in new:
                    self.names[low] = spelled[low]
        self.slots.append(row)
        return True

    def add_classad(self, ad: ClassAd) -> bool:
        """Add one ad; ``UnwritableValue`` for a value that would not read back as itself."""
        row, spelling = row_of(ad, self._seen)
        return self.add(row, lambda: spelling)

    def snapshot(self, *, source: str, time: clock.TimeSpec = None, path=None) -> Snapshot:
        """The Snapshot of the slot ads, with its capture time."""
        when, time_source = clock.capture_time(self.slots, given=time, path=path)
        columns = list(self.names)
        return Snapshot(
            ads=frame_of(self.slots, columns),
            time=when,
            time_source=time_source,
            source=source,
            skipped=dict(self.skipped),
            names=dict(self.names),
        )


def frame_of(rows: List[Dict[str, str]], columns: List[str]) -> pd.DataFrame:
    """The slot table: one object block, None where a slot lacks the attribute."""
    if not rows:
        return pd.DataFrame()
    if _dicts_to_array is not None:
        # pandas' own loop behind DataFrame.from_records, without its type inference.
        cells = _dicts_to_array(rows, list(columns))
        cells[pd.isna(cells)] = None
    else:  # pragma: no cover - an older or newer pandas without the helper
        cells = np.empty((len(rows), len(columns)), dtype=object)
        for j, col in enumerate(columns):
            cells[:, j] = [row.get(col) for row in rows]
    return pd.DataFrame(cells, columns=columns, dtype=object, copy=False)


def without_opsys(snapshot: Snapshot) -> int:
    """How many slot ads lack OpSys (kept, but worth a note)."""
    if "opsys" not in snapshot.ads.columns:
        return len(snapshot.ads)
    return int(snapshot.ads["opsys"].isna().sum())


def describe_skipped(skipped: Dict[str, int]) -> str:
    """``24 DaemonMaster, 24 StartD, 2 Scheduler`` (most first), or ``none``."""
    if not skipped:
        return "none"
    items = sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{count} {kind}" for kind, count in items)

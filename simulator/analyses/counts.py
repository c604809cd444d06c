"""``uniq -c`` counts of slot attributes, as the seed made them with condor_status.

``counts(snapshot, ["JavaVendor", "JavaVersion"])`` is what
``condor_status -format "%s " JavaVendor -format "%s\\n" JavaVersion | sort | uniq -c | sort -rn``
prints: one row per distinct combination of values, most common first (ties by
value), counting only the slots that define every named attribute.

>>> from simulator.pools import generate
>>> table = counts(generate("pool_2010"), ["JavaVendor", "JavaVersion"])
>>> records(table)[0]
{'JavaVendor': 'Sun Microsystems Inc.', 'JavaVersion': '1.6.0', 'count': 308}
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from simulator.model.condor import ClassAd, ExprTree, Value, quote
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot

COUNT = "count"


def counts(snapshot: Snapshot, attrs: Sequence[str]) -> pd.DataFrame:
    """One row per distinct value (joint values when several attributes), with ``count``.

    Columns are the attributes as the snapshot spells them, then ``count``.
    Values are evaluated with HTCondor's library (strings unquoted, ``true``
    as True); slots where any attribute is undefined are left out.
    """
    if not attrs:
        raise ValueError("counts needs at least one attribute")
    names = [_display(snapshot, a) for a in attrs]
    n = len(snapshot.ads)
    key = np.zeros(n, dtype=np.int64)
    keep = np.ones(n, dtype=bool)
    coded = []
    # Work on codes of the distinct cell texts: a million slots hold few of them.
    for attr in attrs:
        codes, values = _coded_values(snapshot, attr)
        keep &= codes >= 0
        key = pd.factorize(key * (len(values) + 1) + codes + 1)[0]
        coded.append((codes, values))
    rows = np.flatnonzero(keep)
    if not len(rows):
        return pd.DataFrame({**{n: [] for n in names}, COUNT: []}).astype({COUNT: int})
    compact = pd.factorize(key[rows])[0]
    tally = np.bincount(compact)
    firsts = rows[np.unique(compact, return_index=True)[1]]
    merged: Dict[tuple, list] = {}
    for row, count in zip(firsts, tally, strict=True):
        values = tuple(values[codes[row]] for codes, values in coded)
        # Group on the displayed text so True/1 or 1/1.0 never merge by accident.
        shown = tuple(show(v) for v in values)
        entry = merged.setdefault(shown, [values, 0])
        entry[1] += int(count)
    result = pd.DataFrame(
        [[*values, count, " ".join(shown)] for shown, (values, count) in merged.items()],
        columns=[*names, COUNT, "_key"],
    )
    result = result.sort_values([COUNT, "_key"], ascending=[False, True], kind="stable")
    return result.drop(columns="_key").reset_index(drop=True)


def show(value) -> str:
    """A value as condor_status ``-format "%s"`` prints it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def records(table: pd.DataFrame) -> List[Dict[str, object]]:
    """JSON-ready records: one key per attribute plus ``count``."""
    out = []
    for row in table.itertuples(index=False):
        out.append({col: _plain(v) for col, v in zip(table.columns, row, strict=True)})
    return out


def _plain(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _display(snapshot: Snapshot, attr: str) -> str:
    low = attr.lower()
    return snapshot.display_name(low) if low in snapshot.ads.columns else attr


def _coded_values(snapshot: Snapshot, attr: str):
    """``(codes, values)``: per slot an index into ``values`` (-1 = undefined).

    Literal texts are evaluated once per distinct text, which keeps a
    million-slot report fast. An expression is evaluated inside its own ad,
    once per distinct combination of the cells it depends on.
    """
    low = attr.lower()
    n = len(snapshot.ads)
    if low not in snapshot.ads.columns:
        return np.full(n, -1, dtype=np.int64), []
    codes, texts = pd.factorize(snapshot.ads[low], use_na_sentinel=True)
    values = []
    for text in texts:
        value = ExprTree(text).eval()
        if _literal_text(value) != text:
            return _grouped(snapshot, attr)
        values.append(value)
    return codes, values


def _grouped(snapshot: Snapshot, attr: str):
    """Evaluate ``attr`` in one slot per group of slots that agree on all it depends on."""
    columns = sorted(_depends_on(snapshot, attr.lower()))
    key = np.zeros(len(snapshot.ads), dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(snapshot.ads[col], use_na_sentinel=True)
        key = pd.factorize(key * (len(uniques) + 1) + codes + 1)[0]
    groups, firsts = np.unique(key, return_index=True)
    low = attr.lower()
    name, cells = snapshot.display_name(low), snapshot.ads[low]
    values = []
    for row in firsts:
        if cells.iat[int(row)] is None:  # the slot lacks the attribute
            values.append(None)
            continue
        value = snapshot.classad(int(row)).eval(name)
        values.append(None if isinstance(value, Value) else value)
    codes = np.searchsorted(groups, key)
    undefined = np.array([v is None for v in values], dtype=bool)
    return np.where(undefined[codes], -1, codes), values


# Cells that evaluation reads besides the attributes named: the frozen clock.
_CLOCK = ("mycurrenttime", "currenttime", "lastheardfrom")


def _depends_on(snapshot: Snapshot, column: str) -> set:
    """The columns an attribute's value can depend on, following references."""
    seen, todo = set(), [column]
    while todo:
        col = todo.pop()
        if col in seen or col not in snapshot.ads.columns:
            continue
        seen.add(col)
        for text in pd.unique(snapshot.ads[col].dropna()):
            if _plain_literal(text):
                continue
            if "(" in text:
                todo.extend(_CLOCK)
            for ref in ClassAd().externalRefs(ExprTree(text)):
                name = ref.lower()
                if not name or name.startswith("target."):
                    continue
                name = name[3:] if name.startswith("my.") else name
                todo.append(name.split(".")[0])
    return seen


def _plain_literal(text: str) -> bool:
    """A quick test for the commonest literals, to skip parsing them."""
    if text in ("true", "false") or text.lstrip("-").isdigit():
        return True
    inner = text[1:-1]
    return text[:1] == text[-1:] == '"' and len(text) > 1 and '"' not in inner and "\\" not in inner


def _literal_text(value):
    """The text of ``value`` written as a ClassAd literal (None if it is no literal).

    A cell equal to the literal text of its own value cannot evaluate
    differently inside an ad: no reference, no ``time()``.
    """
    if isinstance(value, Value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (int, float)):
        return str(ExprTree(repr(value)))
    return None


@dataclasses.dataclass
class CountTable:
    """The counts of one group of attributes on one snapshot."""

    source: str
    time: int
    attrs: List[str]
    table: pd.DataFrame


def count_pool(pool, attrs: Sequence[str], *, each: bool = False, seed: Optional[int] = None,
               slots: Optional[int] = None, progress: bool = False) -> List[CountTable]:
    """``counts`` of ``attrs`` (jointly, or ``each`` alone) on every snapshot of ``pool``,
    one snapshot in memory at a time. An attribute no snapshot has is an error.
    ``progress`` draws a bar on stderr, a step per snapshot."""
    from simulator.analyses.progress import counted
    from simulator.io import sources

    groups = [[a] for a in attrs] if each else [list(attrs)]

    def tables(snap: Snapshot) -> List[CountTable]:
        return [CountTable(snap.source, snap.time, group, counts(snap, group))
                for group in groups]

    results: List[CountTable] = []
    seen = 0
    snapshots = sources.open_snapshots(pool, pool_seed=seed, pool_slots=slots)
    for found in counted(snapshots.map(tables), len(snapshots), progress, "tribes report",
                         "snapshot"):
        seen += 1
        results += found
    for group in groups:
        # A store may gain an attribute over time (the hook rolled out mid-way):
        # only an attribute no snapshot has is an error.
        empty = [r for r in results if r.attrs == group and r.table.empty]
        if len(empty) == seen:
            where = empty[0].source if len(empty) == 1 else f"none of {len(empty)} snapshots"
            raise TribesError(f"{where}: no slot has {' and '.join(group)}")
    return results

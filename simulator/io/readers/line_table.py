"""The lines of a ``condor_status -long`` text, numbered, and the slot table they make.

Every distinct line read gets an id: ad separators and comments have their
own; any other line's id stands for its column, value text and spelling. The
fast reader (:mod:`simulator.io.readers.long`) turns the text into line ids and
the ad of each; ``LineTable.snapshot`` places the cells, keeps the slot ads and
counts the others by type.

>>> table = LineTable()
>>> ids = [table.add('MyType = "Machine"\\n'), table.add("Cpus = 2 * 4\\n"), table.add("# c\\n")]
>>> ids[2] == COMMENT, table.value[ids[1]]
(True, '2 * 4')
>>> snap = table.snapshot(np.array(ids[:2]), np.array([0, 0]), 1, source="x", time=1, path="x")
>>> snap.ads.loc[0, "cpus"], snap.names["cpus"]
('2 * 4', 'Cpus')
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simulator.io.readers.build import ad_type
from simulator.io.readers.literals import REAL_LINE, SIMPLE_LINE, entry, is_comment
from simulator.model import clock
from simulator.model.snapshot import Snapshot

SEP, COMMENT = 0, 1  # line ids of ad separators and comment lines
MISS = -1


class LineTable:
    """Every line read, numbered: its column, value text and spelling.

    Line ids index ``value`` (Python strings, what the cells will hold);
    columns and spellings of lines added in bulk are kept as numpy chunks, of
    lines added one by one in Python lists, in id order.
    """

    def __init__(self):
        self.ids: Dict[str, int] = {"": SEP, "\n": SEP}
        self.value: List[Optional[str]] = [None, None]
        self._chunks: List[Tuple[np.ndarray, np.ndarray]] = []
        self._col: List[int] = [-1, -1]  # pending, not yet in a chunk
        self._spelled: List[int] = [-1, -1]
        self.columns: Dict[str, int] = {}
        self.lows: List[str] = []
        self.spellings: List[str] = []
        self._spelling_ids: Dict[str, int] = {}

    def add_simple(self, lines: pa.Array) -> np.ndarray:
        """Number at once the lines of the form ``Name = literal``; MISS for the others.

        Literals already canonical are kept; reals are written as the library
        writes them. These lines are not cached: Arrow splits them again in
        each block faster than Python could look them up.
        """
        ids = np.full(len(lines), MISS, dtype=np.int64)
        found = pc.extract_regex(lines, SIMPLE_LINE)
        ok = found.is_valid().to_numpy(zero_copy_only=False)
        if ok.any():
            found = found.filter(pa.array(ok))
            values = pc.struct_field(found, "value").to_pylist()
            ids[ok] = self._extend(pc.struct_field(found, "name"), values)
        rest = np.flatnonzero(~ok)
        if not len(rest):
            return ids
        found = pc.extract_regex(lines.take(pa.array(rest)), REAL_LINE)
        ok = found.is_valid().to_numpy(zero_copy_only=False)
        if not ok.any():
            return ids
        found = found.filter(pa.array(ok))
        numbers = np.array(pc.struct_field(found, "value").to_pylist(), dtype=np.float64)
        # The library prints a real as C's "%.15E", which Python gives identically
        # (both correctly rounded); zero, inf and nan it spells its own way, so
        # those take the careful path.
        usable = np.isfinite(numbers) & (numbers != 0)
        if usable.any():
            found = found.filter(pa.array(usable))
            values = list(map("{:.15E}".format, numbers[usable].tolist()))
            ids[rest[np.flatnonzero(ok)[usable]]] = self._extend(
                pc.struct_field(found, "name"), values)
        return ids

    def _extend(self, names: pa.Array, values: List[str]) -> np.ndarray:
        """Append lines of known names and value texts; their new ids."""
        self._flush()
        spelled = pc.dictionary_encode(names)
        distinct = spelled.dictionary.to_pylist()
        spelling = np.array([self._spelling(name) for name in distinct], dtype=np.int32)
        column = np.array([self._column(name.lower()) for name in distinct], dtype=np.int32)
        where = spelled.indices.to_numpy(zero_copy_only=False)
        self._chunks.append((column[where], spelling[where]))
        first = len(self.value)
        self.value.extend(values)
        return np.arange(first, len(self.value))

    def _flush(self):
        if self._col:
            self._chunks.append((np.array(self._col, dtype=np.int32),
                                 np.array(self._spelled, dtype=np.int32)))
            self._col, self._spelled = [], []

    def _column(self, low: str) -> int:
        col = self.columns.get(low)
        if col is None:
            col = self.columns[low] = len(self.lows)
            self.lows.append(low)
        return col

    def _spelling(self, name: str) -> int:
        got = self._spelling_ids.get(name)
        if got is None:
            got = self._spelling_ids[name] = len(self.spellings)
            self.spellings.append(name)
        return got

    def add(self, raw: str) -> int:
        """Number a new line (``raw`` may end in its newline); cached by its text."""
        line = raw[:-1] if raw.endswith("\n") else raw
        if not line.strip(" \t\f\v"):
            line_id = SEP
        elif is_comment(line):
            line_id = COMMENT
        else:
            name, value = entry(line)
            line_id = len(self.value)
            self._col.append(self._column(name.lower()))
            self._spelled.append(self._spelling(name))
            self.value.append(value)
        self.ids[raw] = line_id
        return line_id

    def snapshot(self, ids, ads, n_ads, *, source, time, path) -> Snapshot:
        self._flush()
        col_of_id = np.concatenate([c for c, _ in self._chunks])
        spelling_of_id = np.concatenate([s for _, s in self._chunks])
        cols = col_of_id[ids]
        is_slot, skipped = self._classify(cols, ids, ads, n_ads)
        on_slot = is_slot[ads]
        ids, ads, cols = ids[on_slot], ads[on_slot], cols[on_slot]
        rows = (np.cumsum(is_slot) - 1)[ads]
        n_slots = int(is_slot.sum())
        # Columns in the order first seen among slot ads. Where an index repeats in
        # a numpy assignment the last write stays, so writing positions in reverse
        # leaves each column's first position (and a repeated attribute's last value).
        n = len(cols)
        first = np.full(len(self.lows), n, dtype=np.int64)
        first[cols[::-1]] = np.arange(n - 1, -1, -1)
        present = np.flatnonzero(first < n)
        present = present[np.argsort(first[present], kind="stable")]
        position = np.full(len(self.lows), -1, dtype=np.int64)
        position[present] = np.arange(len(present))
        # Place line ids in a matrix first (id 0's value is None: an absent cell),
        # then look every cell up in one go.
        line_of_cell = np.zeros((n_slots, len(present)), dtype=np.int64)
        line_of_cell.ravel()[rows * len(present) + position[cols]] = ids
        cells = np.asarray(self.value, dtype=object)[line_of_cell]
        columns = [self.lows[c] for c in present]
        names = {self.lows[c]: self.spellings[spelling_of_id[ids[first[c]]]] for c in present}
        frame = pd.DataFrame(cells, columns=columns, dtype=object, copy=False)
        if not n_slots:
            frame = pd.DataFrame()
        when, time_source = clock.capture_time_of(
            {a: frame[a] for a in ("mycurrenttime", "lastheardfrom") if a in frame.columns},
            given=time, path=path,
        )
        return Snapshot(ads=frame, time=when, time_source=time_source, source=source,
                        skipped=skipped, names=names)

    def _classify(self, cols, ids, ads, n_ads):
        """Which ads are slot ads; the others counted by type."""
        has_attr = np.zeros(n_ads, dtype=bool)
        has_attr[ads] = True
        mytype = np.full(n_ads, None, dtype=object)
        col = self.columns.get("mytype")
        if col is not None:
            on = cols == col
            mytype[ads[on]] = np.asarray(self.value, dtype=object)[ids[on]]
        has_os = np.zeros(n_ads, dtype=bool)
        for name in ("opsys", "arch"):
            col = self.columns.get(name)
            if col is not None:
                has_os[ads[cols == col]] = True
        is_slot = np.zeros(n_ads, dtype=bool)
        skipped: Dict[str, int] = {}
        kinds: Dict[Tuple[Optional[str], bool], Optional[str]] = {}
        for i in np.flatnonzero(has_attr).tolist():
            key = (mytype[i], bool(has_os[i]))
            if key not in kinds:
                row = {} if key[0] is None else {"mytype": key[0]}
                if key[1]:
                    row["opsys"] = ""
                kinds[key] = ad_type(row)
            kind = kinds[key]
            if kind is None:
                is_slot[i] = True
            else:
                skipped[kind] = skipped.get(kind, 0) + 1
        return is_slot, skipped


"""``condor_status -long`` text (old ClassAd syntax), fast and exact.

Ads are separated by blank lines; each line is ``Attr = value``. HTCondor's
``parseAds`` reads about a thousand real OSPool ads (~570 attributes each) per
second here, so this reader splits ads and lines in Python and keeps each
value's text. A value already in the form the ClassAd library would unparse it
to (a plain integer, ``true``/``false``, a string of printable ASCII without
escapes) is taken as is; anything else (expressions, reals, escapes, ``TRUE``,
trailing comments ...) is handed to the library, one line at a time, with a
cache keyed by the line, since most lines repeat across the ads of a pool. The
result is cell for cell what a full ``parseAds`` gives (tested on every real
file), several times faster.

Lines starting with ``#`` or ``//`` are comments. A line the library cannot read
as one attribute raises ``AdParseError`` naming the file, ad and line (where
``parseAds`` itself would silently drop the rest of the ad).

>>> snap = parse_text('MyType = "Machine"\\nOpSys = "LINUX"\\nCpus = 2 * 4\\n', path="x")
>>> snap.ads.loc[0, "cpus"]
'2 * 4'
"""

from __future__ import annotations

import gc
import math
import re
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simulator import clock
from simulator.condor import ClassAd, parse_one
from simulator.condor import classad2 as _classad2
from simulator.exceptions import AdParseError
from simulator.readers.build import SlotTable, ad_type
from simulator.readers.text import PathLike, read_text
from simulator.snapshot import Snapshot

_OLD = _classad2.ParserType.Old

# A blank or whitespace-only line ends an ad, as in parseAds.
_SEPARATOR = re.compile(r"\n(?:[ \t\f\v]*\n)+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Literals the library unparses to the very same text. Integers are capped at
# 18 digits: larger ones overflow in the library and must go through it.
# Strings: printable ASCII, where a backslash only escapes a quote (old syntax keeps
# any other backslash as a character, which the library then writes doubled).
_CANONICAL = re.compile(r'(?:0|-?[1-9][0-9]{0,17}|true|false|"(?:[ !#-\[\]-~]|\\")*")\Z')

# A whole line ``Name = literal`` whose literal is already canonical (RE2 syntax).
_SIMPLE_LINE = (
    r'^(?P<name>[A-Za-z_][A-Za-z0-9_]*) = '
    r'(?P<value>0|-?[1-9][0-9]{0,17}|true|false|"(?:[ !#-\[\]-~]|\\")*")\n?$'
)
_REAL_LINE = (
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*) = "
    r"(?P<value>-?(?:[0-9]*\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+))\n?$"
)
_REAL = re.compile(r"-?(?:[0-9]*\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)\Z")

_SEP, _COMMENT = 0, 1  # line ids of ad separators and comment lines
_MISS = -1
# The text is cut into blocks of about this many characters, at blank lines.
_BLOCK = 1 << 25


def read(path: PathLike, *, time: clock.TimeSpec = None) -> Snapshot:
    """Read a ``condor_status -long`` file (gzip or not) into a Snapshot of its slots."""
    return parse_text(read_text(path), path=path, time=time)


def parse_text(text: str, *, path: PathLike, time: clock.TimeSpec = None) -> Snapshot:
    """Read ``condor_status -long`` text into a Snapshot of its slot ads."""
    # Millions of new strings would set off the cycle collector over and over,
    # walking every cell made so far; nothing made here forms a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_text(text, path=path, time=time)
    finally:
        if collecting:
            gc.enable()


def _parse_text(text: str, *, path: PathLike, time: clock.TimeSpec = None) -> Snapshot:
    """Read a block of ads at a time: Arrow in C++ for the lines, numpy for the cells.

    Arrow splits a block into lines, finds its distinct lines, and with its
    regex engine splits those of the form ``Name = literal`` (nearly all of
    them), so only their names and values reach Python. The few other lines
    (expressions, escapes, comments) are read one by one, with a cache across
    blocks. Which ad a line belongs to, and which cell it fills, is worked out
    with numpy over all lines together.
    """
    table = _LineTable()
    kept_ids, kept_ads = [], []
    n_ads, base_line = 0, 1
    for block in _blocks(text):
        lines = _lines(block)
        encoded = pc.dictionary_encode(lines)
        where = encoded.indices.to_numpy(zero_copy_only=False)
        known = table.add_simple(encoded.dictionary)
        rest = np.flatnonzero(known == _MISS)
        if len(rest):
            others = encoded.dictionary.take(pa.array(rest)).to_pylist()
            # The dictionary is in order of first appearance, so the first bad line raises.
            for u, line in zip(rest.tolist(), others):  # noqa: B905 (same lengths; 3.9)
                try:
                    known[u] = table.add(line)
                except _BadLine as exc:
                    i = int(np.flatnonzero(where == u)[0])
                    ad_number = n_ads + _runs(known[where[: i + 1]] == _SEP)
                    raise AdParseError(path, ad_number, base_line + i, str(exc)) from None
        ids = known[where]
        is_sep = ids == _SEP
        starts = ~is_sep
        starts[1:] &= is_sep[:-1]
        ad_of_line = np.cumsum(starts) - 1 + n_ads
        n_ads += int(starts.sum())
        keep = ids > _COMMENT
        kept_ids.append(ids[keep])
        kept_ads.append(ad_of_line[keep])
        base_line += len(lines)
    ids = np.concatenate(kept_ids) if kept_ids else np.zeros(0, dtype=np.int64)
    ads = np.concatenate(kept_ads) if kept_ads else np.zeros(0, dtype=np.int64)
    return table.snapshot(ids, ads, n_ads, source=str(path), time=time, path=path)


def _blocks(text: str) -> Iterator[str]:
    """Pieces of ``text`` of about _BLOCK characters, each ending at a blank line."""
    pos = 0
    while pos < len(text):
        end = text.find("\n\n", pos + _BLOCK)
        end = len(text) if end < 0 else end + 1
        yield text[pos:end]
        pos = end


def _lines(block: str) -> pa.LargeStringArray:
    """The block's lines (each with its newline) as an Arrow array over the block's bytes."""
    data = block.encode("utf-8")
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    ends = newlines + 1
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    offsets = np.zeros(len(ends) + 1, dtype=np.int64)
    offsets[1:] = ends
    return pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data))


def _runs(is_sep: np.ndarray) -> int:
    """How many ads (runs of non-separator lines) a block's lines start."""
    starts = ~is_sep
    starts[1:] &= is_sep[:-1]
    return int(starts.sum())


class _BadLine(ValueError):
    pass


class _LineTable:
    """Every line read, numbered: its column, value text and spelling.

    Line ids index ``value`` (Python strings, what the cells will hold);
    columns and spellings of lines added in bulk are kept as numpy chunks, of
    lines added one by one in Python lists, in id order.
    """

    def __init__(self):
        self.ids: Dict[str, int] = {"": _SEP, "\n": _SEP}
        self.value: List[Optional[str]] = [None, None]
        self._chunks: List[Tuple[np.ndarray, np.ndarray]] = []
        self._col: List[int] = [-1, -1]  # pending, not yet in a chunk
        self._spelled: List[int] = [-1, -1]
        self.columns: Dict[str, int] = {}
        self.lows: List[str] = []
        self.spellings: List[str] = []
        self._spelling_ids: Dict[str, int] = {}

    def add_simple(self, lines: pa.Array) -> np.ndarray:
        """Number at once the lines of the form ``Name = literal``; _MISS for the others.

        Literals already canonical are kept; reals are written as the library
        writes them. These lines are not cached: Arrow splits them again in
        each block faster than Python could look them up.
        """
        ids = np.full(len(lines), _MISS, dtype=np.int64)
        found = pc.extract_regex(lines, _SIMPLE_LINE)
        ok = found.is_valid().to_numpy(zero_copy_only=False)
        if ok.any():
            found = found.filter(pa.array(ok))
            values = pc.struct_field(found, "value").to_pylist()
            ids[ok] = self._extend(pc.struct_field(found, "name"), values)
        rest = np.flatnonzero(~ok)
        if not len(rest):
            return ids
        found = pc.extract_regex(lines.take(pa.array(rest)), _REAL_LINE)
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
            line_id = _SEP
        elif _is_comment(line):
            line_id = _COMMENT
        else:
            name, value = _entry(line)
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


def chunks(text: str) -> Iterator[Tuple[int, int, str]]:
    """(ad number, line number of its first line, its text) for each ad."""
    line, number, pos = 1, 0, 0
    for m in _SEPARATOR.finditer(text):
        part = text[pos:m.start()]
        if part and not part.isspace():
            number += 1
            yield number, line, part
        line += part.count("\n") + m.group().count("\n")
        pos = m.end()
    part = text[pos:]
    if part and not part.isspace():
        yield number + 1, line, part


def _entry(line: str) -> Tuple[str, str]:
    """(name as spelled, canonical value text) of one ``Attr = value`` line."""
    stripped = line.strip()
    name, eq, value = stripped.partition("=")
    name, value = name.rstrip(), value.strip()
    if eq and _NAME.match(name):
        if _CANONICAL.match(value):
            return name, value
        if _REAL.match(value):
            # The library prints a real as C's "%.15E", which Python's % gives
            # identically (both correctly rounded); zero, inf and nan it spells
            # its own way, so those go to it.
            number = float(value)
            if number and math.isfinite(number):
                return name, f"{number:.15E}"
    ad = parse_one(line, _OLD)
    keys = list(ad.keys())
    if len(keys) != 1 or keys[0].lower() != name.lower():
        shown = stripped if len(stripped) <= 80 else stripped[:77] + "..."
        reason = "expected Attr = value" if not eq else "cannot parse the value"
        raise _BadLine(f"{reason}: {shown}")
    return keys[0], str(ad.lookup(keys[0]))


# --- the reference path: HTCondor's parser on each whole ad --------------------------


def read_library(path: PathLike, *, time: clock.TimeSpec = None) -> Snapshot:
    """The same file read with ``parseOne`` on each whole ad (slow; the reference)."""
    return parse_text_library(read_text(path), path=path, time=time)


def parse_text_library(text: str, *, path: PathLike, time: clock.TimeSpec = None) -> Snapshot:
    table = SlotTable()
    for ad_number, first_line, chunk in chunks(text):
        ad = _parse_ad(chunk, path, ad_number, first_line)
        if len(ad):
            table.add_classad(ad)
    return table.snapshot(source=str(path), time=time, path=path)


def _parse_ad(chunk: str, path, ad_number: int, first_line: int) -> ClassAd:
    lines = chunk.split("\n")
    kept = [ln for ln in lines if not _is_comment(ln)]
    ad = parse_one("\n".join(kept), _OLD)
    have = {k.lower() for k in ad}
    for i, line in enumerate(lines):
        if _is_comment(line):
            continue
        name = line.partition("=")[0].strip().lower()
        if name not in have or not len(parse_one(line, _OLD)):
            try:  # word the error as the fast reader does
                _entry(line)
                reason = f"cannot parse: {line.strip()}"
            except _BadLine as exc:
                reason = str(exc)
            raise AdParseError(path, ad_number, first_line + i, reason)
    return ad


def _is_comment(line: str) -> bool:
    s = line.strip()
    return not s or s[0] == "#" or s.startswith("//")

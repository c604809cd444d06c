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

Which literals are kept as they are, and how one line is read, is
:mod:`simulator.io.readers.literals`; the numbered lines and the slot table they
make, :mod:`simulator.io.readers.line_table`. The reference this reader is tested
against, HTCondor's parser on each whole ad, is :mod:`simulator.io.readers.long_library`
(its ``read_library``, ``parse_text_library`` and ``chunks`` are importable from here too).

>>> snap = parse_text('MyType = "Machine"\\nOpSys = "LINUX"\\nCpus = 2 * 4\\n', path="x")
>>> snap.ads.loc[0, "cpus"]
'2 * 4'
"""

from __future__ import annotations

import gc
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.io.readers.line_table import COMMENT, MISS, SEP, LineTable
from simulator.io.readers.literals import BadLine
from simulator.io.readers.long_library import chunks, parse_text_library, read_library
from simulator.io.readers.text import PathLike, read_text
from simulator.model import clock
from simulator.model.errors import AdParseError
from simulator.model.snapshot import Snapshot

__all__ = ["chunks", "parse_text", "parse_text_library", "read", "read_library"]

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
    table = LineTable()
    kept_ids, kept_ads = [], []
    n_ads, base_line = 0, 1
    for block in _blocks(text):
        lines = _lines(block)
        encoded = pc.dictionary_encode(lines)
        where = encoded.indices.to_numpy(zero_copy_only=False)
        known = table.add_simple(encoded.dictionary)
        rest = np.flatnonzero(known == MISS)
        if len(rest):
            others = encoded.dictionary.take(pa.array(rest)).to_pylist()
            # The dictionary is in order of first appearance, so the first bad line raises.
            for u, line in zip(rest.tolist(), others):  # noqa: B905 (same lengths; 3.9)
                try:
                    known[u] = table.add(line)
                except BadLine as exc:
                    i = int(np.flatnonzero(where == u)[0])
                    ad_number = n_ads + _runs(known[where[: i + 1]] == SEP)
                    raise AdParseError(path, ad_number, base_line + i, str(exc)) from None
        ids = known[where]
        is_sep = ids == SEP
        starts = ~is_sep
        starts[1:] &= is_sep[:-1]
        ad_of_line = np.cumsum(starts) - 1 + n_ads
        n_ads += int(starts.sum())
        keep = ids > COMMENT
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

"""New ClassAd syntax: ``[ Attr = value; ... ]``, one or more ads per file.

Each top-level ``[ ... ]`` is found by a scan that skips string literals and
comments, then handed to HTCondor's parser on its own, so an error names the ad
and the line it starts on (the library does not say where inside the ad).

>>> snap = parse_text('[ MyType = "Machine"; Cpus = 8 ]\\n[ MyType = "Scheduler" ]', path="x")
>>> len(snap), snap.skipped
(1, {'Scheduler': 1})
"""

from __future__ import annotations

from typing import Iterator, Tuple

from simulator import clock
from simulator.condor import ClassAdException, parse_one
from simulator.condor import classad2 as _classad2
from simulator.exceptions import AdParseError
from simulator.readers.build import SlotTable
from simulator.readers.text import PathLike, line_of, read_text
from simulator.snapshot import Snapshot


def read(path: PathLike, *, time: clock.TimeSpec = None) -> Snapshot:
    return parse_text(read_text(path), path=path, time=time)


def parse_text(text: str, *, path: PathLike, time: clock.TimeSpec = None) -> Snapshot:
    table = SlotTable()
    for number, start, end in _spans(text, path):
        try:
            ad = parse_one(text[start:end], _classad2.ParserType.New)
        except (ClassAdException, ValueError, SyntaxError):
            ad = None
        # The library answers an empty ad, not an error, for some broken ads.
        if ad is None or (not len(ad) and "=" in text[start:end]):
            raise AdParseError(path, number, line_of(text, start), "this ad cannot be parsed")
        table.add_classad(ad)
    return table.snapshot(source=str(path), time=time, path=path)


def _spans(text: str, path) -> Iterator[Tuple[int, int, int]]:
    """(ad number, start, end) of each top-level ``[...]``."""
    depth, start, number, i, n = 0, 0, 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i = _end_of_string(text, i, path, number + (depth == 0))
            continue
        if ch == "/" and text.startswith("//", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if ch == "/" and text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
            continue
        if ch in "[{(":
            if depth == 0:
                if ch != "[":
                    raise AdParseError(path, number + 1, line_of(text, i), f"unexpected {ch!r}")
                start = i
                number += 1
            depth += 1
        elif ch in "]})":
            depth -= 1
            if depth < 0:
                raise AdParseError(path, number, line_of(text, i), f"unbalanced {ch!r}")
            if depth == 0:
                yield number, start, i + 1
        elif depth == 0 and not ch.isspace():
            raise AdParseError(path, number + 1, line_of(text, i), "text outside [ ... ]")
        i += 1
    if depth:
        raise AdParseError(path, number, line_of(text, start), "this ad is not closed with ]")


def _end_of_string(text: str, i: int, path, number: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == '"':
            return j + 1
        if text[j] == "\n":
            break
        j += 1
    raise AdParseError(path, number, line_of(text, i), "string not closed")

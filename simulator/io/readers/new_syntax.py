"""New ClassAd syntax: ``[ Attr = value; ... ]``, one or more ads per file.

Each top-level ``[ ... ]`` is found by a scan that skips string literals and
comments, then handed to HTCondor's parser on its own, so an error names the ad
and the line it starts on (the library does not say where inside the ad).

>>> snap = parse_text('[ MyType = "Machine"; Cpus = 8 ]\\n[ MyType = "Scheduler" ]', path="x")
>>> len(snap), snap.skipped
(1, {'Scheduler': 1})
"""

from __future__ import annotations

import re
from typing import Iterator, Tuple

from simulator.io.readers.build import SlotTable
from simulator.io.readers.text import PathLike, line_of, read_text
from simulator.model import clock
from simulator.model.condor import ClassAdException, UnwritableValue, parse_one
from simulator.model.condor import classad2 as _classad2
from simulator.model.errors import AdParseError
from simulator.model.snapshot import Snapshot


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
            raise AdParseError(path, number, line_of(text, _bad_statement(text, start, end)),
                               "this attribute cannot be parsed")
        try:
            table.add_classad(ad)
        except UnwritableValue as exc:
            at = text.find(exc.name, start, end)
            raise AdParseError(path, number, line_of(text, at if at >= 0 else start),
                               str(exc)) from None
    return table.snapshot(source=str(path), time=time, path=path)


def _parses(text: str) -> bool:
    try:
        ad = parse_one(text, _classad2.ParserType.New)
    except (ClassAdException, ValueError, SyntaxError):
        return False
    return ad is not None and (len(ad) > 0 or "=" not in text)


def _bad_statement(text: str, start: int, end: int) -> int:
    """Where the first attribute that breaks the ad ``text[start:end]`` begins.

    The library does not say; the ad is cut at its top-level ``;`` and grown
    one attribute at a time until it stops parsing.
    """
    cuts, depth = [], 0
    for m in _TOKEN.finditer(text, start, end):
        token = m.group()
        if token in "[{(":
            depth += 1
        elif token in "]})":
            depth -= 1
        elif token == ";" and depth == 1:
            cuts.append(m.end())
    begin = start + 1
    for cut in cuts + [end - 1]:
        if not _parses(text[start:cut] + "]"):
            break
        begin = cut
    return begin + len(text[begin:cut]) - len(text[begin:cut].lstrip())


# What the scan looks at: string literals, quoted names, comments, brackets; and
# any other character outside an ad (an error there).
_TOKEN = re.compile(
    r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\\\n]*(?:\\.[^\'\\\n]*)*\'|//[^\n]*|/\*.*?\*/|["\']|[][{}()]|[^\s]',
    re.S,
)


def _spans(text: str, path) -> Iterator[Tuple[int, int, int]]:
    """(ad number, start, end) of each top-level ``[...]``."""
    depth, start, number = 0, 0, 0
    for m in _TOKEN.finditer(text):
        token = m.group()
        if token in ('"', "'"):
            raise AdParseError(path, number + (depth == 0), line_of(text, m.start()),
                               "string not closed")
        if token in "[{(":
            if depth == 0:
                if token != "[":
                    raise AdParseError(path, number + 1, line_of(text, m.start()),
                                       f"unexpected {token!r}")
                start = m.start()
                number += 1
            depth += 1
        elif token in "]})":
            depth -= 1
            if depth < 0:
                raise AdParseError(path, number, line_of(text, m.start()), f"unbalanced {token!r}")
            if depth == 0:
                yield number, start, m.end()
        elif depth == 0 and not token.startswith(("//", "/*")):
            raise AdParseError(path, number + 1, line_of(text, m.start()), "text outside [ ... ]")
    if depth:
        raise AdParseError(path, number, line_of(text, start), "this ad is not closed with ]")

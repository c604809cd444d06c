"""``condor_status -xml`` output.

Python's XML parser checks the document first (so a broken file is reported
with its line), then each ``<c>`` element is handed to HTCondor's XML ClassAd
parser, which alone decides what each ``<a>`` means; an ad it refuses is reported
with the attribute that breaks it (an expression that does not parse, an empty name).

>>> snap = parse_text('<classads><c><a n="MyType"><s>Machine</s></a>'
...                   '<a n="Cpus"><i>8</i></a></c></classads>', path="x")
>>> snap.ads.loc[0, "cpus"]
'8'
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Iterator, Optional, Tuple

from simulator.io.readers.build import SlotTable
from simulator.io.readers.text import PathLike, line_of, read_text
from simulator.model import clock
from simulator.model.condor import ClassAdException, UnwritableValue, parse_one
from simulator.model.condor import classad2 as _classad2
from simulator.model.errors import AdParseError
from simulator.model.snapshot import Snapshot

_AD = re.compile(r"<c\s*>.*?</c\s*>", re.S)
_ATTR = re.compile(r'<a\s+n\s*=\s*"([^"]*)"')


def read(path: PathLike, *, time: clock.TimeSpec = None) -> Snapshot:
    return parse_text(read_text(path), path=path, time=time)


def parse_text(text: str, *, path: PathLike, time: clock.TimeSpec = None) -> Snapshot:
    _check_well_formed(text, path)
    table = SlotTable()
    for number, start, body in _ads(text):
        for m in _ATTR.finditer(body):
            if not m.group(1):
                raise AdParseError(path, number, line_of(text, start + m.start()),
                                   'an attribute with an empty name (n="")')
        try:
            ad = parse_one(body, _classad2.ParserType.XML)
        except (ClassAdException, ValueError):
            offset, name = _unparsable(body)
            raise AdParseError(path, number, line_of(text, start + offset),
                               f"attribute {name!r} cannot be parsed" if name is not None
                               else "HTCondor's XML parser cannot read this ad") from None
        have = {k.lower() for k in ad}
        for m in _ATTR.finditer(body):
            if m.group(1).lower() not in have:
                line = line_of(text, start + m.start())
                raise AdParseError(path, number, line, f"attribute {m.group(1)!r} cannot be read")
        try:
            table.add_classad(ad)
        except UnwritableValue as exc:
            found = [m.start() for m in _ATTR.finditer(body) if m.group(1) == exc.name]
            line = line_of(text, start + (found[0] if found else 0))
            raise AdParseError(path, number, line, str(exc)) from None
    return table.snapshot(source=str(path), time=time, path=path)


_ELEMENT = re.compile(r'<a\s+n\s*=\s*"([^"]*)"\s*>.*?</a\s*>', re.S)


def _unparsable(body: str) -> Tuple[int, Optional[str]]:
    """Where in an ad HTCondor refuses, and the attribute's name: each ``<a>`` is tried on
    its own (HTCondor's parser says only that the ad is broken)."""
    for m in _ELEMENT.finditer(body):
        try:
            parse_one(f"<c>{m.group(0)}</c>", _classad2.ParserType.XML)
        except (ClassAdException, ValueError):
            return m.start(), m.group(1)
    return 0, None


def _ads(text: str) -> Iterator[Tuple[int, int, str]]:
    for number, m in enumerate(_AD.finditer(text), 1):
        yield number, m.start(), m.group(0)


# Elements nested deeper than this inside one <c> are refused before HTCondor's XML
# parser sees them: it recurses once per level (20,000 levels ran out of memory, 100,000
# crashed the process).  An ad nests <c>, <a>, then one level per list or nested ad.
MAX_DEPTH = 1000


def _check_well_formed(text: str, path) -> None:
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as exc:
        line, column = exc.position
        offset = _offset(text, line, column)
        number = len(re.findall(r"<c\s*>", text[:offset])) or 1
        raise AdParseError(path, number, line, f"broken XML ({exc})") from None
    ads = [child for child in root if child.tag == "c"] if root.tag != "c" else [root]
    for number, ad in enumerate(ads, 1):
        if _deeper_than(ad, MAX_DEPTH):
            starts = [start for _, start, _ in _ads(text)]
            line = line_of(text, starts[number - 1]) if number <= len(starts) else 1
            raise AdParseError(path, number, line, f"elements nested more than {MAX_DEPTH:,} "
                               "deep, past what HTCondor's XML parser reads")


def _deeper_than(element, limit: int) -> bool:
    """Whether ``element`` has descendants more than ``limit`` levels down (no recursion)."""
    stack = [(element, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in node)
    return False


def _offset(text: str, line: int, column: int) -> int:
    pos = 0
    for _ in range(line - 1):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos + column

"""``condor_status -json`` output: a list of objects, one per ad.

Expressions are strings of the form ``"\\/Expr(...)\\/"``. Python's JSON decoder
finds each object (and the line of any syntax error); the object's own text is
then handed to HTCondor's JSON ClassAd parser, which decodes the ``Expr``
strings exactly as HTCondor wrote them. What Python's decoder takes and HTCondor's
refuses (NaN, Infinity, an empty name, an ``Expr`` that does not parse) is refused
up front, naming the ad, line and reason.

>>> snap = parse_text('[{"MyType": "Machine", "Start": "\\\\/Expr(Cpus > 1)\\\\/"}]', path="x")
>>> snap.ads.loc[0, "start"]
'Cpus > 1'
"""

from __future__ import annotations

import json
import re
from typing import Iterator, Tuple

from simulator.io.readers.build import SlotTable
from simulator.io.readers.text import PathLike, line_of, read_text
from simulator.model import clock
from simulator.model.condor import ClassAdException, UnwritableValue, parse_one
from simulator.model.condor import classad2 as _classad2
from simulator.model.errors import AdParseError
from simulator.model.snapshot import Snapshot
from simulator.model.text import STRICT_JSON, JSONRefused, unparsable_expression

_DECODER = STRICT_JSON
# A string, maybe an empty name (``"" :``), or a constant HTCondor has not.
_REFUSED = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?|(-?Infinity|NaN)')


def read(path: PathLike, *, time: clock.TimeSpec = None) -> Snapshot:
    return parse_text(read_text(path), path=path, time=time)


def parse_text(text: str, *, path: PathLike, time: clock.TimeSpec = None) -> Snapshot:
    table = SlotTable()
    for number, start, end, obj in _objects(text, path):
        if not isinstance(obj, dict):
            raise AdParseError(path, number, line_of(text, start), "expected a JSON object")
        _check_expressions(obj, text, start, end, path, number)
        try:
            ad = parse_one(text[start:end], _classad2.ParserType.JSON)
        except (ClassAdException, ValueError):
            raise AdParseError(path, number, line_of(text, start),
                               "HTCondor's JSON parser cannot read this ad") from None
        have = {k.lower() for k in ad}
        for key in obj:
            if key.lower() not in have and obj[key] is not None:
                line = line_of(text, text.find(json.dumps(key), start, end))
                raise AdParseError(path, number, line, f"attribute {key!r} cannot be read")
        try:
            table.add_classad(ad)
        except UnwritableValue as exc:
            at = text.find(json.dumps(exc.name), start, end)
            line = line_of(text, at if at >= 0 else start)
            raise AdParseError(path, number, line, str(exc)) from None
    return table.snapshot(source=str(path), time=time, path=path)


def _objects(text: str, path) -> Iterator[Tuple[int, int, int, object]]:
    """(ad number, start, end, decoded) of each object in a list (or a lone object)."""
    pos = _skip(text, 0)
    in_list = text.startswith("[", pos)
    if in_list:
        pos = _skip(text, pos + 1)
    number = 0
    while pos < len(text):
        if in_list and text.startswith("]", pos):
            pos = _skip(text, pos + 1)
            if pos < len(text):
                line = line_of(text, pos)
                raise AdParseError(path, number, line, "text after the end of the list")
            return
        number += 1
        try:
            obj, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise AdParseError(path, number, exc.lineno, f"broken JSON ({exc.msg})") from None
        except RecursionError:  # Python's decoder recurses once per level of [ or {
            raise AdParseError(path, number, line_of(text, pos),
                               "lists or objects nested too deep for the JSON parser") from None
        except JSONRefused as exc:
            raise AdParseError(path, number, line_of(text, _refused_at(text, pos)),
                               str(exc)) from None
        yield number, pos, end, obj
        pos = _skip(text, end)
        if in_list:
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
            elif not text.startswith("]", pos):
                raise AdParseError(path, number, line_of(text, pos), "expected ',' or ']'")
    if in_list:  # after a ',' the next ad is the one missing
        after_comma = number and text.rstrip().endswith(",")
        raise AdParseError(
            path, number + bool(after_comma), line_of(text, len(text)), "the list is not closed"
        )


def _refused_at(text: str, pos: int) -> int:
    """Where the first NaN, Infinity or empty name after ``pos`` is (outside strings)."""
    for m in _REFUSED.finditer(text, pos):
        if m.group(2) or (m.group(1) and m.group(0).startswith('""')):
            return m.start()
    return pos


def _check_expressions(obj: dict, text: str, start: int, end: int, path, number: int) -> None:
    """Each ``"\\/Expr(…)\\/"`` value must parse, as HTCondor's parser would read it."""
    bad = unparsable_expression(obj)
    if bad:
        line = line_of(text, text.find(json.dumps(bad[0]), start, end))
        raise AdParseError(path, number, line,
                           f"attribute {bad[0]!r}: the expression {bad[1][:60]!r} does not parse")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos

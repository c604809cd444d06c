"""``condor_status -long`` read with HTCondor's parser on each whole ad: the reference path.

Slow (about a thousand real OSPool ads a second), but it is the library's own
reading; the fast reader, :mod:`simulator.io.readers.long`, is tested to equal it
cell for cell. A line the library cannot read as one attribute raises
``AdParseError`` worded as the fast reader words it.

>>> snap = parse_text_library('MyType = "Machine"\\nOpSys = "LINUX"\\nCpus = 2 * 4\\n', path="x")
>>> snap.ads.loc[0, "cpus"]
'2 * 4'
>>> [(number, line) for number, line, _ in chunks("A = 1\\n\\n\\nB = 2\\n")]
[(1, 1), (2, 4)]
"""

from __future__ import annotations

import re
from typing import Iterator, Tuple

from simulator.io.readers.build import SlotTable
from simulator.io.readers.literals import OLD, BadLine, entry, is_comment
from simulator.io.readers.text import PathLike, read_text
from simulator.model import clock
from simulator.model.condor import ClassAd, UnwritableValue, parse_one
from simulator.model.errors import AdParseError
from simulator.model.snapshot import Snapshot

# A blank or whitespace-only line ends an ad, as in parseAds.
_SEPARATOR = re.compile(r"\n(?:[ \t\f\v]*\n)+")


def read_library(path: PathLike, *, time: clock.TimeSpec = None) -> Snapshot:
    """The same file read with ``parseOne`` on each whole ad (slow; the reference)."""
    return parse_text_library(read_text(path), path=path, time=time)


def parse_text_library(text: str, *, path: PathLike, time: clock.TimeSpec = None) -> Snapshot:
    table = SlotTable()
    for ad_number, first_line, chunk in chunks(text):
        ad = _parse_ad(chunk, path, ad_number, first_line)
        if len(ad):
            try:
                table.add_classad(ad)
            except UnwritableValue as exc:
                lines = [ln.partition("=")[0].strip() for ln in chunk.split("\n")]
                at = lines.index(exc.name) if exc.name in lines else 0
                raise AdParseError(path, ad_number, first_line + at, str(exc)) from None
    return table.snapshot(source=str(path), time=time, path=path)


def _parse_ad(chunk: str, path, ad_number: int, first_line: int) -> ClassAd:
    lines = chunk.split("\n")
    kept = [ln for ln in lines if not is_comment(ln)]
    ad = parse_one("\n".join(kept), OLD)
    have = {k.lower() for k in ad}
    for i, line in enumerate(lines):
        if is_comment(line):
            continue
        name = line.partition("=")[0].strip().lower()
        try:  # word the error as the fast reader does
            entry(line)  # also refuses text after the value, which the library drops
            reason = f"cannot parse: {line.strip()}"
        except BadLine as exc:
            raise AdParseError(path, ad_number, first_line + i, str(exc)) from None
        if name not in have or not len(parse_one(line, OLD)):
            raise AdParseError(path, ad_number, first_line + i, reason)
    return ad


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

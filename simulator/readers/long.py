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

import re
from typing import Dict, Iterator, List, Optional, Tuple

from simulator import clock
from simulator.condor import ClassAd, parse_one
from simulator.condor import classad2 as _classad2
from simulator.exceptions import AdParseError
from simulator.readers.build import SlotTable
from simulator.readers.text import PathLike, read_text
from simulator.snapshot import Snapshot

_OLD = _classad2.ParserType.Old

# A blank or whitespace-only line ends an ad, as in parseAds.
_SEPARATOR = re.compile(r"\n(?:[ \t\f\v]*\n)+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Literals the library unparses to the very same text. Integers are capped at
# 18 digits: larger ones overflow in the library and must go through it.
_CANONICAL = re.compile(r'(?:0|-?[1-9][0-9]{0,17}|true|false|"[ !#-\[\]-~]*")\Z')

_COMMENT = (None, None)


def read(path: PathLike, *, time: clock.TimeSpec = None) -> Snapshot:
    """Read a ``condor_status -long`` file (gzip or not) into a Snapshot of its slots."""
    return parse_text(read_text(path), path=path, time=time)


def parse_text(text: str, *, path: PathLike, time: clock.TimeSpec = None) -> Snapshot:
    table = SlotTable()
    lines_cache: Dict[str, Tuple[Optional[str], Optional[str]]] = {"": _COMMENT}
    get = lines_cache.get
    for ad_number, first_line, chunk in chunks(text):
        lines = chunk.split("\n")
        entries = list(map(get, lines))
        if None in entries:
            for i, entry in enumerate(entries):
                if entry is None:
                    line = lines[i]
                    entry = lines_cache[line] = _entry(line, path, ad_number, first_line + i)
                    entries[i] = entry
        row = dict(entries)
        if None in row:
            del row[None]
        if row:  # an ad of comments only is no ad
            table.add(row, lambda lines=lines: _spellings(lines))
    return table.snapshot(source=str(path), time=time, path=path)


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


def _entry(line: str, path, ad_number: int, line_number: int):
    """(lower-case name, canonical value text) of one line, or _COMMENT."""
    stripped = line.strip()
    if not stripped or stripped[0] == "#" or stripped.startswith("//"):
        return _COMMENT
    name, eq, value = stripped.partition("=")
    name, value = name.rstrip(), value.strip()
    if eq and _NAME.match(name) and _CANONICAL.match(value):
        return name.lower(), value
    ad = parse_one(line, _OLD)
    keys = list(ad.keys())
    if len(keys) != 1 or keys[0].lower() != name.lower():
        shown = stripped if len(stripped) <= 80 else stripped[:77] + "..."
        reason = "expected Attr = value" if not eq else "cannot parse the value"
        raise AdParseError(path, ad_number, line_number, f"{reason}: {shown}")
    return keys[0].lower(), str(ad.lookup(keys[0]))


def _spellings(lines: List[str]) -> Dict[str, str]:
    spelled = {}
    for line in lines:
        name = line.partition("=")[0].strip()
        spelled.setdefault(name.lower(), name)
    return spelled


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
            # Let the line-by-line reader word the error exactly the same way.
            _entry(line, path, ad_number, first_line + i)
            raise AdParseError(path, ad_number, first_line + i, f"cannot parse: {line.strip()}")
    return ad


def _is_comment(line: str) -> bool:
    s = line.strip()
    return not s or s[0] == "#" or s.startswith("//")

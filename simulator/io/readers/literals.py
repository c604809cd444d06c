"""Old-syntax ``Attr = value`` lines, and the literals HTCondor unparses unchanged.

A snapshot cell is a value's text as the ClassAd library unparses it. Most
values in ``condor_status -long`` are already in that form (a plain integer,
``true``/``false``, a string of printable ASCII without escapes), so the
readers keep them as they are; reals are written as the library writes them;
anything else (expressions, escapes, ``TRUE``, trailing comments ...) goes to
the library.

>>> entry("Cpus = 8"), entry("LoadAvg = 0.25"), entry("Start = TRUE")
(('Cpus', '8'), ('LoadAvg', '2.500000000000000E-01'), ('Start', 'true'))
>>> entry("A = 1; B = 2")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
simulator.io.readers.literals.BadLine: text after the value: A = 1; B = 2
>>> is_comment("# from condor_status"), is_comment("   ")
(True, True)
"""

from __future__ import annotations

import math
import re
from typing import Tuple

from simulator.model.condor import UnwritableValue, parse_one, parse_whole, value_text
from simulator.model.condor import classad2 as _classad2

OLD = _classad2.ParserType.Old

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Literals the library unparses to the very same text. Integers are capped at
# 18 digits: larger ones overflow in the library and must go through it.
# Strings: printable ASCII, where a backslash only escapes a quote (old syntax keeps
# any other backslash as a character, which the library then writes doubled).
_CANONICAL = re.compile(r'(?:0|-?[1-9][0-9]{0,17}|true|false|"(?:[ !#-\[\]-~]|\\")*")\Z')

# A whole line ``Name = literal`` whose literal is already canonical (RE2 syntax).
SIMPLE_LINE = (
    r'^(?P<name>[A-Za-z_][A-Za-z0-9_]*) = '
    r'(?P<value>0|-?[1-9][0-9]{0,17}|true|false|"(?:[ !#-\[\]-~]|\\")*")\n?$'
)
REAL_LINE = (
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*) = "
    r"(?P<value>-?(?:[0-9]*\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+))\n?$"
)
_REAL = re.compile(r"-?(?:[0-9]*\.[0-9]+(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)\Z")


class BadLine(ValueError):
    """A line that is not one ``Attr = value`` the library can read."""


def entry(line: str) -> Tuple[str, str]:
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
    ad = parse_one(line, OLD)
    keys = list(ad.keys())
    shown = stripped if len(stripped) <= 80 else stripped[:77] + "..."
    if len(keys) != 1 or keys[0].lower() != name.lower():
        reason = "expected Attr = value" if not eq else "cannot parse the value"
        raise BadLine(f"{reason}: {shown}")
    if not _read_whole(line, value):
        raise BadLine(f"text after the value: {shown}")
    try:
        return keys[0], value_text(ad, keys[0])
    except UnwritableValue as exc:
        raise BadLine(str(exc)) from None


def _read_whole(line: str, value: str) -> bool:
    """Did the library read all of the line's value? Its old-syntax parser stops quietly
    at whatever cannot continue the expression (``A = 1; B = 2`` is ``A = 1``), so a
    quoted name ``'A = 1; B' = 2`` would be read as ``'A = 1``."""
    try:
        parse_whole(value)
        return True
    except ValueError:
        pass
    # Old syntax reads some strings its own way (a backslash before the closing quote
    # is kept); there, a trailing operator the parser reaches leaves the line unparsable,
    # while one after where it stopped is never read.
    return not len(parse_one(line.rstrip("\n") + " +", OLD))


def is_comment(line: str) -> bool:
    """Blank lines and ``#`` or ``//`` comments, which no reader takes as an attribute."""
    s = line.strip()
    return not s or s[0] == "#" or s.startswith("//")

"""Requirements text parsed with HTCondor's parser, or one error naming where it went wrong.

>>> str(parse_requirements('TARGET.OpSys == "LINUX"'))
'TARGET.OpSys == "LINUX"'
>>> parse_requirements("Memory >= = 5")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
RequirementsError: cannot parse requirement 'Memory >= = 5' at character 11: unexpected '= 5'
"""

from __future__ import annotations

from simulator.model.condor import ExprTree
from simulator.model.errors import RequirementsError


def parse_requirements(text: str, where: str = "") -> ExprTree:
    """Parse a Requirements expression with HTCondor's parser, or raise RequirementsError.

    The library says only that the text does not parse, so the position is
    found with the same parser: the longest prefix that some completion turns
    into an expression is where the text went wrong.
    """
    label = f"{where}: " if where else ""
    if not text.strip():
        raise RequirementsError(f"{label}empty requirement")
    try:
        return ExprTree(text)
    except Exception:  # classad2 raises ClassAdException or ValueError
        pos = _error_position(text)
    raise RequirementsError(
        f"{label}cannot parse requirement {text!r} at character {pos + 1}: "
        f"{_caret(text, pos)}"
    )


# Endings that complete most valid prefixes of an expression: a missing
# operand, closing brackets, a closing quote.
_COMPLETIONS = ("", " x", ")", " x)", "))", " x))", '"', '")', "]", " x]", "}", " x}", ")))")


def _parses(text: str) -> bool:
    try:
        ExprTree(text)
        return True
    except Exception:
        return False


def _error_position(text: str) -> int:
    """Index of the first character the parser cannot accept (len(text) = ends too early)."""
    for end in range(len(text), -1, -1):
        prefix = text[:end]
        if any(_parses(prefix + tail) for tail in _COMPLETIONS):
            # text[:end] is a valid start; at len(text) the text merely ends too early.
            return end if end == len(text) else _skip_space(text, end)
    return 0


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _caret(text: str, pos: int) -> str:
    if pos >= len(text):
        return "expression ends too early"
    return f"unexpected {text[pos:pos + 12]!r}"

"""Expressions users write (Requirements, ranks, job attributes), parsed whole with HTCondor's
parser, or one error naming where it went wrong.

Every expression a user gives goes through ``parse_expression`` (``parse_requirements`` for a
Requirements): the library must read all of the text (its parser alone stops quietly at a
stray ``]``: ``A ] || B`` would mean ``A``), and the text must stay within the limits below,
past which HTCondor's library fails (an exception, or a crash of the whole program):

* at most ``MAX_CHARS`` (10,000) characters;
* at most ``MAX_CLAUSES`` (200) conditions joined by ``&&`` and ``||``: the library
  evaluates a chain of about 400 and no more, and ``tribes analyze`` crashed at 1,000;
* parentheses, brackets and braces nested at most ``MAX_NESTING`` (50) deep: the library
  parses 165 and no more, and the analysis walks each level.

Anything else past the library's evaluation limit (a chain of some 400 ``+``) is found by
evaluating the expression once, alone, and refused.

>>> str(parse_requirements('TARGET.OpSys == "LINUX"'))
'TARGET.OpSys == "LINUX"'
>>> parse_requirements("Memory >= = 5")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
RequirementsError: cannot parse requirement 'Memory >= = 5' at character 11: unexpected '= 5'
>>> parse_requirements('OpSys == "OSX" ] || OpSys == "LINUX"')  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
RequirementsError: cannot parse requirement '...' at character 16: unexpected '] || OpSys =='
"""

from __future__ import annotations

import re

from simulator.model.condor import (
    ClassAd,
    ClassAdException,
    ExprTree,
    UnwritableValue,
    parse_whole,
    value_text,
)
from simulator.model.errors import RequirementsError
from simulator.model.expression import parses

MAX_CHARS = 10_000
MAX_CLAUSES = 200
MAX_NESTING = 50


# What condor_submit adds around a user's Requirements (Arch, OpSys, Disk, Memory, file
# transfer … clauses, and parentheses around the user's text) is let through on top.
_APPENDED_CLAUSES, _APPENDED_NESTING, _APPENDED_CHARS = 50, 5, 5_000


def parse_requirements(text: str, where: str = "", appended: bool = False) -> ExprTree:
    """Parse a Requirements expression with HTCondor's parser, or raise RequirementsError.

    ``appended``: the text is a user's Requirements with condor_submit's clauses added
    (the user's own text was checked alone), so those clauses do not count.
    """
    return parse_expression(text, where, what="requirement", appended=appended)


def parse_expression(text: str, where: str = "", what: str = "expression",
                     appended: bool = False) -> ExprTree:
    """Parse a user's expression whole with HTCondor's parser, or raise RequirementsError.

    The library says only that the text does not parse, so the position is
    found with the same parser: the longest prefix that some completion turns
    into an expression is where the text went wrong. ``what`` names the
    expression in the message (``requirement``, ``rank`` …).
    """
    label = f"{where}: " if where else ""
    if not text.strip():
        raise RequirementsError(f"{label}empty {what}")
    max_chars = MAX_CHARS + _APPENDED_CHARS * appended
    if len(text) > max_chars:
        raise RequirementsError(
            f"{label}the {what} is {len(text):,} characters long; at most {max_chars:,} are "
            "supported")
    try:
        tree = parse_whole(text)
    except ValueError:
        pos = _error_position(text)
        raise RequirementsError(
            f"{label}cannot parse {what} {_shown(text)!r} at character {pos + 1}: "
            f"{_caret(text, pos)}"
        ) from None
    holder = ClassAd()
    holder["expression"] = tree
    try:
        unparsed = value_text(holder, "expression")
    except UnwritableValue:
        raise RequirementsError(
            f"{label}HTCondor's library writes the {what} {_shown(text)!r} back as "
            f"{_shown(str(tree))!r}, which reads differently: write a quoted attribute name "
            "without MY. or TARGET. before it") from None
    _check_size(unparsed, label, what, appended)
    try:
        tree.eval()  # the library's own limits, met by a shape the counts above let through
    except ClassAdException as exc:
        raise RequirementsError(
            f"{label}the {what} is too deeply nested for HTCondor's library to evaluate "
            f"({exc})") from None
    except Exception:  # noqa: S110 - a value Python cannot hold: the probe looks for limits only
        pass
    return tree


# In the library's unparse, strings are "…" and quoted names '…', with backslash escapes.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|\'[^\'\\]*(?:\\.[^\'\\]*)*\''
                     r'|&&|\|\||[(\[{]|[)\]}]', re.S)


def _check_size(unparsed: str, label: str, what: str, appended: bool) -> None:
    max_clauses = MAX_CLAUSES + _APPENDED_CLAUSES * appended
    max_nesting = MAX_NESTING + _APPENDED_NESTING * appended
    clauses, depth, deepest = 1, 0, 0
    for m in _TOKENS.finditer(unparsed):
        token = m.group()
        if token in ("&&", "||"):
            clauses += 1
        elif token in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in ")]}":
            depth -= 1
    if clauses > max_clauses:
        raise RequirementsError(
            f"{label}the {what} has {clauses:,} conditions joined by && and ||; at most "
            f"{max_clauses} are supported")
    if deepest > max_nesting:
        raise RequirementsError(
            f"{label}the {what} nests parentheses {deepest:,} deep; at most {max_nesting} "
            "are supported")


def _shown(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."


# Endings that complete most valid prefixes of an expression: a missing
# operand, closing brackets, a closing quote.
_COMPLETIONS = ("", " x", ")", " x)", "))", " x))", '"', '")', "]", " x]", "}", " x}", ")))")


def _error_position(text: str) -> int:
    """Index of the first character the parser cannot accept (len(text) = ends too early)."""
    end = _longest_start(text)
    # text[:end] is a valid start; at len(text) the text merely ends too early.
    return end if end == len(text) else _skip_space(text, end)


def _valid_start(prefix: str) -> bool:
    return any(parses(prefix + tail) for tail in _COMPLETIONS)


def _longest_start(text: str, window: int = 64) -> int:
    """The longest prefix that is a valid start, looked for from the end. A long text is
    first narrowed by halving (a valid start's own prefixes are nearly always valid too),
    then looked through from a little past that point."""
    top = len(text)
    if top > 4 * window and not _valid_start(text):
        lo, hi = 0, top  # text[:lo] valid, text[:hi] not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if _valid_start(text[:mid]) else (lo, mid)
        top = min(top, lo + window)
    for end in range(top, -1, -1):
        if _valid_start(text[:end]):
            return end
    return 0


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _caret(text: str, pos: int) -> str:
    if pos >= len(text):
        return "expression ends too early"
    return f"unexpected {text[pos:pos + 12]!r}"

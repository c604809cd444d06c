"""The clauses of a Requirements expression, split into steps as ``condor_q -better-analyze`` does.

The expression is split into steps the way HTCondor's analyzer walks it:
through parentheses, ``&&``, ``||`` and ``!(…)``; every other sub-expression
(a comparison, a function call, an attribute, a ``?:``) is one condition.
Steps are numbered in evaluation order (children first), so ``[2]`` is
``[0] && [1]``. Unlike HTCondor, ``!(…)`` gets a step of its own (HTCondor
shows its operand's count under the operand's number), and comparisons nested
inside other conditions are not listed apart.
The split itself is done by HTCondor's parser: a candidate cut at an
operator is kept only when both sides parse on their own (see ``_split``),
and every count (``simulator.analyses.clauses.analysis``) comes from evaluating the step's own
text with the ClassAd library, the job as MY and the slot as TARGET.

>>> [(s.index, s.label()) for s in split_steps('A == 1 && (B || C)')]
[(0, 'A == 1'), (1, 'B'), (2, 'C'), (3, '[1] || [2]'), (4, '[0] && [3]')]
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional

from simulator.model.condor import ExprTree
from simulator.model.errors import RequirementsError


@dataclasses.dataclass
class Step:
    """One row of the analysis: a condition, or a logical operator over two earlier steps."""

    index: int
    text: str
    op: Optional[str] = None  # None for a condition; "&&", "||" or "!"
    left: int = -1
    right: int = -1
    depth: int = 0

    def label(self, left: Optional[int] = None, right: Optional[int] = None) -> str:
        left = self.left if left is None else left
        right = self.right if right is None else right
        if self.op == "!":
            return f" ! [{left}]"
        if self.op:
            return f"[{left}] {self.op} [{right}]"
        return self.text.strip()



def _parses(text: str) -> bool:
    if not text.strip():
        return False
    try:
        ExprTree(text)
    except Exception:  # classad2 raises ClassAdException on a parse error
        return False
    return True


def _positions(text: str, token: str) -> List[int]:
    found, start = [], 0
    while True:
        at = text.find(token, start)
        if at < 0:
            return found
        found.append(at)
        start = at + 1


def _split(text: str, op: str):
    """(left, right) if ``op`` is the root operator of ``text``, else None.

    ``text`` is the library's own unparse, so binary operators are written
    ``" op "``. A cut inside a string, parentheses or a function call leaves a
    side that does not parse. ``&&`` and ``||`` are left-associative, so the
    root is the rightmost top-level one; callers look for a top-level ``?:``
    first, then ``||``, then ``&&`` (lowest precedence first).
    """
    token = f" {op} "
    for at in reversed(_positions(text, token)):
        left, right = text[:at], text[at + len(token):]
        if _parses(left) and _parses(right):
            return left, right
    return None


def _is_ternary(text: str) -> bool:
    """Is the root of ``text`` a ``c ? a : b`` or ``a ?: b``? (It binds loosest.)"""
    for at in _positions(text, " ?: "):
        if _parses(text[:at]) and _parses(text[at + 4:]):
            return True
    for at in _positions(text, " ? "):
        if not _parses(text[:at]):
            continue
        rest = text[at + 3:]
        for colon in _positions(rest, " : "):
            if _parses(rest[:colon]) and _parses(rest[colon + 3:]):
                return True
    return False


def _paren_inner(text: str) -> Optional[str]:
    """The inside of ``(X)`` when the whole text is one parenthesized group."""
    body = text.strip()
    if not (body.startswith("(") and body.endswith(")")):
        return None
    inner = body[1:-1]
    # "(a) && (b)" also starts and ends with parentheses: its inside "a) && (b"
    # does not parse. When it parses, the library must agree it is the same tree.
    if _parses(inner) and ExprTree(f"({inner})") == ExprTree(body):
        return inner
    return None


def split_steps(requirements) -> List[Step]:
    """The steps of a Requirements expression (text or ExprTree), in HTCondor's numbering."""
    try:
        text = str(ExprTree(str(requirements)))
    except Exception:
        raise RequirementsError(f"cannot parse requirement {str(requirements)!r}") from None
    steps: List[Step] = []
    _walk(text, 0, steps)
    return steps


def _walk(text: str, depth: int, steps: List[Step]) -> int:
    if not _is_ternary(text):
        for op in ("||", "&&"):
            parts = _split(text, op)
            if parts:
                left = _walk(parts[0], depth, steps)
                right = _walk(parts[1], depth, steps)
                return _push(steps, Step(len(steps), text, op, left, right, depth))
        inner = _paren_inner(text)
        if inner is not None:
            return _walk(inner, depth + 1, steps)
        body = text.strip()
        if body.startswith("!"):
            inner = _paren_inner(body[1:])
            if inner is not None:
                child = _walk(inner, depth + 1, steps)
                return _push(steps, Step(len(steps), text, "!", child, -1, depth))
    return _push(steps, Step(len(steps), text, None, -1, -1, depth))


def _push(steps: List[Step], step: Step) -> int:
    steps.append(step)
    return step.index

"""The clauses of a Requirements expression, split into steps as ``condor_q -better-analyze`` does.

The expression is split into steps the way HTCondor's analyzer walks it:
through parentheses, ``&&``, ``||`` and ``!(…)``; every other sub-expression
(a comparison, a function call, an attribute, a ``?:``) is one condition.
Steps are numbered in evaluation order (children first), so ``[2]`` is
``[0] && [1]``. Unlike HTCondor, ``!(…)`` gets a step of its own (HTCondor
shows its operand's count under the operand's number), and comparisons nested
inside other conditions are not listed apart.
The split itself is done by HTCondor's parser: a candidate cut at an
operator is kept only when both sides parse on their own
(``simulator.model.expression.split_at``),
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
from simulator.model.expression import is_ternary, paren_inner, split_at


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
    if not is_ternary(text):
        for op in ("||", "&&"):
            parts = split_at(text, op)
            if parts:
                left = _walk(parts[0], depth, steps)
                right = _walk(parts[1], depth, steps)
                return _push(steps, Step(len(steps), text, op, left, right, depth))
        inner = paren_inner(text)
        if inner is not None:
            return _walk(inner, depth + 1, steps)
        body = text.strip()
        if body.startswith("!"):
            inner = paren_inner(body[1:])
            if inner is not None:
                child = _walk(inner, depth + 1, steps)
                return _push(steps, Step(len(steps), text, "!", child, -1, depth))
    return _push(steps, Step(len(steps), text, None, -1, -1, depth))


def _push(steps: List[Step], step: Step) -> int:
    steps.append(step)
    return step.index

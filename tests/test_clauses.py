"""The clauses of a Requirements: split into steps as HTCondor's analyzer splits it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.analyses.clauses.steps import split_steps
from simulator.model.condor import ExprTree
from simulator.model.errors import RequirementsError


def test_steps_are_numbered_children_first_as_htcondor_does():
    steps = split_steps('(A == 1 && B >= 2) && (TARGET.C == "x") && D')
    assert [s.label() for s in steps] == [
        "A == 1", "B >= 2", "[0] && [1]", 'TARGET.C == "x"', "[2] && [3]", "D", "[4] && [5]",
    ]
    assert steps[0].depth == 1 and steps[5].depth == 0


@pytest.mark.parametrize(
    "text, labels",
    [
        ("a || b && c", ["a", "b", "c", "[1] && [2]", "[0] || [3]"]),
        ("a && b || c", ["a", "b", "[0] && [1]", "c", "[2] || [3]"]),
        ("a && (b || c)", ["a", "b", "c", "[1] || [2]", "[0] && [3]"]),
        # operators inside strings, calls and ternaries are not split points
        ('a == "x && y" && f(b && c)', ['a == "x && y"', "f(b && c)", "[0] && [1]"]),
        ("a && b ? c : d || e", ["a && b ? c : d || e"]),
        ("x ?: y && z", ["x ?: y && z"]),
        ("!(a && b) && c", ["a", "b", "[0] && [1]", " ! [2]", "c", "[3] && [4]"]),
        ("a == (b && c)", ["a == (b && c)"]),
    ],
)
def test_split_follows_the_grammar(text, labels):
    assert [s.label() for s in split_steps(text)] == labels


def test_a_bad_expression_is_one_error():
    with pytest.raises(RequirementsError, match="cannot parse"):
        split_steps("a && (b")


# Random trees of && and || over leaves, written with only the parentheses the
# grammar needs plus some extra: the split must recover each tree exactly.
_LEAVES = st.sampled_from(['A == 1', 'TARGET.B >= RequestMemory', 'C', 'f(x, "p && q")',
                           'D =?= undefined', 'E', '!G'])


def _trees():
    return st.recursive(
        _LEAVES.map(lambda t: ("leaf", t)),
        lambda kids: st.tuples(st.sampled_from(["&&", "||"]), kids, kids, st.booleans()),
        max_leaves=8,
    )


def _render(tree, parent_op=None, side=None):
    if tree[0] == "leaf":
        return tree[1]
    op, left, right, extra = tree
    text = f"{_render(left, op, 'l')} {op} {_render(right, op, 'r')}"
    # && binds tighter than ||; both are left-associative.
    needs = parent_op == "&&" and op == "||" or (parent_op == op and side == "r")
    if parent_op is not None and (needs or (extra and parent_op)):
        return f"({text})"
    return text


def _expected(tree, out):
    if tree[0] == "leaf":
        out.append(str(ExprTree(tree[1])).strip())
        return len(out) - 1
    op, left, right, _ = tree
    li, ri = _expected(left, out), _expected(right, out)
    out.append(f"[{li}] {op} [{ri}]")
    return len(out) - 1


@settings(max_examples=60, deadline=None)
@given(_trees())
def test_split_recovers_random_trees(tree):
    expected = []
    _expected(tree, expected)
    assert [s.label() for s in split_steps(_render(tree))] == expected

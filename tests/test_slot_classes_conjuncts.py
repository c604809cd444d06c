"""The job half of a Requirements ``c1 && c2 && ...`` computed conjunct by conjunct.

The fast matcher ANDs per-conjunct answers (``simulator.match.slot_classes.evaluate``).
That is exact only because of what HTCondor's library does with ``&&`` and how
``matches`` reads a Requirements value; these tests fail if the library disagrees.
"""

import itertools

import numpy as np
import pytest

from simulator.match.plain import plain_match
from simulator.match.slot_classes import clear_caches, fast_match, fast_sides, slot_classes
from simulator.match.slot_classes.evaluate import conjunct_tree
from simulator.model.condor import ClassAd, ExprTree, Value, parse_one, parse_whole
from simulator.model.expression import conjuncts
from simulator.model.snapshot import Snapshot

# Values of every kind a conjunct can take: booleans, integers, reals, strings, lists,
# ads, UNDEFINED and ERROR, literal or computed (TARGET.X from the slot ad below).
VALUES = [
    "true", "false", "1", "0", "-1", "2.5", "0.0", "-0.5", '"x"', '""', "{1}", "{}",
    "[a = 1]", "undefined", "error", "TARGET.Missing", "1/0", '"x" + 1', "TARGET.T",
    "TARGET.F", "TARGET.I", "TARGET.Z", "TARGET.R", "TARGET.S", "absTime(0)", "relTime(5)",
]
SLOT = parse_one('[T = true; F = false; I = 3; Z = 0; R = 0.25; S = "s"]')


def holds(text: str) -> bool:
    """Does a job whose Requirements is ``text`` accept SLOT? (HTCondor's answer.)"""
    return bool(SLOT.matches(parse_one(f"[Requirements = {text}]")))


def value(text: str):
    return ExprTree(text).eval(scope=ClassAd(), target=SLOT)


def conjunct_holds(text: str) -> bool:
    """The per-conjunct answer the fast matcher ANDs (evaluate.conjunct_tree)."""
    tree = conjunct_tree(text)
    return bool(SLOT.matches(parse_one(f"[Requirements = {tree}]")))


def test_and_holds_exactly_where_both_operands_hold_as_and_reads_them():
    for a, b in itertools.product(VALUES, repeat=2):
        want = conjunct_holds(a) and conjunct_holds(b)
        assert holds(f"{a} && {b}") == want, (a, b)
        assert holds(f"({a}) && ({b})") == want, (a, b)
        assert holds(f"({a}) && ({b}) && true") == want, (a, b)
    # ... which is what a conjunct alone gives, but for a relative time: alone it is a
    # number to matches(), in && an ERROR
    for a in VALUES:
        assert conjunct_holds(a) == (holds(a) and "relTime" not in a), a


def test_the_library_facts_the_split_relies_on():
    assert value("1 && true") is True
    assert isinstance(value("true && undefined"), Value)
    assert ExprTree("isUndefined(true && undefined)").eval() is True
    assert value("false && error") is False
    assert ExprTree("isError(error && false)").eval() is True
    assert ExprTree('isError("x" && true)').eval() is True
    # matches() reads non-zero numbers as true, zero, strings, UNDEFINED, ERROR as false
    assert holds("1") and holds("2.5") and holds("-1")
    assert not holds("0") and not holds("0.0") and not holds('"x"')
    assert not holds("undefined") and not holds("error")
    assert holds("relTime(5)") and not holds("true && relTime(5)")


@pytest.mark.parametrize(
    "text, parts",
    [
        ('(TARGET.Arch == "X86_64") && (TARGET.Disk >= RequestDisk) && TARGET.HasDocker',
         ['(TARGET.Arch == "X86_64")', "(TARGET.Disk >= RequestDisk)", "TARGET.HasDocker"]),
        ("x && (a ? b : c)", ["x", "(a ? b : c)"]),
        ('x == "p && q" && f(a && b)', ['x == "p && q"', "f(a && b)"]),
        ("a is b && c isnt d", ["a is b", "c isnt d"]),
        ("A && B || C", None),  # (A && B) || C
        ("A || B && C", None),  # A || (B && C)
        ("A ? B && C : D", None),
        ("A && B ? C : D", None),  # (A && B) ? C : D
        ("A ?: B && C", None),
        ("A && B ?: C", None),
        ("(A && B)", None),  # a parenthesized whole: one operand
        ("A", None),
        ("TARGET.'a && b' == 1", None),  # the library's text reads back differently
    ],
)
def test_conjuncts_only_of_a_plain_chain(text, parts):
    got = conjuncts(text)
    assert got == parts
    if got is not None:
        # each operand parses on its own, and the chain reads back as the same tree
        for part in got:
            parse_whole(part)
        assert parse_whole(" && ".join(got)) == ExprTree(text)


def test_conjuncts_of_a_nested_ad_are_cut_only_outside_it():
    got = conjuncts("[a = b && c].a && d")
    assert got is not None and len(got) == 2 and got[1] == "d"
    assert ExprTree(got[0]) == ExprTree("[a = b && c].a")


def pool(*ads):
    return Snapshot.from_classads([parse_one(ad) for ad in ads], source="test")


def test_submit_clauses_are_grouped_on_their_own_columns_and_shared_between_jobs():
    clear_caches()
    snap = pool(*[f'[OpSys = "LINUX"; Arch = "X86_64"; Disk = {d}; Memory = {m};'
                  f' Kernel = "{k}"; Requirements = true]'
                  for d, m, k in itertools.product(range(5), range(6), "ab")])
    tail = ('(TARGET.Arch == "X86_64") && (TARGET.OpSys == "LINUX") && '
            "(TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory)")
    jobs = [parse_one(f'[Requirements = (TARGET.Kernel == "{k}") && {tail};'
                      " RequestDisk = 2; RequestMemory = 3]") for k in "ab"]
    first = slot_classes(snap, jobs[0]).job_side
    second = slot_classes(snap, jobs[1]).job_side
    assert [part.columns for part in first.parts] == [
        ("kernel",), ("arch",), ("opsys",), ("disk",), ("memory",)]
    # the appended clauses are the same conjuncts, with the same answers
    assert all(a is b for a, b in zip(first.parts[1:], second.parts[1:], strict=True))
    assert first.parts[0] is not second.parts[0]
    for job in jobs:
        assert (fast_match(snap, job) == plain_match(snap, job)).all()
    # the half's own classes: one per combination of conjunct classes met
    assert first.n_classes == 2 * 5 * 6  # kernel, disk, memory texts
    assert [part.n_classes for part in first.parts] == [2, 1, 1, 5, 6]
    assert (first.gid[first.reps] == np.arange(first.n_classes)).all()


def test_an_unbounded_conjunct_is_evaluated_slot_by_slot_the_others_by_class():
    snap = pool(*[f"[X = {i % 3}; Requirements = true]" for i in range(6)])
    job = parse_one("[Requirements = TARGET.X > 0 && random(2) < 5 && TARGET.X =!= 2]")
    side = slot_classes(snap, job).job_side
    assert side.fallback is not None and "random" in side.fallback
    assert [part.fallback is None for part in side.parts] == [True, False, True]
    assert fast_match(snap, job).tolist() == plain_match(snap, job).tolist()
    assert fast_sides(snap, job)[0].tolist() == [False, True, False] * 2


def test_a_name_the_job_lacks_is_part_of_what_the_answer_is_remembered_by():
    # job a lacks RequestDisk (read from the slot, absent: UNDEFINED); job b has it
    snap = pool(*[f"[Disk = {d}; Requirements = true]" for d in (1, 10, 100)])
    for text in ["TARGET.Disk >= RequestDisk", "TARGET.Disk >= RequestDisk && true"]:
        clear_caches()
        a = parse_one(f"[Requirements = {text}]")
        b = parse_one(f"[Requirements = {text}; RequestDisk = 5]")
        assert fast_match(snap, a).tolist() == plain_match(snap, a).tolist() == [False] * 3
        assert fast_match(snap, b).tolist() == plain_match(snap, b).tolist() == [
            False, True, True]


@pytest.mark.parametrize("conjunct", ["relTime(TARGET.Cpus)", "absTime(TARGET.Cpus)",
                                      "{TARGET.Cpus}", '"x"', "TARGET.Cpus", "TARGET.Cpus * 0.5",
                                      "TARGET.Cpus / (TARGET.Cpus - 1)", "TARGET.Nothing"])
def test_conjuncts_that_are_not_booleans_on_some_slots(conjunct):
    snap = pool(*[f"[Cpus = {c}; Requirements = true]" for c in (0, 1, 4, 1)])
    for text in [f"{conjunct} && TARGET.Cpus >= 0", f"TARGET.Cpus >= 0 && ({conjunct})",
                 f"true && {conjunct} && true"]:
        job = parse_one(f"[Requirements = {text}]")
        assert slot_classes(snap, job).job_side.parts
        assert fast_match(snap, job).tolist() == plain_match(snap, job).tolist(), text

"""Property tests: on generated pools and requirements, the slot-class matcher gives the
plain one-by-one answer for every slot.

Pools are drawn from a few slot shapes (so slots repeat and classes form), with
mixed-case attribute names, attributes missing from some slots, START policies
that read the job (TARGET.*), nested attribute references, partitionable-style
WithinResourceLimits and glidein-style ``time() < ToRetire`` with per-ad
capture times. Requirements mix comparisons, ``=?=``/``=!=``, ``regexp``,
``stringListMember``, ``versionGE``/``versioncmp``, ``ifThenElse``,
``isUndefined``, ``?:``, MY./TARGET. scopes and ``time()``.
"""

import contextlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.match.plain import plain_match
from simulator.match.slot_classes import fast_match, fast_sides, slot_classes, text_info
from simulator.model.condor import parse_one
from simulator.model.snapshot import Snapshot

CAPTURE = 200  # the snapshot's time; slots may carry their own MyCurrentTime

LITERALS = {
    "OpSys": ['"LINUX"', '"linux"', '"OSX"'],
    "Memory": ["0", "1024", "2048", "4096"],
    "Cpus": ["0", "1", "4"],
    "Disk": ["10", "1000000"],
    "Kernel": ['"5.14.0-70.el9"', '"3.10.0-1160.el7"', '"5.14.0-362.el9"'],
    "Glibc": ['"2.17"', '"2.28"', '"2.34"', '"2.5"'],
    "Tags": ['"a,b"', '"b,c"', '""'],
    "Site": ['"UW"', '"uw"', '"FNAL"'],
    "Flag": ["true", "false", "1", "undefined"],
    "ToRetire": ["150", "250"],
}
# Attributes defined as expressions over others (nested references).
DERIVED = {
    "Alias": ["Memory * 2", "MY.Memory + Cpus", "TARGET.RequestMemory"],
    "Half": ["Alias / 2", "ifThenElse(isUndefined(Memory), 0, Memory / 2)"],
}
JOB_NAMES = ["RequestMemory", "RequestCpus", "Owner", "Need", "Base"]
NAMES = list(LITERALS) + list(DERIVED) + JOB_NAMES + ["Nothing"]
INT_LITS = ["0", "1", "150", "1024", "2048"]
ANY_LITS = sorted({lit for lits in LITERALS.values() for lit in lits} | {'"me"', "undefined"})


def spelled(name):
    return st.sampled_from([name, name.lower(), name.upper()])


@st.composite
def refs(draw):
    scope = draw(st.sampled_from(["", "", "MY.", "TARGET.", "target.", "my."]))
    return scope + draw(spelled(draw(st.sampled_from(NAMES))))


@st.composite
def typed_atoms(draw):
    """A test a slot attribute passes or fails depending on its value (most atoms)."""
    name = draw(st.sampled_from(list(LITERALS)))
    r = draw(st.sampled_from(["", "TARGET.", "target.", "", "MY."])) + draw(spelled(name))
    lit = draw(st.sampled_from(LITERALS[name]))
    if name == "Glibc":
        version = draw(st.sampled_from(['"2.17"', '"2.28"', '"2.34"']))
        return draw(
            st.sampled_from(
                [f"versionGE({r}, {version})", f"versioncmp({r}, {version}) < 0"]
            )
        )
    if name == "Kernel":
        return draw(st.sampled_from([f'regexp("^5\\.14", {r})', f'regexp("EL7", {r}, "i")']))
    if name == "Tags":
        return f'stringListMember("b", {r})'
    if name in ("Memory", "Cpus", "Disk", "ToRetire"):
        op = draw(st.sampled_from([">=", "<", "=="]))
        return f"{r} {op} {lit}"
    op = draw(st.sampled_from(["==", "=?=", "=!=", "!="]))
    return f"{r} {op} {lit}"


@st.composite
def atoms(draw):
    if draw(st.integers(0, 2)):
        return draw(typed_atoms())
    r = draw(refs())
    kind = draw(st.integers(0, 13))
    if kind == 0:
        return f"{r} == {draw(st.sampled_from(ANY_LITS))}"
    if kind == 1:
        return f"{r} {draw(st.sampled_from(['<', '>=', '!=']))} {draw(st.sampled_from(INT_LITS))}"
    if kind == 2:
        return f"{r} {draw(st.sampled_from(['=?=', '=!=']))} {draw(st.sampled_from(ANY_LITS))}"
    if kind == 3:
        pattern = draw(st.sampled_from(['"^5.14"', '"l.*x"', '"U"']))
        flags = ', "i"' if draw(st.booleans()) else ""
        return f"regexp({pattern}, {r}{flags})"
    if kind == 4:
        fn = draw(st.sampled_from(["stringListMember", "stringListIMember"]))
        item = draw(st.sampled_from(['"b"', '"A"']))
        return f"{fn}({item}, {r})"
    if kind == 5:
        version = draw(st.sampled_from(['"2.28"', '"2.5"']))
        return f"versionGE({r}, {version})"
    if kind == 6:
        return f'versioncmp({r}, "2.17") {draw(st.sampled_from(["<", ">", "=="]))} 0'
    if kind == 7:
        return f"isUndefined({r})"
    if kind == 8:
        return f"({r} ?: {draw(st.sampled_from(INT_LITS))}) > 100"
    if kind == 9:
        return f"time() < {r}"
    if kind == 10:
        return f"time() {draw(st.sampled_from(['<', '>']))} {draw(st.sampled_from(['150', '250']))}"
    if kind == 11:
        return f"{r}"
    if kind == 12:
        return f"{r} {draw(st.sampled_from(['is', 'isnt']))} undefined"
    return f"{r} >= {draw(refs())}"


def expressions(depth=2):
    if depth == 0:
        return atoms()
    sub = expressions(depth - 1)
    return st.one_of(
        atoms(),
        st.builds(lambda a, b: f"({a}) && ({b})", sub, sub),
        st.builds(lambda a, b: f"({a}) || ({b})", sub, sub),
        st.builds(lambda a: f"!({a})", sub),
        st.builds(lambda a, b, c: f"ifThenElse({a}, {b}, {c})", sub, sub, sub),
        st.builds(lambda a, b, c: f"(({a}) ? ({b}) : ({c}))", sub, sub, sub),
    )


@st.composite
def slot_shapes(draw):
    attrs = {}
    for name, lits in LITERALS.items():
        if draw(st.integers(0, 4)):  # one attribute in five is missing
            attrs[draw(spelled(name))] = draw(st.sampled_from(lits))
    for name, texts in DERIVED.items():
        if draw(st.booleans()):
            attrs[draw(spelled(name))] = draw(st.sampled_from(texts))
    start = draw(
        st.one_of(
            st.sampled_from(
                [
                    "true",
                    'TARGET.Owner =!= "bad"',
                    "time() < ToRetire",
                    "CurrentTime < ToRetire",
                    "TARGET.RequestMemory <= Memory",
                    "isUndefined(TARGET.Need) || TARGET.Need <= Half",
                ]
            ),
            expressions(1),
        )
    )
    attrs[draw(spelled("START"))] = start
    attrs["WithinResourceLimits"] = draw(
        st.sampled_from(
            [
                "MY.Cpus > 0 && TARGET.RequestCpus <= MY.Cpus && TARGET.RequestMemory <= MY.Memory",
                "TARGET.RequestDisk =?= undefined || MY.Disk >= TARGET.RequestDisk",
            ]
        )
    )
    requirements = draw(
        st.sampled_from(["START && WithinResourceLimits", "START", "true", None])
    )
    if requirements is not None:
        attrs[draw(spelled("Requirements"))] = requirements
    return attrs


@st.composite
def pools(draw):
    shapes = draw(st.lists(slot_shapes(), min_size=1, max_size=4))
    picks = draw(st.lists(st.integers(0, len(shapes) - 1), min_size=1, max_size=12))
    ads = []
    for i in picks:
        attrs = dict(shapes[i])
        own_time = draw(st.sampled_from([None, "100", "200"]))
        if own_time is not None:
            attrs["MyCurrentTime"] = own_time
        ads.append("[" + "; ".join(f"{k} = {v}" for k, v in attrs.items()) + "]")
    return Snapshot.from_classads(
        [parse_one(ad) for ad in ads], source="generated", time=CAPTURE
    )


@st.composite
def jobs(draw):
    requirements = st.one_of(typed_atoms(), atoms(), expressions(1), expressions(2))
    attrs = {"Requirements": draw(requirements)}
    options = {
        "RequestMemory": ["1024", "4096", "TARGET.Memory / 2"],
        "RequestCpus": ["1", "2"],
        "Owner": ['"me"', '"bad"'],
        "Need": ["Base + 1", "TARGET.Memory", "100"],
        "Base": ["TARGET.Cpus * 100", "1000"],
        # names the slots use too: the job's own shadows the slot's when unscoped
        "OpSys": ['"LINUX"'],
        "Flag": ["true"],
    }
    for name, values in options.items():
        if draw(st.integers(0, 3)):
            attrs[draw(spelled(name))] = draw(st.sampled_from(values))
    return parse_one("[" + "; ".join(f"{k} = {v}" for k, v in attrs.items()) + "]")


def plain_sides(snapshot, job):
    pairs = [(bool(s.matches(job)), bool(job.matches(s))) for s in snapshot.classads()]
    both = np.array(pairs, dtype=bool).reshape(len(pairs), 2)
    return both[:, 0], both[:, 1]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), jobs())
def test_fast_equals_plain_for_every_slot(snapshot, job):
    assert_fast_equals_plain(snapshot, job)


def assert_fast_equals_plain(snapshot, job):
    """The match and each of its halves, per slot, equal the plain one-by-one path's."""
    assert fast_match(snapshot, job).tolist() == plain_match(snapshot, job).tolist()
    job_ok, slot_ok = fast_sides(snapshot, job)
    want_job, want_slot = plain_sides(snapshot, job)
    assert job_ok.tolist() == want_job.tolist()
    assert slot_ok.tolist() == want_slot.tolist()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), jobs())
def test_classes_never_outnumber_slots_and_cover_every_slot(snapshot, job):
    classes = slot_classes(snapshot, job)
    for side in (classes.job_side, classes.slot_side):
        if side.fallback is not None:
            continue
        assert 1 <= side.n_classes <= len(snapshot)
        assert side.gid.shape == (len(snapshot),)
        # each representative stands for its own class
        assert (side.gid[side.reps] == np.arange(side.n_classes)).all()
        # slots of one class agree on every column of its key, and the key holds
        # whatever its texts reference among the columns
        for g in range(side.n_classes):
            own = side.class_columns[g]
            for col in own:
                texts = snapshot.ads[col].to_numpy(dtype=object)[side.gid == g]
                assert len({t if isinstance(t, str) else None for t in texts}) == 1
            rep = snapshot.ads.iloc[side.reps[g]]
            for col in own:
                text = rep[col]
                if isinstance(text, str):
                    for scope, ref in text_info(text).refs:
                        if scope != "target" and ref in snapshot.ads.columns:
                            assert ref in own


@contextlib.contextmanager
def forked_evaluator():
    """Every half evaluated by this process and a forked copy, from cold caches."""
    from simulator.match.slot_classes import clear_caches, evaluate

    saved = evaluate.PARALLEL_MIN, evaluate._can_fork
    evaluate.PARALLEL_MIN, evaluate._can_fork = 1, lambda: True
    clear_caches()
    try:
        yield
    finally:
        evaluate.PARALLEL_MIN, evaluate._can_fork = saved
        clear_caches()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), jobs())
def test_two_processes_equal_plain_for_every_slot(snapshot, job):
    # Every half evaluated by this process and a forked copy, however few its classes.
    with forked_evaluator():
        job_ok, slot_ok = fast_sides(snapshot, job)
    want_job, want_slot = plain_sides(snapshot, job)
    assert job_ok.tolist() == want_job.tolist()
    assert slot_ok.tolist() == want_slot.tolist()


# --- Requirements as condor_submit writes them: a chain of && --------------------------
# The job half of such a Requirements is computed conjunct by conjunct and the answers
# ANDed; conjuncts below are UNDEFINED, ERROR, numbers or strings on some slots.
ODD_CONJUNCTS = [
    "TARGET.Flag",  # true, false, 1 or undefined (or absent)
    "TARGET.Memory",  # a number: 0 does not hold, others do
    "MY.Memory",
    "TARGET.Memory / TARGET.Cpus",  # ERROR where Cpus is 0, a number elsewhere
    "TARGET.OpSys",  # a string: never holds
    "TARGET.Site + 1",  # ERROR
    "TARGET.Nothing",  # UNDEFINED
    "TARGET.Cpus - 1",
    "TARGET.Memory * 0.5",  # a real
    "TARGET.Disk >= RequestDisk",  # a name the job may lack, read from the slot then
    "TARGET.Memory >= RequestMemory",
    '(TARGET.OpSys == "LINUX") || TARGET.Flag',
    "(TARGET.Flag ? TARGET.Cpus : TARGET.OpSys)",
    "undefined", "error", "1", "2.5", "0", '"x"', "true",
    "relTime(TARGET.Cpus)",  # a relative time: a number to matches(), ERROR in &&
    "absTime(TARGET.Memory)",
    "{TARGET.Cpus}",
    "random(2) < 5",  # unbounded: evaluated slot by slot, the others by class
    'eval("TARGET.Cpus") > 0',
]


@st.composite
def conjunct_jobs(draw):
    odd = st.sampled_from(ODD_CONJUNCTS)
    # conjuncts that hold on most slots, so that the others decide
    mostly = st.sampled_from(["true", "2", "isUndefined(TARGET.Nothing)", "TARGET.Cpus =!= 4"])
    parts = draw(st.lists(st.one_of(odd, odd, mostly, atoms(), expressions(1)),
                          min_size=2, max_size=5))
    wrap = draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
    text = " && ".join(f"({p})" if w else p for p, w in zip(parts, wrap, strict=True))
    attrs = {"Requirements": text}
    options = {
        "RequestMemory": ["1024", "4096", "TARGET.Memory / 2", "undefined"],
        "RequestDisk": ["10", "1000"],
        "RequestCpus": ["1", "2"],
        "Owner": ['"me"', '"bad"'],
        "Need": ["Base + 1", "TARGET.Memory", "100"],
        "Base": ["TARGET.Cpus * 100", "1000"],
        "Flag": ["true"],
    }
    for name, values in options.items():
        if draw(st.integers(0, 2)):
            attrs[draw(spelled(name))] = draw(st.sampled_from(values))
    return parse_one("[" + "; ".join(f"{k} = {v}" for k, v in attrs.items()) + "]")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), conjunct_jobs(), conjunct_jobs())
def test_a_chain_of_conjuncts_equals_plain_for_every_slot(snapshot, job, other):
    # two jobs on one snapshot: the second may reuse conjuncts (groupings, answers) of
    # the first, where its Requirements and the job texts they read are the same
    for one in (job, other, job):
        assert_fast_equals_plain(snapshot, one)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), conjunct_jobs())
def test_a_chain_of_conjuncts_in_two_processes_equals_plain(snapshot, job):
    with forked_evaluator():
        job_ok, _ = fast_sides(snapshot, job)
    assert job_ok.tolist() == plain_sides(snapshot, job)[0].tolist()

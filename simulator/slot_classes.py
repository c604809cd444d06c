"""Slot classes: match a job against a whole pool by evaluating one slot per class.

A match (``symmetricMatch``) can only look at the slot attributes that the two
``Requirements`` expressions reach: the job's references into the slot, the
slot's own ``Requirements`` (usually ``START && WithinResourceLimits``) and
whatever those reach in turn, through either ad. Two slots whose reached
attributes have the same expression *text* therefore give the same answer. So,
as the negotiator's autoclusters do, we group the slots on those texts,
evaluate one representative slot per group with HTCondor's own library, and
broadcast the answer. The two halves of ``symmetricMatch`` (the job's
Requirements against the slot, the slot's against the job) are grouped
separately, each on the columns it reads. The result equals
``simulator.match.plain_match`` slot for slot; a half the analysis cannot bound
(``random()``, ``eval()``, an unknown function, ``MY[name]``, a
``parent.``/``super.`` scope) is evaluated one slot at a time instead.

References are found with the library's ``externalRefs`` (never by parsing
expressions here), followed case-insensitively and with ClassAd scoping: an
unscoped name is looked up in MY first, then in TARGET. ``time()`` is frozen
per ad to its capture time when the snapshot rebuilds an ad, so a reached
expression that reads the clock adds the clock's attributes to the group key.

Each class is keyed on the columns its own texts reach (a slot whose START is
``true`` is not split on the KeyboardIdle a desktop's START reads). Costs grow
with the number of classes, not slots: each column is factorized once per
snapshot, groupings are cached per snapshot, and answers are remembered per
class text across snapshots (a pool that drifts a little from day to day
re-evaluates only the classes that changed).

>>> from simulator.condor import ClassAd, ExprTree
>>> from simulator.snapshot import Snapshot
>>> pool = Snapshot.from_classads(
...     [ClassAd({"OpSys": os, "Requirements": True}) for os in ["LINUX", "OSX", "LINUX"]],
...     source="example")
>>> job = ClassAd({"Requirements": ExprTree('TARGET.OpSys == "LINUX"')})
>>> fast_match(pool, job).tolist()
[True, False, True]
>>> classes = slot_classes(pool, job)
>>> classes.job_side.columns, classes.job_side.n_classes, classes.slot_side.n_classes
(('opsys',), 2, 1)
"""

from __future__ import annotations

import ctypes
import dataclasses
import re
import threading
import weakref
from collections import OrderedDict
from typing import Dict, FrozenSet, List, Optional, Tuple

import numpy as np
import pandas as pd

from simulator import clock
from simulator.condor import ClassAd, ExprTree
from simulator.snapshot import Snapshot

# Functions whose result depends only on their arguments (HTCondor's ClassAd
# library and the functions htcondor2 registers). A call to anything else
# (random, eval, ...) is not bounded by the attributes we can see, so the match
# falls back to the plain path. evalInEachContext/countMatches evaluate their
# first argument inside nested ads; every name in it is still reported by
# externalRefs, so following those names bounds them too. userHome/userMap read
# the process's configuration, the same for every slot.
PURE_FUNCTIONS = frozenset(
    name.lower()
    for name in (
        "isUndefined", "isError", "isString", "isInteger", "isReal", "isList", "isClassAd",
        "isBoolean", "isAbstime", "isReltime", "member", "identicalMember", "size", "sum", "avg",
        "min", "max", "anyCompare", "allCompare", "strcat", "join", "toUpper", "toLower", "substr",
        "strcmp", "stricmp", "versioncmp", "versionLE", "versionLT", "versionGE", "versionGT",
        "versionEQ", "version_in_range", "regexp", "regexpMember", "regexps", "replace",
        "replaceAll", "int", "real", "string", "bool", "unparse", "floor", "ceil", "ceiling",
        "round", "pow", "quantize", "ifThenElse", "interval", "stringListsIntersect", "debug",
        "stringListSize", "stringListSum", "stringListAvg", "stringListMin", "stringListMax",
        "stringListMember", "stringListIMember", "stringList_regexpMember",
        "stringListSubsetMatch", "stringListISubsetMatch", "splitUserName", "splitSlotName",
        "split", "envV1ToV2", "mergeEnvironment", "listToArgs", "argsToList", "userHome",
        "userMap", "evalInEachContext", "countMatches",
    )
)
# time() and CurrentTime read the clock, which the snapshot freezes per ad at its
# capture time; so they are constant per ad given the clock's attributes.
TIME_FUNCTIONS = frozenset({"time", "currenttime"})
# Date functions: pure on an argument, the wall clock without one (dayTime
# always), which nothing freezes, so a call without argument is not bounded.
DATE_FUNCTIONS = frozenset(
    name.lower()
    for name in (
        "formatTime", "absTime", "relTime", "splitTime", "timeZoneOffset", "getYear", "getMonth",
        "getDayOfYear", "getDayOfMonth", "getDayOfWeek", "getDays", "getHours", "getMinutes",
        "getSeconds",
    )
)
# What Snapshot.classad_text reads to freeze time() in one ad (simulator.clock):
# the ad's own MyCurrentTime (else the snapshot's time, part of the answer cache
# key), and whether the ad defines CurrentTime itself.
CLOCK_COLUMNS = ("mycurrenttime", "currenttime")

# Scopes other than MY/TARGET make a reference relative to a nested ad; we do
# not follow those, so they send the match to the plain path.
_OPAQUE_SCOPES = frozenset({"parent", "super", "toplevel", "root"})
# A cell that is a single literal has no references and calls nothing; this
# only skips the library for the commonest cells, it decides nothing else.
_LITERAL = re.compile(
    r'-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|"(?:[^"\\]|\\.)*"|(?i:true|false|undefined|error)'
)
# A scan of the unparsed text (string literals blanked) for calls. It cannot
# miss a call; a false hit only sends the match to the plain path.
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\((\s*\))?")
_CURRENT_TIME = re.compile(r"\bcurrenttime\b", re.IGNORECASE)
# MY[name] and a bare MY reach attributes by computed names, and externalRefs
# does not report them: such a text is not bounded.
_WHOLE_MY = re.compile(r"\bmy\b(?!\s*\.)", re.IGNORECASE)
_NAME_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# String literals are blanked before the scans below, so their contents count for nothing.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_EMPTY_AD = ClassAd()


@dataclasses.dataclass(frozen=True)
class TextInfo:
    """What one expression text references: ``(scope, name)`` pairs in lower case.

    ``scope`` is ``"target"`` for ``TARGET.x`` and ``""`` for an unscoped name
    (the library reports ``MY.x`` unscoped; treating it as unscoped only makes
    the analysis follow more, never less).
    """

    refs: FrozenSet[Tuple[str, str]] = frozenset()
    reads_clock: bool = False
    unsafe: Optional[str] = None

    def __or__(self, other: TextInfo) -> TextInfo:
        return TextInfo(
            self.refs | other.refs,
            self.reads_clock or other.reads_clock,
            self.unsafe or other.unsafe,
        )


_NO_REFS = TextInfo()
_TEXT_INFO: Dict[str, TextInfo] = {}


def text_info(text: str) -> TextInfo:
    """References, clock use and safety of one expression text (cached).

    >>> sorted(text_info("TARGET.Memory >= RequestMemory && MY.Cpus > 0").refs)
    [('', 'cpus'), ('', 'requestmemory'), ('target', 'memory')]
    >>> text_info("random(10) > 5").unsafe
    'calls random()'
    """
    info = _TEXT_INFO.get(text)
    if info is None:
        info = _analyze(text)
        if len(_TEXT_INFO) > 200_000:
            _TEXT_INFO.clear()
        _TEXT_INFO[text] = info
    return info


def _analyze(text: str) -> TextInfo:
    if _LITERAL.fullmatch(text):
        return _NO_REFS
    refs = set()
    unsafe = None
    for ref in _EMPTY_AD.externalRefs(ExprTree(text)):
        if not ref:
            continue
        if not _NAME_PATH.fullmatch(ref):
            # The library reports a selection from a computed ad (f(x).y) as its text.
            unsafe = f"opaque reference {ref}"
            continue
        parts = ref.lower().split(".")
        if parts[0] in _OPAQUE_SCOPES:
            unsafe = f"opaque reference {ref}"
        elif parts[0] == "target":
            # a bare TARGET (TARGET[name]) may read any attribute of the other ad
            refs.add(("target", parts[1] if len(parts) > 1 else "*"))
        elif parts[0] == "my" and len(parts) > 1:
            refs.add(("", parts[1]))
        else:
            # foo.bar selects from the ad foo holds: it depends on foo only.
            refs.add(("", parts[0]))
    code = _STRING.sub('""', text)
    if _WHOLE_MY.search(code):
        unsafe = "reference to MY as a whole"
    found = _CALL.findall(code)
    calls = {name.lower() for name, _ in found}
    reads_clock = bool(calls & TIME_FUNCTIONS)
    wall_clock = {name.lower() for name, no_args in found if no_args} & DATE_FUNCTIONS
    if wall_clock - {"timezoneoffset"} or "daytime" in calls:
        unsafe = unsafe or "reads the wall clock"
    if _CURRENT_TIME.search(code):
        # The library resolves a bare CurrentTime to the clock and does not
        # report it as a reference; keep it as a name too, in case an ad sets it.
        reads_clock = True
        refs.add(("", "currenttime"))
    unknown = sorted(calls - PURE_FUNCTIONS - TIME_FUNCTIONS - DATE_FUNCTIONS - {"daytime"})
    if unknown and unsafe is None:
        unsafe = "calls " + ", ".join(f"{name}()" for name in unknown)
    return TextInfo(frozenset(refs), reads_clock, unsafe)


@dataclasses.dataclass
class _Column:
    codes: np.ndarray  # int32 per slot, -1 where the slot lacks the attribute
    texts: np.ndarray  # the distinct texts, then None: texts[codes] is the column again
    info: TextInfo  # union over the distinct texts

    @property
    def is_leaf(self) -> bool:
        """Literals only (or nothing that leads anywhere): refining on it ends a branch."""
        info = self.info
        return not info.refs and not info.reads_clock and info.unsafe is None


class _PoolCache:
    """Per-snapshot work shared by every job matched against it."""

    def __init__(self, snapshot: Snapshot):
        self.frame = snapshot.ads
        self.n = len(snapshot.ads)
        self.present = frozenset(snapshot.ads.columns)
        self.columns: Dict[str, _Column] = {}
        self.sides: Dict[str, List[Side]] = {JOB_SIDE: [], SLOT_SIDE: []}

    def column(self, name: str) -> _Column:
        col = self.columns.get(name)
        if col is None:
            series = self.frame[name]
            if isinstance(series.dtype, pd.CategoricalDtype):
                codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
            else:
                codes, uniques = _factorize(series.to_numpy(dtype=object))
            texts = np.empty(len(uniques) + 1, dtype=object)
            texts[:-1] = uniques
            info = _NO_REFS
            for text in texts[:-1]:
                info = info | text_info(text)
            col = _Column(codes.astype(np.int32, copy=False), texts, info)
            self.columns[name] = col
        return col


def _factorize(cells: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of a column of texts, faster when cells share string objects.

    Generated pools and the store's dictionary loader give every cell of one
    text the same string object, so the column is first factorized by object
    identity (a hash of pointers, not of strings), then the few distinct objects
    by text. Equal objects are equal texts and the second pass merges equal
    texts held by different objects, so the codes are exactly those of the text.
    """
    n = len(cells)
    if n >= 10_000 and cells.flags.c_contiguous:
        pointers = np.ctypeslib.as_array((ctypes.c_size_t * n).from_address(cells.ctypes.data))
        by_object, objects = pd.factorize(pointers)
        if len(objects) * 4 <= n:
            first = np.empty(len(objects), dtype=np.int64)
            first[by_object[::-1]] = np.arange(n - 1, -1, -1)
            codes, uniques = pd.factorize(cells[first], use_na_sentinel=True)
            return codes[by_object], uniques
    return pd.factorize(cells, use_na_sentinel=True)


def _subgroups(cache: _PoolCache, idx: np.ndarray, names: List[str]) -> Tuple[np.ndarray, int]:
    """Group ids (0..k-1) of the slots ``idx`` by the texts of ``names``."""
    key = np.zeros(len(idx), dtype=np.int64)
    size = 1
    for name in names:
        col = cache.column(name)
        radix = len(col.texts)
        if radix == 2 and not (col.codes < 0).any():
            continue  # one text in every slot: splits nothing
        if size * radix >= 2**62:
            key, size = _compact(key, size)
        key = key * radix + (col.codes[idx] + 1)
        size *= radix
    return _compact(key, size)


def _compact(key: np.ndarray, size: int) -> Tuple[np.ndarray, int]:
    """Renumber group keys in [0, size) to 0..k-1."""
    if size <= max(4 * len(key), 1 << 16):
        present = np.zeros(size, dtype=bool)
        present[key] = True
        remap = np.cumsum(present) - 1
        return remap[key], int(present.sum())
    codes, uniques = pd.factorize(key, sort=False)
    return codes.astype(np.int64), len(uniques)


_CACHES: Dict[int, _PoolCache] = {}


def _cache_for(snapshot: Snapshot) -> _PoolCache:
    key = id(snapshot)
    cache = _CACHES.get(key)
    if cache is None or cache.frame is not snapshot.ads or cache.n != len(snapshot.ads):
        cache = _PoolCache(snapshot)
        if key not in _CACHES:
            weakref.finalize(snapshot, _CACHES.pop, key, None)
        _CACHES[key] = cache
    return cache


# The two halves of a match. symmetricMatch is exactly "the job's Requirements
# hold with the slot as TARGET" and "the slot's Requirements hold with the job as
# TARGET"; each half reads its own attributes, so each is grouped on its own
# (a ladder step changes only the job half; the slot half, usually the costlier,
# is shared by every profile built on the same job template).
JOB_SIDE = "job"
SLOT_SIDE = "slot"


@dataclasses.dataclass
class Side:
    """One half of the match, grouped into classes.

    Each class has its own key columns (``class_columns``): a slot whose START
    is ``true`` is not split on the KeyboardIdle a desktop's START reads.
    ``job_texts`` are the job attributes this half reads (text, or None where
    the job lacks one); with a class's texts they decide its answer.
    ``fallback`` says why this half is evaluated one slot at a time instead.
    """

    name: str
    job_texts: Tuple[Tuple[str, Optional[str]], ...] = ()
    reads_clock: bool = False
    fallback: Optional[str] = None
    gid: Optional[np.ndarray] = None
    reps: Optional[np.ndarray] = None
    class_columns: List[FrozenSet[str]] = dataclasses.field(default_factory=list)
    class_clock: List[bool] = dataclasses.field(default_factory=list)
    # the answer per slot, once computed (a Side is reused only for the same job texts)
    answers: Optional[np.ndarray] = None

    @property
    def n_classes(self) -> int:
        return 0 if self.reps is None else len(self.reps)

    @property
    def columns(self) -> Tuple[str, ...]:
        """Every column some class is keyed on."""
        return tuple(sorted(frozenset().union(*self.class_columns)))


@dataclasses.dataclass
class SlotClasses:
    """How one job splits one pool: a grouping per half of the match."""

    job_side: Side
    slot_side: Side
    n_slots: int

    @property
    def n_classes(self) -> int:
        """Evaluations the fast path needs: classes of both halves (a half that falls
        back counts one per slot)."""
        return sum(
            self.n_slots if side.fallback else side.n_classes
            for side in (self.job_side, self.slot_side)
        )

    @property
    def fallback(self) -> Optional[str]:
        return self.job_side.fallback or self.slot_side.fallback


class _JobReach:
    """Follows references through the job's attributes, noting what it read.

    ``slot_names(name)``: the slot attributes reached from the job attribute
    ``name`` (a TARGET reference, or an unscoped name the job lacks).
    """

    def __init__(self, job: ClassAd):
        self.job = job
        self.keys = {key.lower(): key for key in job}
        self.read: Dict[str, Optional[str]] = {}
        self.unsafe: Optional[str] = None
        self._memo: Dict[str, FrozenSet[str]] = {}

    def slot_names(self, name: str) -> FrozenSet[str]:
        found = self._memo.get(name)
        if found is not None:
            return found
        out: set = set()
        todo = [name]
        seen: set = set()
        while todo:
            cur = todo.pop()
            if cur in seen:
                continue
            seen.add(cur)
            if cur not in self.keys:
                self.read[cur] = None
                continue
            text = self.read[cur] = str(self.job.lookup(self.keys[cur]))
            info = text_info(text)
            self.unsafe = self.unsafe or info.unsafe
            # job-side time() is the job's business: the same in every path
            for scope, ref in info.refs:
                if ref == "*":
                    self.unsafe = self.unsafe or "the job reads the slot as a whole (TARGET[...])"
                elif scope == "target" or ref not in self.keys:
                    out.add(ref)
                else:
                    todo.append(ref)
        found = self._memo[name] = frozenset(out)
        return found

    def all_names(self) -> FrozenSet[str]:
        out: set = set()
        for key in self.keys:
            out |= self.slot_names(key)
        return frozenset(out)


def _group(cache: _PoolCache, roots: FrozenSet[str], reach: _JobReach, side: Side) -> None:
    """Split the slots into classes, following each branch's own references.

    A branch is a set of slots that agree on every text read so far; it is
    split on the texts of the columns those texts reference next, until no new
    column is referenced. Columns of literals end a branch at once (vectorised).
    """
    n = cache.n
    gid = np.empty(n, dtype=np.int64)
    reps: List[np.ndarray] = []
    class_columns: List[FrozenSet[str]] = []
    class_clock: List[bool] = []
    unsafe = None
    stack = [(np.arange(n), frozenset(), roots & cache.present, False)]
    while stack:
        idx, done, frontier, reads_clock = stack.pop()
        if not frontier:
            gid[idx] = len(class_columns)
            reps.append(idx[:1])
            class_columns.append(done)
            class_clock.append(reads_clock)
            continue
        names = sorted(frontier)
        sub, k = _subgroups(cache, idx, names)
        done = done | frontier
        cols = [cache.column(name) for name in names]
        if all(col.is_leaf for col in cols):
            base = len(class_columns)
            gid[idx] = base + sub
            first = np.empty(k, dtype=np.int64)
            first[sub[::-1]] = idx[::-1]
            reps.append(first)
            class_columns.extend([done] * k)
            class_clock.extend([reads_clock] * k)
            continue
        order = np.argsort(sub, kind="stable")
        bounds = np.flatnonzero(np.diff(sub[order])) + 1
        for members in np.split(idx[order], bounds):
            row = members[0]
            nxt: set = set()
            branch_clock = reads_clock
            for col in cols:
                text = col.texts[col.codes[row]]
                if text is None:
                    continue
                info = text_info(text)
                unsafe = unsafe or info.unsafe
                if info.reads_clock:
                    branch_clock = True
                    nxt.update(CLOCK_COLUMNS)
                for scope, ref in info.refs:
                    if ref == "*":
                        nxt |= reach.all_names()
                        continue
                    # unscoped: the slot's own attribute where it has one, else the job's
                    nxt |= reach.slot_names(ref)
                    if scope != "target":
                        nxt.add(ref)
            stack.append((members, done, (frozenset(nxt) & cache.present) - done, branch_clock))
    side.gid = gid
    side.reps = np.concatenate(reps) if reps else np.zeros(0, dtype=np.int64)
    side.class_columns = class_columns
    side.class_clock = class_clock
    side.reads_clock = any(class_clock)
    side.fallback = side.fallback or unsafe


def _side(snapshot: Snapshot, job: ClassAd, name: str) -> Side:
    cache = _cache_for(snapshot)
    # A grouping is reused for another job that reads the same job texts: the
    # branches consulted the job through those texts only.
    for known in cache.sides[name]:
        if all(_job_text(job, key) == text for key, text in known.job_texts):
            return known
    reach = _JobReach(job)
    side = Side(name)
    if name == JOB_SIDE:
        roots = reach.slot_names("requirements")
    else:
        roots = frozenset({"requirements"})
    if len(snapshot):
        _group(cache, roots, reach, side)
    side.fallback = side.fallback or reach.unsafe
    side.job_texts = tuple(sorted(reach.read.items()))
    if side.fallback is not None:
        side.gid = side.reps = None
        side.class_columns = []
    cache.sides[name].append(side)
    if len(cache.sides[name]) > 64:
        cache.sides[name].pop(0)
    return side


def _job_text(job: ClassAd, name: str) -> Optional[str]:
    try:
        return str(job.lookup(name))
    except KeyError:
        return None


def slot_classes(snapshot: Snapshot, job: ClassAd) -> SlotClasses:
    """Group the slots of ``snapshot`` into classes that ``job`` cannot tell apart,
    once per half of the match."""
    return SlotClasses(
        _side(snapshot, job, JOB_SIDE), _side(snapshot, job, SLOT_SIDE), len(snapshot)
    )


def fast_match(snapshot: Snapshot, job: ClassAd) -> np.ndarray:
    """A boolean per slot, equal to ``plain_match(snapshot, job)``, one evaluation per class."""
    job_ok, slot_ok = fast_sides(snapshot, job)
    return job_ok & slot_ok


def fast_sides(snapshot: Snapshot, job: ClassAd) -> Tuple[np.ndarray, np.ndarray]:
    """(job accepts slot, slot accepts job) per slot, as ``summary.plain_sides`` gives.

    The first is the job's Requirements with the slot as TARGET
    (``slot.matches(job)``), the second the slot's with the job as TARGET
    (``job.matches(slot)``); a slot matches when both hold.
    """
    classes = slot_classes(snapshot, job)
    # copies: the answers stay cached for the next job that reads the same texts
    return (
        _side_answers(snapshot, job, classes.job_side).copy(),
        _side_answers(snapshot, job, classes.slot_side).copy(),
    )


def _ask(job: ClassAd, slot: ClassAd, side: str) -> bool:
    # a.matches(b) evaluates b's Requirements in the context of a.
    return bool(slot.matches(job)) if side == JOB_SIDE else bool(job.matches(slot))


# Answers per class, across snapshots and jobs: {half key: {class texts: answer}}.
_ANSWERS: OrderedDict = OrderedDict()
_MAX_KEYS = 64
_ANSWERS_LOCK = threading.Lock()
_MAX_ANSWERS = 500_000  # per key; a full table is simply started afresh


def clear_caches() -> None:
    """Forget remembered answers and per-snapshot work (benchmarks measure cold runs).

    A snapshot is taken as immutable once matched: replacing ``snapshot.ads`` is
    noticed, but code that edits cells of ``snapshot.ads`` in place must call this.
    """
    _ANSWERS.clear()
    _CACHES.clear()
    _TEXT_INFO.clear()


def _side_answers(snapshot: Snapshot, job: ClassAd, side: Side) -> np.ndarray:
    """One half of the match for every slot, evaluated once per class."""
    if side.fallback is not None:
        return np.array([_ask(job, slot, side.name) for slot in snapshot.classads()], dtype=bool)
    if len(snapshot) == 0:
        return np.zeros(0, dtype=bool)
    if side.answers is None:
        side.answers = _class_answers(snapshot, job, side)[side.gid]
    return side.answers


def _class_answers(snapshot: Snapshot, job: ClassAd, side: Side) -> np.ndarray:
    cache = _cache_for(snapshot)
    memo_key = (side.name, side.job_texts)
    with _ANSWERS_LOCK:  # Dask may run tasks in threads of one process
        answers = _ANSWERS.get(memo_key)
        if answers is None:
            answers = _ANSWERS[memo_key] = {}
            while len(_ANSWERS) > _MAX_KEYS:
                _ANSWERS.popitem(last=False)
        else:
            _ANSWERS.move_to_end(memo_key)
            if len(answers) > _MAX_ANSWERS:
                answers.clear()
    result = np.zeros(side.n_classes, dtype=bool)
    exprs: Dict[str, ExprTree] = {}
    # Classes with the same key columns are handled together.
    patterns: Dict[Tuple[FrozenSet[str], bool], List[int]] = {}
    for i, key in enumerate(zip(side.class_columns, side.class_clock, strict=True)):
        patterns.setdefault(key, []).append(i)
    for (own, reads_clock), members in patterns.items():
        reps = side.reps[members]
        names = tuple(sorted(own))
        shown = [snapshot.display_name(name) for name in names]
        cells = [cache.column(name).texts[cache.column(name).codes[reps]] for name in names]
        # A class is known by its columns and their texts (None where absent),
        # and the half's answer by those and the job texts it reads; so answers
        # carry over to other snapshots. A class that reads the clock may read
        # the snapshot's time too.
        tail = (snapshot.time,) if reads_clock else ()
        rows = zip(*cells, strict=True) if cells else [()] * len(members)
        # One ad per pattern, edited from class to class: consecutive classes
        # mostly differ in one text (cheaper than building each ad anew).
        slot, held = None, None
        for i, row, texts in zip(members, reps, rows, strict=True):
            signature = (names, texts, *tail)
            known = answers.get(signature)
            if known is None:
                if slot is None or reads_clock:
                    slot = _representative(snapshot, cache, shown, texts, int(row), reads_clock)
                else:
                    _edit(slot, shown, held, texts, exprs)
                held = texts
                known = answers[signature] = _ask(job, slot, side.name)
            result[i] = known
    return result


def _edit(slot: ClassAd, names, held, texts, exprs: Dict[str, ExprTree]) -> None:
    """Turn ``slot`` (holding ``held``) into the ad holding ``texts``."""
    for name, old, new in zip(names, held, texts, strict=True):
        if new == old:
            continue
        if new is None:
            del slot[name]
        else:
            expr = exprs.get(new)
            if expr is None:
                expr = exprs[new] = ExprTree(new)
            slot[name] = expr


def _representative(snapshot: Snapshot, cache: _PoolCache, names, texts, row: int,
                    reads_clock: bool) -> ClassAd:
    """A class's first slot as a ClassAd holding only the attributes the class reaches
    (nothing else can be read during this half of the match)."""
    cells = [(name, text) for name, text in zip(names, texts, strict=True) if text is not None]
    if reads_clock and snapshot.time:
        # time() frozen as Snapshot.classad_text freezes it (simulator.clock).
        own = {name: _cell(cache, name, row) for name in CLOCK_COLUMNS}
        when = clock.slot_time(own, snapshot.time)
        plain = own["currenttime"] is None
        cells = [(k, clock.freeze_time(v, when, current_time=plain)) for k, v in cells]
    return ClassAd("[" + "; ".join(f"{k} = {v}" for k, v in cells) + "]")


def _cell(cache: _PoolCache, name: str, row: int) -> Optional[str]:
    if name not in cache.present:
        return None
    col = cache.column(name)
    return col.texts[col.codes[row]]

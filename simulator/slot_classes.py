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

Costs grow with the number of classes, not slots: each column is factorized
once per snapshot, group ids are cached per set of columns, and answers are
remembered per class text across snapshots (a pool that drifts a little from
day to day re-evaluates only the classes that changed).

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

import dataclasses
import re
import weakref
from collections import OrderedDict
from typing import Dict, FrozenSet, List, Optional, Tuple

import numpy as np
import pandas as pd

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


@dataclasses.dataclass
class _Grouping:
    gid: np.ndarray  # class id per slot
    reps: np.ndarray  # one slot index per class (its first slot)


class _PoolCache:
    """Per-snapshot work shared by every job matched against it."""

    def __init__(self, snapshot: Snapshot):
        self.frame = snapshot.ads
        self.n = len(snapshot.ads)
        self.columns: Dict[str, _Column] = {}
        self.groupings: Dict[Tuple[str, ...], _Grouping] = {}

    def column(self, name: str) -> _Column:
        col = self.columns.get(name)
        if col is None:
            codes, uniques = pd.factorize(self.frame[name], use_na_sentinel=True)
            texts = np.empty(len(uniques) + 1, dtype=object)
            texts[:-1] = uniques
            info = _NO_REFS
            for text in texts[:-1]:
                info = info | text_info(text)
            col = _Column(codes.astype(np.int32, copy=False), texts, info)
            self.columns[name] = col
        return col

    def grouping(self, names: Tuple[str, ...]) -> _Grouping:
        found = self.groupings.get(names)
        if found is not None:
            return found
        # Refine the largest cached grouping on a subset of these columns.
        wanted = set(names)
        base: Optional[Tuple[str, ...]] = None
        for key in self.groupings:
            bigger = base is None or len(key) > len(base)
            if bigger and len(key) < len(names) and wanted.issuperset(key):
                base = key
        if base is None:
            gid, size = np.zeros(self.n, dtype=np.int64), 1
        else:
            gid = self.groupings[base].gid.astype(np.int64)
            size = len(self.groupings[base].reps)
        for name in names:
            if base is not None and name in base:
                continue
            col = self.column(name)
            radix = len(col.texts)
            if radix == 2 and not (col.codes < 0).any():
                continue  # one text in every slot: splits nothing
            if size * radix >= 2**62:
                gid, size = _compact(gid, size)
            gid = gid * radix + (col.codes + 1)
            size *= radix
        gid, size = _compact(gid, size)
        reps = np.empty(size, dtype=np.int64)
        reps[gid[::-1]] = np.arange(self.n - 1, -1, -1)
        grouping = _Grouping(gid.astype(np.int32), reps)
        self.groupings[names] = grouping
        return grouping


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
# columns (a ladder step changes only the job half; the slot half, usually the
# costlier, is shared by every profile built on the same job template).
JOB_SIDE = "job"
SLOT_SIDE = "slot"


@dataclasses.dataclass
class Side:
    """One half of the match, grouped: the columns in its key and its classes.

    ``job_texts`` are the job attributes the half reads (text, or None where the
    job lacks one); with the columns they decide its answers. ``fallback`` says
    why this half is evaluated one slot at a time instead.
    """

    name: str
    columns: Tuple[str, ...]
    job_texts: Tuple[Tuple[str, Optional[str]], ...]
    reads_clock: bool
    fallback: Optional[str] = None
    gid: Optional[np.ndarray] = None
    reps: Optional[np.ndarray] = None

    @property
    def n_classes(self) -> int:
        return 0 if self.reps is None else len(self.reps)


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


def reached(snapshot: Snapshot, job: ClassAd, side: str) -> Side:
    """What one half of the match can read: slot columns, job attributes, the clock.

    The job half starts at the job's Requirements, the slot half at the slot's;
    references are followed through both ads with ClassAd scoping (an unscoped
    name is the ad's own attribute where it has one, else the other ad's).
    """
    cache = _cache_for(snapshot)
    present = set(snapshot.ads.columns)
    job_keys = {key.lower(): key for key in job}
    seen_job: Dict[str, Optional[str]] = {}
    seen_slot: set = set()
    todo: List[Tuple[str, str]] = [(side, "requirements")]
    reads_clock = False
    unsafe = None
    while todo:
        where, name = todo.pop()
        if where == JOB_SIDE:
            if name in seen_job:
                continue
            if name not in job_keys:
                seen_job[name] = None
                continue
            text = seen_job[name] = str(job.lookup(job_keys[name]))
            info = text_info(text)
            # job-side time() is the job's business: the same in every path
            for scope, ref in info.refs:
                if ref == "*":
                    unsafe = unsafe or "the job reads the slot as a whole (TARGET[...])"
                elif scope == "target" or ref not in job_keys:
                    todo.append((SLOT_SIDE, ref))
                else:
                    todo.append((JOB_SIDE, ref))
        else:
            if name in seen_slot:
                continue
            seen_slot.add(name)
            if name not in present:
                continue
            info = cache.column(name).info
            reads_clock = reads_clock or info.reads_clock
            for scope, ref in info.refs:
                if ref == "*":
                    todo.extend((JOB_SIDE, key) for key in job_keys)
                    continue
                # unscoped: the slot's own attribute where it has one, else the job's
                todo.append((JOB_SIDE, ref))
                if scope != "target":
                    todo.append((SLOT_SIDE, ref))
        unsafe = unsafe or info.unsafe
    columns = set(seen_slot & present)
    if reads_clock:
        columns.update(c for c in CLOCK_COLUMNS if c in present)
    return Side(side, tuple(sorted(columns)), tuple(sorted(seen_job.items())), reads_clock, unsafe)


def slot_classes(snapshot: Snapshot, job: ClassAd) -> SlotClasses:
    """Group the slots of ``snapshot`` into classes that ``job`` cannot tell apart,
    once per half of the match."""
    halves = []
    for name in (JOB_SIDE, SLOT_SIDE):
        side = reached(snapshot, job, name)
        if side.fallback is None and len(snapshot):
            grouping = _cache_for(snapshot).grouping(side.columns)
            side.gid, side.reps = grouping.gid, grouping.reps
        halves.append(side)
    return SlotClasses(halves[0], halves[1], len(snapshot))


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
    return _side_answers(snapshot, job, classes.job_side), _side_answers(
        snapshot, job, classes.slot_side
    )


def _ask(job: ClassAd, slot: ClassAd, side: str) -> bool:
    # a.matches(b) evaluates b's Requirements in the context of a.
    return bool(slot.matches(job)) if side == JOB_SIDE else bool(job.matches(slot))


# Answers per class, across snapshots and jobs: {half key: {class texts: answer}}.
_ANSWERS: OrderedDict = OrderedDict()
_MAX_KEYS = 256


def clear_caches() -> None:
    """Forget remembered answers and per-snapshot work (benchmarks measure cold runs)."""
    _ANSWERS.clear()
    _CACHES.clear()
    _TEXT_INFO.clear()


def _side_answers(snapshot: Snapshot, job: ClassAd, side: Side) -> np.ndarray:
    """One half of the match for every slot, evaluated once per class."""
    if side.fallback is not None:
        return np.array([_ask(job, slot, side.name) for slot in snapshot.classads()], dtype=bool)
    if len(snapshot) == 0:
        return np.zeros(0, dtype=bool)
    cache = _cache_for(snapshot)
    # A class is known by its texts (None where absent), and the half's answer by
    # those and the job attributes it reads.
    cols = [cache.column(name) for name in side.columns]
    if cols:
        signatures = list(zip(*(col.texts[col.codes[side.reps]] for col in cols), strict=True))
    else:
        signatures = [()] * side.n_classes
    clock = snapshot.time if side.reads_clock else None
    memo_key = (side.name, side.columns, side.job_texts, clock)
    answers = _ANSWERS.get(memo_key)
    if answers is None:
        answers = _ANSWERS[memo_key] = {}
        while len(_ANSWERS) > _MAX_KEYS:
            _ANSWERS.popitem(last=False)
    else:
        _ANSWERS.move_to_end(memo_key)
    result = np.zeros(side.n_classes, dtype=bool)
    todo = []
    for i, sig in enumerate(signatures):
        known = answers.get(sig)
        if known is None:
            todo.append(i)
        else:
            result[i] = known
    rows = [int(side.reps[i]) for i in todo]
    for i, slot in zip(todo, _representatives(snapshot, side, rows), strict=True):
        result[i] = answers[signatures[i]] = _ask(job, slot, side.name)
    return result[side.gid]


def _representatives(snapshot: Snapshot, side: Side, rows: List[int]):
    """The slots at ``rows`` as ClassAds holding only the reached attributes (nothing
    else can be read during this half of the match)."""
    columns = list(side.columns)
    if side.reads_clock:
        # Let the snapshot write the ads, so time() is frozen exactly as in the plain path.
        sub = dataclasses.replace(snapshot, ads=snapshot.ads.iloc[rows][columns])
        for j in range(len(rows)):
            yield ClassAd(sub.classad_text(j))
        return
    frame = snapshot.ads
    names = [snapshot.display_name(c) for c in columns]
    positions = [frame.columns.get_loc(c) for c in columns]
    values = frame.iloc[rows, positions].to_numpy(dtype=object)
    for j in range(len(rows)):
        parts = [
            f"{names[k]} = {values[j, k]}"
            for k in range(len(columns))
            if isinstance(values[j, k], str)
        ]
        yield ClassAd("[" + "; ".join(parts) + "]")

"""Slot classes: match a job against a whole pool by evaluating one slot per class.

A match (``symmetricMatch``) can only look at the slot attributes that the two
``Requirements`` expressions reach: the job's references into the slot, the
slot's own ``Requirements`` (usually ``START && WithinResourceLimits``) and
whatever those reach in turn, through either ad. Two slots whose reached
attributes have the same expression *text* therefore give the same answer. So,
as the negotiator's autoclusters do, we group the slots on those texts,
evaluate one representative slot per group with HTCondor's own library, and
broadcast the answer. The result equals ``simulator.match.plain_match`` slot
for slot; anything the analysis cannot bound (``random()``, ``eval()``, an
unknown function, a ``parent.``/``super.`` scope) falls back to the plain path.

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
>>> slot_classes(pool, job).n_classes
2
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections import OrderedDict
from typing import Dict, FrozenSet, List, Optional, Tuple

import numpy as np
import pandas as pd

from simulator.condor import ClassAd, ExprTree, parse_one
from simulator.match import plain_match
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
    for name in """
    isUndefined isError isString isInteger isReal isList isClassAd isBoolean isAbstime isReltime
    member identicalMember size sum avg min max anyCompare allCompare
    strcat join toUpper toLower substr strcmp stricmp
    versioncmp versionLE versionLT versionGE versionGT versionEQ version_in_range
    regexp regexpMember regexps replace replaceAll
    int real string bool unparse floor ceil ceiling round pow quantize
    ifThenElse interval stringListsIntersect debug
    stringListSize stringListSum stringListAvg stringListMin stringListMax
    stringListMember stringListIMember stringList_regexpMember
    stringListSubsetMatch stringListISubsetMatch
    splitUserName splitSlotName split envV1ToV2 mergeEnvironment listToArgs argsToList
    userHome userMap evalInEachContext countMatches
    """.split()
)
# Functions that read the clock. The snapshot freezes time() per ad to its
# capture time, so these are constant per ad given the clock's attributes.
TIME_FUNCTIONS = frozenset(
    name.lower()
    for name in """
    time currentTime timeZoneOffset dayTime splitTime formatTime absTime relTime
    getYear getMonth getDayOfYear getDayOfMonth getDayOfWeek getDays getHours getMinutes getSeconds
    """.split()
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
# A conservative scan of the unparsed text for calls: a match inside a string
# literal can only make the analysis more careful, never less.
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_CURRENT_TIME = re.compile(r"\bcurrenttime\b", re.IGNORECASE)
# MY[name] and a bare MY reach attributes by computed names, and externalRefs
# does not report them: such a text is not bounded.
_WHOLE_MY = re.compile(r"\bmy\b(?!\s*\.)", re.IGNORECASE)
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
        if "'" in ref or '"' in ref or "[" in ref:
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
    if _WHOLE_MY.search(text):
        unsafe = "reference to MY as a whole"
    calls = {name.lower() for name in _CALL.findall(text)}
    reads_clock = bool(calls & TIME_FUNCTIONS)
    if _CURRENT_TIME.search(text):
        # The library resolves a bare CurrentTime to the clock and does not
        # report it as a reference; keep it as a name too, in case an ad sets it.
        reads_clock = True
        refs.add(("", "currenttime"))
    unknown = sorted(calls - PURE_FUNCTIONS - TIME_FUNCTIONS)
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
            if len(key) < len(names) and wanted.issuperset(key):
                if base is None or len(key) > len(base):
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


@dataclasses.dataclass
class SlotClasses:
    """How one job splits one pool: the columns in the key and the classes.

    ``fallback`` names why the plain path is needed instead (then the other
    fields are empty).
    """

    columns: Tuple[str, ...]
    gid: np.ndarray
    reps: np.ndarray
    reads_clock: bool
    fallback: Optional[str] = None

    @property
    def n_classes(self) -> int:
        return len(self.reps)


def reached_columns(snapshot: Snapshot, job: ClassAd) -> Tuple[Tuple[str, ...], bool, Optional[str]]:
    """The slot columns a match of ``job`` can read, whether they read the clock, and
    why the analysis gives up (None if it does not)."""
    cache = _cache_for(snapshot)
    present = set(snapshot.ads.columns)
    job_keys = {key.lower(): key for key in job.keys()}
    seen_job: set = set()
    seen_slot: set = set()
    todo: List[Tuple[str, str]] = [("job", "requirements"), ("slot", "requirements")]
    reads_clock = False
    unsafe = None
    while todo:
        side, name = todo.pop()
        if side == "job":
            if name in seen_job or name not in job_keys:
                continue
            seen_job.add(name)
            info = text_info(str(job.lookup(job_keys[name])))
            # job-side time() runs on the real clock in every path alike
            for scope, ref in info.refs:
                if ref == "*":
                    unsafe = unsafe or "the job reads the slot as a whole (TARGET[...])"
                elif scope == "target" or ref not in job_keys:
                    todo.append(("slot", ref))
                else:
                    todo.append(("job", ref))
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
                    todo.extend(("job", key) for key in job_keys)
                    continue
                # unscoped: the slot's own attribute where it has one, else the job's
                todo.append(("job", ref))
                if scope != "target":
                    todo.append(("slot", ref))
        unsafe = unsafe or info.unsafe
    columns = set(seen_slot & present)
    if reads_clock:
        columns.update(c for c in CLOCK_COLUMNS if c in present)
    return tuple(sorted(columns)), reads_clock, unsafe


def slot_classes(snapshot: Snapshot, job: ClassAd) -> SlotClasses:
    """Group the slots of ``snapshot`` into classes that ``job`` cannot tell apart."""
    columns, reads_clock, unsafe = reached_columns(snapshot, job)
    empty = np.zeros(0, dtype=np.int64)
    if unsafe is not None:
        return SlotClasses(columns, empty, empty, reads_clock, fallback=unsafe)
    if len(snapshot) == 0:
        return SlotClasses(columns, empty, empty, reads_clock)
    grouping = _cache_for(snapshot).grouping(columns)
    return SlotClasses(columns, grouping.gid, grouping.reps, reads_clock)


# Answers per class text, across snapshots: {(job text, columns, clock): {texts: bool}}.
_ANSWERS: "OrderedDict[tuple, Dict[tuple, bool]]" = OrderedDict()
_MAX_JOBS = 64


def fast_match(snapshot: Snapshot, job: ClassAd) -> np.ndarray:
    """A boolean per slot, equal to ``plain_match(snapshot, job)``, one evaluation per class."""
    classes = slot_classes(snapshot, job)
    if classes.fallback is not None:
        return plain_match(snapshot, job)
    if len(snapshot) == 0:
        return np.zeros(0, dtype=bool)
    cache = _cache_for(snapshot)
    # A class is known by its texts (None where absent); answers are kept by those.
    cols = [cache.column(name) for name in classes.columns]
    if cols:
        signatures = list(zip(*(col.texts[col.codes[classes.reps]] for col in cols)))
    else:
        signatures = [()] * classes.n_classes
    memo_key = (str(job), classes.columns, snapshot.time if classes.reads_clock else None)
    answers = _ANSWERS.get(memo_key)
    if answers is None:
        answers = _ANSWERS[memo_key] = {}
        while len(_ANSWERS) > _MAX_JOBS:
            _ANSWERS.popitem(last=False)
    else:
        _ANSWERS.move_to_end(memo_key)
    result = np.zeros(classes.n_classes, dtype=bool)
    todo = []
    for i, sig in enumerate(signatures):
        known = answers.get(sig)
        if known is None:
            todo.append(i)
        else:
            result[i] = known
    if todo:
        for i, ok in zip(todo, _evaluate(snapshot, job, classes, [classes.reps[i] for i in todo])):
            result[i] = ok
            answers[signatures[i]] = ok
    return result[classes.gid]


def _evaluate(snapshot: Snapshot, job: ClassAd, classes: SlotClasses, rows: List[int]):
    """symmetricMatch of the job with each representative slot, built from its reached
    attributes only (nothing else can be read during the match)."""
    columns = list(classes.columns)
    if classes.reads_clock:
        # Let the snapshot rebuild the ads, so time() is frozen exactly as in the plain path.
        sub = dataclasses.replace(snapshot, ads=snapshot.ads.iloc[rows][columns])
        for j in range(len(rows)):
            yield bool(job.symmetricMatch(sub.classad(j)))
        return
    frame = snapshot.ads
    names = [snapshot.display_name(c) for c in columns]
    positions = [frame.columns.get_loc(c) for c in columns]
    values = frame.iloc[rows, positions].to_numpy(dtype=object) if columns else None
    for j in range(len(rows)):
        parts = [
            f"{names[k]} = {values[j, k]}"
            for k in range(len(columns))
            if isinstance(values[j, k], str)
        ]
        yield bool(job.symmetricMatch(parse_one("[" + "; ".join(parts) + "]")))

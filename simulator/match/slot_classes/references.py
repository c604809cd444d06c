"""Which slot attributes an expression can reach: references, clock use and safety.

References are found with the library's ``externalRefs`` (never by parsing
expressions here), followed case-insensitively and with ClassAd scoping: an
unscoped name is looked up in MY first, then in TARGET. A text that calls a
function the analysis cannot bound (``random()``, ``eval()``, an unknown one),
reads ``MY[name]`` or a ``parent.``/``super.`` scope is marked unsafe, and its
half of the match is evaluated one slot at a time instead.

>>> sorted(text_info('TARGET.OpSys == "LINUX"').refs)
[('target', 'opsys')]
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, FrozenSet, Optional, Tuple

from simulator.model.condor import ClassAd, ExprTree

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
# What Snapshot.classad_text reads to freeze time() in one ad (simulator.model.clock):
# the ad's own MyCurrentTime (else the snapshot's time, part of the answer cache
# key), and whether the ad defines CurrentTime itself.
CLOCK_COLUMNS = ("mycurrenttime", "currenttime")

# Scopes other than MY/TARGET make a reference relative to a nested ad; we do
# not follow those, so they send the match to the plain path.
_OPAQUE_SCOPES = frozenset({"parent", "super", "toplevel", "root"})
# A cell that is a single literal has no references and calls nothing; this
# only skips the library for the commonest cells, it decides nothing else.
LITERAL = re.compile(
    r'-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|"[^"\\]*(?:\\.[^"\\]*)*"|(?i:true|false|undefined|error)'
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
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
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


NO_REFS = TextInfo()
TEXT_INFO: Dict[str, TextInfo] = {}


def text_info(text: str) -> TextInfo:
    """References, clock use and safety of one expression text (cached).

    >>> sorted(text_info("TARGET.Memory >= RequestMemory && MY.Cpus > 0").refs)
    [('', 'cpus'), ('', 'requestmemory'), ('target', 'memory')]
    >>> text_info("random(10) > 5").unsafe
    'calls random()'
    """
    info = TEXT_INFO.get(text)
    if info is None:
        info = _analyze(text)
        if len(TEXT_INFO) > 200_000:
            TEXT_INFO.clear()
        TEXT_INFO[text] = info
    return info


def _analyze(text: str) -> TextInfo:
    if LITERAL.fullmatch(text):
        return NO_REFS
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


class JobReach:
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
            todo.extend(self._refs(text, out))
        found = self._memo[name] = frozenset(out)
        return found

    def text_names(self, text: str) -> FrozenSet[str]:
        """The slot attributes reached from an expression ``text`` evaluated in the job."""
        out: set = set()
        for name in self._refs(text, out):
            out |= self.slot_names(name)
        return frozenset(out)

    def _refs(self, text: str, out: set) -> list:
        """Adds to ``out`` the slot attributes ``text`` reads directly; returns the job
        attributes it reads (to follow). An unscoped name the job lacks is read from the
        slot, and its absence from the job is noted as a text read (None): another job
        that has it reads it instead."""
        info = text_info(text)
        self.unsafe = self.unsafe or info.unsafe
        follow = []
        # job-side time() is the job's business: the same in every path
        for scope, ref in info.refs:
            if ref == "*":
                self.unsafe = self.unsafe or "the job reads the slot as a whole (TARGET[...])"
            elif scope == "target":
                out.add(ref)
            elif ref not in self.keys:
                self.read[ref] = None
                out.add(ref)
            else:
                follow.append(ref)
        return follow

    def all_names(self) -> FrozenSet[str]:
        out: set = set()
        for key in self.keys:
            out |= self.slot_names(key)
        return frozenset(out)

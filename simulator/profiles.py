"""Job profiles: real job ads whose Requirements are written one way or another.

A profile is what a user would submit: a job ad built on a template (what
``condor_submit`` and the access point add: Owner, JobUniverse, Request* …)
with its own Requirements. The ladder runs from the loosest way of asking for
"Linux" to the tightest, each step relative to a reference machine (the
user's desktop; by default the pool's most common tribe):

========  ====================================================================
opsys     ``TARGET.OpSys == "LINUX"``
major     same major release as the reference (``OpSysMajorVer``)
release   exact ``redhat_version`` where the reference has one, else ``OpSysAndVer``
kernel    exact ``kernel_version`` (else HTCondor's own ``UtsnameRelease``, the same ``uname -r``)
glibc     ``versionGE(TARGET.glibc_base_version, "2.5")``: glibc at least the reference's
java      ``versionGE(TARGET.JavaSpecificationVersion, "1.6")``: Java at least the reference's
vm        ``TARGET.HasHardwareVirt && TARGET.HasKVM``: the job brings its own OS
========  ====================================================================

>>> from simulator.condor import ClassAd
>>> job = with_requirements(load_template("plain"), 'TARGET.OpSys == "LINUX"')
>>> str(job.lookup("Requirements")), job["RequestCpus"]
('TARGET.OpSys == "LINUX"', 1)
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from simulator.condor import ClassAd, ExprTree, ParserType, parse_ads, parse_one, quote
from simulator.exceptions import ProfileError, RequirementsError
from simulator.snapshot import Snapshot

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_TEMPLATE = "plain"
LADDER = ("opsys", "major", "release", "kernel", "glibc", "java", "vm")


@dataclasses.dataclass
class Profile:
    """One way of writing a job: its name, its job ad and the Requirements used."""

    name: str
    job: ClassAd
    requirements: str


# --- parsing ----------------------------------------------------------------


def parse_requirements(text: str, where: str = "") -> ExprTree:
    """Parse a Requirements expression with HTCondor's parser, or raise RequirementsError.

    The library says only that the text does not parse, so the position is
    found with the same parser: the longest prefix that some completion turns
    into an expression is where the text went wrong.
    """
    label = f"{where}: " if where else ""
    if not text.strip():
        raise RequirementsError(f"{label}empty requirement")
    try:
        return ExprTree(text)
    except Exception:  # classad2 raises ClassAdException or ValueError
        pos = _error_position(text)
    raise RequirementsError(
        f"{label}cannot parse requirement {text!r} at character {pos + 1}: "
        f"{_caret(text, pos)}"
    )


# Endings that complete most valid prefixes of an expression: a missing
# operand, closing brackets, a closing quote.
_COMPLETIONS = ("", " x", ")", " x)", "))", " x))", '"', '")', "]", " x]", "}", " x}", ")))")


def _parses(text: str) -> bool:
    try:
        ExprTree(text)
        return True
    except Exception:
        return False


def _error_position(text: str) -> int:
    """Index of the first character the parser cannot accept (len(text) = ends too early)."""
    for end in range(len(text), -1, -1):
        prefix = text[:end]
        if any(_parses(prefix + tail) for tail in _COMPLETIONS):
            # text[:end] is a valid start; at len(text) the text merely ends too early.
            return end if end == len(text) else _skip_space(text, end)
    return 0


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _caret(text: str, pos: int) -> str:
    if pos >= len(text):
        return "expression ends too early"
    return f"unexpected {text[pos:pos + 12]!r}"


def with_requirements(template: ClassAd, requirements, where: str = "") -> ClassAd:
    """A copy of ``template`` whose Requirements is ``requirements`` (text or ExprTree)."""
    job = ClassAd(str(template))
    if isinstance(requirements, str):
        requirements = parse_requirements(requirements, where)
    job["Requirements"] = requirements
    return job


# --- job ads and templates --------------------------------------------------


def load_template(name_or_path) -> ClassAd:
    """A job-ad template: ``plain``, ``ospool`` or the path of an old-syntax ad file."""
    path = Path(name_or_path)
    if not path.exists() and (TEMPLATES / f"{name_or_path}.ad").exists():
        path = TEMPLATES / f"{name_or_path}.ad"
    ads = read_job_file(path)
    if len(ads) != 1:
        raise ProfileError(f"{path}: a template holds one job ad, found {len(ads)}")
    return ads[0]


_ASSIGN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=(.*)$", re.S)


def read_job_file(path) -> List[ClassAd]:
    """The job ads in a file: old syntax (``condor_q -l``), ``condor_q -json``, or ``[ … ]``.

    Old syntax is read line by line so that a bad line is named (HTCondor's
    old-syntax reader silently drops it); each value is parsed by HTCondor.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read job ad: {exc.strerror or exc}") from None
    stripped = text.lstrip()
    if stripped.startswith("[") or stripped.startswith("{"):
        return _read_structured(path, text)
    ads: List[ClassAd] = []
    current: Optional[ClassAd] = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            current = None
            continue
        if line.lstrip().startswith("#") or line.startswith("-- "):
            continue
        match = _ASSIGN.match(line)
        if not match:
            raise ProfileError(f"{path}: ad {len(ads) + (current is None)}, line {number}: "
                               f"not an 'Attr = value' line: {line.strip()[:60]!r}")
        name, value = match.group(1), match.group(2).strip()
        try:
            expr = ExprTree(value)
        except Exception:
            raise ProfileError(
                f"{path}: ad {len(ads) + (current is None)}, line {number}: "
                f"cannot parse the value of {name}: {value[:60]!r}"
            ) from None
        if current is None:
            current = ClassAd()
            ads.append(current)
        current[name] = expr
    if not ads:
        raise ProfileError(f"{path}: no job ad in the file")
    return ads


def _read_structured(path: Path, text: str) -> List[ClassAd]:
    try:
        json.loads(text)
    except ValueError as exc:
        if re.match(r"\s*(\{|\[\s*\{)", text):  # JSON objects, but broken
            line = getattr(exc, "lineno", "?")
            reason = getattr(exc, "msg", exc)
            raise ProfileError(f"{path}: line {line}: broken JSON ({reason})") from None
        kind = "new"
        spans = [text]
    else:
        # Each object's own text goes to HTCondor's JSON parser, which decodes
        # the "\\/Expr(...)\\/" strings (Python's json would lose the escape).
        kind = "JSON"
        spans = list(_json_objects(text))
    ads: List[ClassAd] = []
    for span in spans:
        try:
            if kind == "JSON":
                ads.append(parse_one(span, ParserType.JSON))
            else:
                ads.extend(parse_ads(span, ParserType.New))
        except Exception as exc:
            raise ProfileError(
                f"{path}: ad {len(ads) + 1}: cannot parse the job ad ({kind} syntax): {exc}"
            ) from None
    if not ads:
        raise ProfileError(f"{path}: no job ad in the file")
    return ads


def _json_objects(text: str):
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1 if text.lstrip().startswith("[") else 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,]":
            pos += 1
        if pos >= len(text):
            return
        _, end = decoder.raw_decode(text, pos)
        yield text[pos:end]
        pos = end


# --- the reference machine --------------------------------------------------


def reference_slot(snapshot: Snapshot, name: Optional[str] = None) -> int:
    """Row of the reference machine: the slot named ``name`` (Name or Machine), or
    by default a slot of the pool's most common tribe, the most common one
    within it, first by Name.
    """
    if len(snapshot) == 0:
        raise ProfileError(f"{snapshot.source}: the pool has no slots")
    # Cells hold expression text, so compare with the name as a ClassAd string literal.
    names = _texts(snapshot, "Name")
    if name is not None:
        wanted = quote(name)
        machines = _texts(snapshot, "Machine")
        for i in range(len(names)):
            if wanted in (names[i], machines[i]):
                return i
        raise ProfileError(f"{snapshot.source}: no slot or machine named {name!r}")
    keys = _tribe_keys(snapshot)
    best_tribe = _mode(keys)
    members = [i for i, key in enumerate(keys) if key == best_tribe]
    facts = [_texts(snapshot, a) for a in ("OpSysMajorVer", "glibc_base_version",
                                           "JavaSpecificationVersion", "HasHardwareVirt", "HasKVM")]
    details = [tuple(column[i] for column in facts) for i in range(len(snapshot))]
    best_detail = _mode([details[i] for i in members])
    members = [i for i in members if details[i] == best_detail]
    return min(members, key=lambda i: (names[i] or "", i))


def slot_name(snapshot: Snapshot, i: int) -> str:
    """Slot i's Name (``slot N`` when it has none)."""
    name = _value(snapshot, i, "Name")
    return name if isinstance(name, str) else f"slot {i + 1}"


def tribe(snapshot: Snapshot, i: int) -> Tuple[str, str, str]:
    """Slot i's tribe: what a binary built on one machine cares about.

    (release, kernel, glibc) as expression texts: ``redhat_version`` else
    ``OpSysAndVer``, ``kernel_version`` else ``UtsnameRelease``, ``glibc_version``.
    """
    return _tribe_keys(snapshot)[i]


def tribes(snapshot: Snapshot) -> List[Tuple]:
    """Every slot's tribe, in slot order."""
    return _tribe_keys(snapshot)


def _tribe_keys(snapshot: Snapshot) -> List[Tuple]:
    redhat, opsysandver = _texts(snapshot, "redhat_version"), _texts(snapshot, "OpSysAndVer")
    kernels, uname = _texts(snapshot, "kernel_version"), _texts(snapshot, "UtsnameRelease")
    glibcs = _texts(snapshot, "glibc_version")
    return [
        (
            redhat[i] if redhat[i] is not None else opsysandver[i],
            kernels[i] if kernels[i] is not None else uname[i],
            glibcs[i],
        )
        for i in range(len(snapshot))
    ]


def _mode(keys: Sequence) -> object:
    counts: Dict[object, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    # most common; ties go to the first seen, so the choice is stable
    return max(counts, key=lambda k: counts[k])


def _texts(snapshot: Snapshot, attr: str) -> List[Optional[str]]:
    try:
        column = snapshot.ads[snapshot.column(attr)]
    except KeyError:
        return [None] * len(snapshot)
    return [text if isinstance(text, str) else None for text in column]


# --- the ladder -------------------------------------------------------------


def _value(snapshot: Snapshot, i: int, attr: str):
    """The reference slot's evaluated value of ``attr`` (None when it has none)."""
    try:
        column = snapshot.column(attr)
    except KeyError:
        return None
    text = snapshot.ads[column].iloc[i]
    if not isinstance(text, str):
        return None
    value = snapshot.classad(i).eval(snapshot.display_name(column))
    return value if isinstance(value, (str, int, float, bool)) else None


def _literal(value) -> str:
    return quote(value) if isinstance(value, str) else str(value).lower() \
        if isinstance(value, bool) else str(value)


def _opsys(get) -> Optional[str]:
    opsys = get("OpSys") or "LINUX"
    return f"TARGET.OpSys == {_literal(opsys)}"


def _major(get) -> Optional[str]:
    major = get("OpSysMajorVer")
    if major is not None:
        return f"{_opsys(get)} && TARGET.OpSysMajorVer == {_literal(major)}"
    release = get("redhat_version")
    found = re.search(r"release (\d+)", release or "")
    if found:
        # Before OpSysMajorVer existed the major release was only in the text.
        return f'{_opsys(get)} && regexp("release {found.group(1)}[^0-9]", TARGET.redhat_version)'
    return None


def _release(get) -> Optional[str]:
    if get("redhat_version") is not None:
        return f"TARGET.redhat_version == {_literal(get('redhat_version'))}"
    if get("OpSysAndVer") is not None:
        return f"TARGET.OpSysAndVer == {_literal(get('OpSysAndVer'))}"
    return None


def _exact(attr) -> Callable:
    def build(get):
        value = get(attr)
        return None if value is None else f"TARGET.{attr} == {_literal(value)}"

    return build


def _at_least(attr, prefix="") -> Callable:
    def build(get):
        value = get(attr)
        if value is None:
            return None
        # versionGE compares "1.6" and "17" as versions, not as text or floats.
        return f"{prefix}versionGE(TARGET.{attr}, {_literal(str(value))})"

    return build


def _kernel(get) -> Optional[str]:
    # The cron hook's kernel_version where it runs; HTCondor's UtsnameRelease
    # (the same uname -r) everywhere else.
    return _exact("kernel_version")(get) or _exact("UtsnameRelease")(get)


def _vm(get) -> str:
    return "TARGET.HasHardwareVirt && TARGET.HasKVM"


_BUILDERS = {
    "opsys": (_opsys, "OpSys"),
    "major": (_major, "OpSysMajorVer"),
    "release": (_release, "redhat_version or OpSysAndVer"),
    "kernel": (_kernel, "kernel_version or UtsnameRelease"),
    "glibc": (_at_least("glibc_base_version", 'TARGET.OpSys == "LINUX" && '), "glibc_base_version"),
    "java": (_at_least("JavaSpecificationVersion"), "JavaSpecificationVersion"),
    "vm": (_vm, None),
}


def ladder(
    snapshot: Snapshot,
    template: ClassAd,
    *,
    reference: Optional[str] = None,
    names: Iterable[str] = LADDER,
    notes: Optional[List[str]] = None,
) -> List[Profile]:
    """The ladder's profiles relative to the reference slot of ``snapshot``.

    A step whose attribute the reference lacks is left out, with a note.
    """
    i = reference_slot(snapshot, reference)
    cache: Dict[str, object] = {}

    def get(attr):
        if attr not in cache:
            cache[attr] = _value(snapshot, i, attr)
        return cache[attr]

    ref_name = slot_name(snapshot, i)
    profiles = []
    for name in names:
        if name not in _BUILDERS:
            raise ProfileError(f"unknown profile {name!r}; the ladder is {', '.join(LADDER)}")
        build, needs = _BUILDERS[name]
        requirements = build(get)
        if requirements is None:
            if notes is not None:
                notes.append(
                    f"profile {name} left out: the reference slot {ref_name} has no {needs}"
                )
            continue
        job = with_requirements(template, requirements, name)
        profiles.append(Profile(name, job, requirements))
    return profiles


# --- profiles the user names ------------------------------------------------

_NAMED = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=(?![=?!])(.*)$", re.S)


def from_requirements(texts: Sequence[str], template: ClassAd) -> List[Profile]:
    """Profiles from ``--requirements`` values: ``EXPR`` (named req1, req2 …) or ``NAME=EXPR``."""
    profiles = []
    for n, text in enumerate(texts, start=1):
        name, expr = f"req{n}", text
        named = _NAMED.match(text)
        if named:
            name, expr = named.group(1), named.group(2)
        tree = parse_requirements(expr.strip(), f"--requirements #{n}")
        profiles.append(Profile(name, with_requirements(template, tree), expr.strip()))
    return profiles


def from_job_files(paths: Sequence) -> List[Profile]:
    """Profiles from job ad files, used as they are; named after the file stem."""
    profiles = []
    for path in paths:
        path = Path(path)
        ads = read_job_file(path)
        for n, job in enumerate(ads, start=1):
            name = path.stem if len(ads) == 1 else f"{path.stem}.{n}"
            expr = job.lookup("Requirements") if "Requirements" in job else None
            if expr is None:
                raise ProfileError(f"{path}: ad {n} has no Requirements")
            profiles.append(Profile(name, job, str(expr)))
    return profiles

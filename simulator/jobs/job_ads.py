"""Job ads: the templates profiles are built on, job ad files, and Requirements put into them.

A template is what ``condor_submit`` and the access point add (Owner,
JobUniverse, Request* …); ``with_requirements`` copies one with the
Requirements of a profile. Job ad files come as ``condor_q -l``, ``-json``
or new-syntax ``[ … ]``.

>>> job = with_requirements(load_template("plain"), 'TARGET.OpSys == "LINUX"')
>>> str(job.lookup("Requirements")), job["RequestCpus"]
('TARGET.OpSys == "LINUX"', 1)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import List, Optional

from simulator.data import TEMPLATES
from simulator.jobs.expressions import parse_requirements
from simulator.model.condor import (
    ClassAd,
    ParserType,
    UnwritableValue,
    parse_ads,
    parse_one,
    parse_whole,
    value_text,
)
from simulator.model.errors import ProfileError
from simulator.model.text import STRICT_JSON, JSONRefused, read_text, unparsable_expression

DEFAULT_TEMPLATE = "plain"


def with_requirements(template: ClassAd, requirements, where: str = "") -> ClassAd:
    """A copy of ``template`` whose Requirements is ``requirements`` (text or ExprTree)."""
    job = ClassAd(str(template))
    if isinstance(requirements, str):
        requirements = parse_requirements(requirements, where)
    job["Requirements"] = requirements
    return job


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
    text = read_text(path, ProfileError)
    stripped = text.lstrip()
    if stripped.startswith("[") or stripped.startswith("{"):
        ads = _read_structured(path, text)
    else:
        ads = _read_old(path, text)
    seen: dict = {}
    for n, ad in enumerate(ads, start=1):
        # Job ads are copied through their text (ClassAd(str(job)), pickling): every value
        # must read back as itself.
        for key in ad:
            try:
                value_text(ad, key, seen)
            except UnwritableValue as exc:
                raise ProfileError(f"{path}: ad {n}: {exc}") from None
        if "Requirements" in ad:  # within the limits of a Requirements the user writes
            parse_requirements(str(ad.lookup("Requirements")), f"{path}: ad {n}")
    return ads


def _read_old(path: Path, text: str) -> List[ClassAd]:
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
            expr = parse_whole(value)  # all of it: the library alone stops at a stray "]"
        except ValueError:
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
        STRICT_JSON.decode(text)
    except JSONRefused as exc:
        raise ProfileError(f"{path}: {exc}") from None
    except RecursionError:  # Python's decoder recurses once per level of [ or {
        raise ProfileError(f"{path}: lists or objects nested too deep for the JSON "
                           "parser") from None
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
                bad = unparsable_expression(json.loads(span))
                if bad:
                    raise ValueError(f"attribute {bad[0]!r}: the expression {bad[1][:60]!r} "
                                     "does not parse")
                ad = parse_one(span, ParserType.JSON)
                lost = [k for k in json.loads(span) if k.lower() not in {a.lower() for a in ad}]
                if lost:
                    raise ValueError(f"attribute {lost[0]!r} cannot be read")
                ads.append(ad)
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

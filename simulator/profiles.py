"""Job profiles: real job ads whose Requirements are written one way or another.

A profile is what a user would submit: a job ad built on a template
(``simulator.job_ads``) with its own Requirements. Profiles come from the
requirement ladder (``simulator.ladder``), from ``--requirements`` values or
from job ad files; the names of those modules are re-exported here.

>>> [p.name for p in from_requirements(["x=TARGET.Memory >= 1024", "true"],
...                                    load_template("plain"))]
['x', 'req2']
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import List, Sequence

from simulator.job_ads import (  # noqa: F401  (re-exported)
    DEFAULT_TEMPLATE,
    TEMPLATES,
    load_template,
    read_job_file,
    with_requirements,
)
from simulator.ladder import LADDER, ladder  # noqa: F401  (re-exported)
from simulator.model.condor import ClassAd
from simulator.model.errors import ProfileError
from simulator.model.tribes import reference_slot, slot_name, tribe, tribes  # noqa: F401  (re-exported)
from simulator.requirements_text import parse_requirements


@dataclasses.dataclass
class Profile:
    """One way of writing a job: its name, its job ad and the Requirements used."""

    name: str
    job: ClassAd
    requirements: str


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

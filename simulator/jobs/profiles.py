"""Job profiles: real job ads whose Requirements are written one way or another.

A profile is what a user would submit: a job ad built on a template
(``simulator.jobs.job_ads``) with its own Requirements. Profiles come from the
requirement ladder (``simulator.jobs.ladder``), from ``--requirements`` values or
from job ad files.

>>> [p.name for p in from_requirements(["x=TARGET.Memory >= 1024", "true"],
...                                    load_template("plain"))]
['x', 'req2']
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Sequence

from simulator.jobs.expressions import parse_requirements
from simulator.jobs.job_ads import load_template, read_job_file, with_requirements  # noqa: F401  (load_template: doctest)
from simulator.jobs.profile import Profile
from simulator.model.condor import ClassAd
from simulator.model.errors import ProfileError

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

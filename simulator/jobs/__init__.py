"""Jobs as users write them: job-ad templates, job ad files, Requirements text, profiles and
the requirement ladder.

>>> [p.name for p in from_requirements(["x=TARGET.Memory >= 1024"], load_template("plain"))]
['x']
"""

from simulator.jobs.expressions import parse_requirements
from simulator.jobs.job_ads import (
    DEFAULT_TEMPLATE,
    TEMPLATES,
    load_template,
    read_job_file,
    with_requirements,
)
from simulator.jobs.ladder import LADDER, ladder
from simulator.jobs.profile import Profile
from simulator.jobs.profiles import from_job_files, from_requirements

__all__ = [
    "DEFAULT_TEMPLATE",
    "LADDER",
    "TEMPLATES",
    "Profile",
    "from_job_files",
    "from_requirements",
    "ladder",
    "load_template",
    "parse_requirements",
    "read_job_file",
    "with_requirements",
]

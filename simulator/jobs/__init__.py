"""Jobs as users write them: job-ad templates, job ad files, Requirements text, profiles and
the requirement ladder.

>>> [p.name for p in from_requirements(["x=TARGET.Memory >= 1024"], load_template("plain"))]
['x']
"""

from simulator.jobs.choice import choose_profiles
from simulator.jobs.expressions import (
    MAX_CHARS,
    MAX_CLAUSES,
    MAX_NESTING,
    parse_expression,
    parse_requirements,
)
from simulator.jobs.job_ads import (
    DEFAULT_TEMPLATE,
    TEMPLATES,
    load_template,
    read_job_file,
    with_requirements,
)
from simulator.jobs.ladder import LADDER, ladder
from simulator.jobs.profile import Profile
from simulator.jobs.profiles import from_job_files, from_requirements, from_submit_files
from simulator.jobs.submit import (
    JobWriter,
    SubmitHost,
    condor_version,
    read_submit,
    submit_requirements,
)

__all__ = [
    "DEFAULT_TEMPLATE",
    "JobWriter",
    "SubmitHost",
    "choose_profiles",
    "condor_version",
    "from_submit_files",
    "read_submit",
    "submit_requirements",
    "LADDER",
    "MAX_CHARS",
    "MAX_CLAUSES",
    "MAX_NESTING",
    "TEMPLATES",
    "Profile",
    "from_job_files",
    "from_requirements",
    "ladder",
    "load_template",
    "parse_expression",
    "parse_requirements",
    "read_job_file",
    "with_requirements",
]

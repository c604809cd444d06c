"""A job profile: one way of writing a job, as a name, a job ad and its Requirements text."""

from __future__ import annotations

import dataclasses

from simulator.model.condor import ClassAd


@dataclasses.dataclass
class Profile:
    """One way of writing a job: its name, its job ad and the Requirements used."""

    name: str
    job: ClassAd
    requirements: str

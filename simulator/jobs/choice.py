"""Which profiles a run asks for: ladder steps, ``--requirements`` texts, submit files and
queued job ads, all on one template and one submit host."""

from __future__ import annotations

from typing import List, Optional, Sequence

from simulator.jobs.job_ads import load_template
from simulator.jobs.ladder import LADDER, ladder, submit_host_of
from simulator.jobs.profile import Profile
from simulator.jobs.profiles import from_job_files, from_requirements, from_submit_files
from simulator.jobs.submit import JobWriter, SubmitHost
from simulator.jobs.submit import condor_version as version_of
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot
from simulator.model.tribes import reference_slot


def choose_profiles(first: Snapshot, *, profiles: Optional[Sequence[str]] = None,
                    requirements: Sequence[str] = (), job_files: Sequence = (),
                    submit_files: Sequence = (), template="plain",
                    reference: Optional[str] = None, submit_host: Optional[str] = None,
                    condor_version: Optional[str] = None, as_written: bool = False,
                    notes: Optional[List[str]] = None):
    """The profiles a run asks for, and the reference slot's index when the ladder runs.

    The ladder runs when ``profiles`` names steps, or when nothing else names a profile.
    Ladder steps, ``requirements`` and submit files are jobs as condor_submit writes them,
    from ``submit_host`` (``ARCH/OPSYS``; default: the reference slot's) with the rules of
    ``condor_version`` (default: the template's ``CondorVersion``); job files are queued ads,
    taken as they are. ``as_written`` matches the Requirements exactly as written, without
    condor_submit's clauses.
    """
    notes = notes if notes is not None else []
    template_ad = load_template(template)
    ref = reference_slot(first, reference)
    host = SubmitHost.parse(submit_host) if submit_host else submit_host_of(first, ref)
    version = version_of(template_ad, condor_version) if condor_version else None
    writer = JobWriter(template_ad, host, version, appends=not as_written)
    chosen: List[Profile] = []
    index = None
    user = bool(requirements or job_files or submit_files)
    if profiles or not user:
        # "opsys,kernel," and "opsys,opsys" mean what they say: no empty name, none twice.
        names = list(dict.fromkeys(n.strip() for n in (profiles or ()) if n.strip()))
        index = ref
        chosen += ladder(first, template_ad, reference=reference,
                              names=names or LADDER, notes=notes, writer=writer)
    elif reference:
        notes.append("--reference is for the ladder; add --profiles to run ladder steps")
    chosen += from_requirements(list(requirements), template_ad, writer)
    submitted = from_submit_files(list(submit_files), template_ad, writer)
    notes += [note for profile in submitted for note in profile.notes]
    chosen += submitted
    chosen += from_job_files(list(job_files))
    if not chosen:
        raise TribesError("no profile to run")
    names = [p.name for p in chosen]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise TribesError(f"two profiles are named {', '.join(twice)}: give each its own NAME=")
    return chosen, index

"""The requirement ladder: from the loosest way of asking for "Linux" to the tightest.

Each step is relative to a reference machine (the user's desktop; by default
the pool's most common tribe, see ``simulator.model.tribes``):

========  ====================================================================
opsys     ``TARGET.OpSys == "LINUX"``
major     same major release as the reference (``OpSysMajorVer``)
release   exact ``redhat_version`` where the reference has one, else ``OpSysAndVer``
kernel    exact ``kernel_version`` (else HTCondor's own ``UtsnameRelease``, the same ``uname -r``)
glibc     ``versionGE(TARGET.glibc_base_version, "2.5")``: glibc at least the reference's
java      ``versionGE(TARGET.JavaSpecificationVersion, "1.6")``: Java at least the reference's
microarch the reference's x86-64 level or above (``TARGET.Microarch == "x86_64-v3" || …``)
vm        the VM universe (a kvm image): ``HasVM``, ``VM_Type``, ``VM_AvailNum``
container the container universe with a SIF image: ``TARGET.HasContainer && TARGET.HasSIF``
========  ====================================================================

>>> from simulator import pools
>>> from simulator.jobs.job_ads import load_template
>>> [p.written for p in ladder(pools.generate("pool_2010"), load_template("plain"),
...                            names=["opsys", "kernel"])]
['TARGET.OpSys == "LINUX"', 'TARGET.kernel_version == "2.6.18-164.9.1.el5"']
"""

from __future__ import annotations

import re
from typing import Callable, Dict, Iterable, List, Optional

from simulator.jobs.profile import Profile
from simulator.jobs.submit import JobWriter, SubmitHost
from simulator.model.condor import ClassAd, ExprTree, quote
from simulator.model.errors import ProfileError
from simulator.model.snapshot import Snapshot
from simulator.model.tribes import reference_slot, slot_name, slot_value

LADDER = ("opsys", "major", "release", "kernel", "glibc", "java", "microarch", "vm", "container")


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


MICROARCH_LEVELS = ("x86_64-v1", "x86_64-v2", "x86_64-v3", "x86_64-v4")


def _microarch(get) -> Optional[str]:
    # At least the reference's x86-64 level: what a program built there for its CPU needs.
    level = get("Microarch")
    if level not in MICROARCH_LEVELS:
        return None
    ok = MICROARCH_LEVELS[MICROARCH_LEVELS.index(level):]
    return " || ".join(f"TARGET.Microarch == {_literal(v)}" for v in ok)


# Ways out of the tribes: the job brings its own OS. Not a requirements line but a universe:
# the job attributes it sets, and the clauses condor_submit writes for them
# (simulator.jobs.submit), which --as-written matches alone.
UNIVERSE_STEPS = {
    "vm": ({"JobUniverse": 13, "JobVMType": "kvm", "JobVMMemory": 1024},
           "(TARGET.HasVM =?= true) && (TARGET.VM_Type == MY.JobVMType) && "
           "(TARGET.VM_AvailNum > 0)", "universe = vm, vm_type = kvm"),
    "container": ({"WantContainer": True, "ContainerImage": "image.sif"},
                  "TARGET.HasContainer && TARGET.HasSIF",
                  "universe = container, container_image = image.sif"),
}


# The attribute a pool must publish at all for a universe step to mean something.
UNIVERSE_NEEDS = {"vm": "HasVM", "container": "HasContainer"}


def _universe(name) -> Callable:
    def build(get):
        return UNIVERSE_STEPS[name][1]

    return build


_BUILDERS = {
    "opsys": (_opsys, "OpSys"),
    "major": (_major, "OpSysMajorVer"),
    "release": (_release, "redhat_version or OpSysAndVer"),
    "kernel": (_kernel, "kernel_version or UtsnameRelease"),
    "glibc": (_at_least("glibc_base_version", 'TARGET.OpSys == "LINUX" && '), "glibc_base_version"),
    "java": (_at_least("JavaSpecificationVersion"), "JavaSpecificationVersion"),
    "microarch": (_microarch, "Microarch"),
    "vm": (_universe("vm"), None),
    "container": (_universe("container"), None),
}


def ladder(
    snapshot: Snapshot,
    template: ClassAd,
    *,
    reference: Optional[str] = None,
    names: Iterable[str] = LADDER,
    notes: Optional[List[str]] = None,
    writer: Optional[JobWriter] = None,
) -> List[Profile]:
    """The ladder's profiles relative to the reference slot of ``snapshot``.

    Each step's expression is what the user writes; ``writer`` (default: condor_submit on
    the reference slot's Arch and OpSys) appends what condor_submit appends. A step whose
    attribute the reference lacks is left out, with a note.
    """
    i = reference_slot(snapshot, reference)
    cache: Dict[str, object] = {}

    def get(attr):
        if attr not in cache:
            cache[attr] = slot_value(snapshot, i, attr)
        return cache[attr]

    ref_name = slot_name(snapshot, i)
    writer = writer or JobWriter(template, submit_host_of(snapshot, i))
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
        if name in UNIVERSE_STEPS:
            needed = UNIVERSE_NEEDS[name]
            if needed.lower() not in snapshot.ads.columns:
                if notes is not None:
                    notes.append(f"profile {name} left out: no slot of {snapshot.source} "
                                 f"publishes {needed}")
                continue
            job, full, requirements = _universe_job(writer, name)
        else:
            job, full = writer.write(requirements, name)
        profiles.append(Profile(name, job, full, requirements))
    return profiles


def submit_host_of(snapshot: Snapshot, i: int) -> SubmitHost:
    """The reference slot as the submit host: its Arch and OpSys (X86_64/LINUX if it has none)."""
    arch, opsys = slot_value(snapshot, i, "Arch"), slot_value(snapshot, i, "OpSys")
    return SubmitHost(arch if isinstance(arch, str) else "X86_64",
                      opsys if isinstance(opsys, str) else "LINUX")


def _universe_job(writer: JobWriter, name: str):
    """(job, its Requirements, what the user wrote) for a universe step."""
    import dataclasses

    attrs, clauses, _ = UNIVERSE_STEPS[name]
    template = ClassAd(str(writer.template))
    for attr, value in attrs.items():
        template[attr] = value
    if not writer.appends:
        job = ClassAd(str(template))
        job["Requirements"] = ExprTree(clauses)
        return job, clauses, clauses
    job, full = dataclasses.replace(writer, template=template).write(None, name)
    return job, full, clauses

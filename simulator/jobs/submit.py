"""Jobs as ``condor_submit`` writes them: the clauses it appends to a user's Requirements.

The rules follow ``src/condor_utils/submit_utils.cpp`` (``SubmitHash::SetRequirements``,
``SetRequestMem``, ``SetRequestDisk``) and ``metric_units.cpp: parse_int64_bytes``:

- the user's text in parentheses, then, unless the expression already names it:
  ``(TARGET.Arch == "<submit host arch>")`` (vanilla, container, docker, vm); for vanilla
  ``(TARGET.OpSys == "<submit host opsys>")`` unless any of OpSys, OpSysAndVer,
  OpSysLongName, OpSysShortName, OpSysName, OpSysLegacy is named (a container or docker
  job never gets it); java universe: ``TARGET.HasJava``; docker: ``TARGET.HasDocker``;
  container (or vanilla with ``container_image``): ``TARGET.HasContainer`` and, by the image,
  ``TARGET.HasDockerURL`` (``docker://``), ``TARGET.HasSIF`` (``.sif``) or
  ``TARGET.HasSandboxImage`` (a directory); vm: ``(TARGET.HasVM =?= true)``,
  ``(TARGET.VM_Type == MY.JobVMType)``, ``(TARGET.VM_AvailNum > 0)``;
- ``(TARGET.Disk >= RequestDisk)`` (``TotalDisk >= DiskUsage`` for vm without a request),
  ``(TARGET.Memory >= RequestMemory)`` unless it is a literal ≤ 1 (before 8.7.10: 0) (vm:
``TotalMemory`` and
  ``VM_Memory`` against ``JobVMMemory``), ``(TARGET.Cpus >= RequestCpus)`` unless a literal
  ≤ 1, ``(TARGET.GPUs >= RequestGPUs)`` for a positive GPU request;
- by ``should_transfer_files`` (vanilla, java, container, docker): ``NO`` →
  ``(TARGET.FileSystemDomain == MY.FileSystemDomain)``, ``YES`` → ``(TARGET.HasFileTransfer)``,
  ``IF_NEEDED`` (the default) → ``((TARGET.FileSystemDomain == MY.FileSystemDomain) ||
  (TARGET.HasFileTransfer))``, unless the expression names them.

Names count as named when the expression reads them from the machine (``TARGET.x``, or a
bare ``x``), case-insensitively, as ``GetExprReferences`` sorts them.

Eras, by the template's ``CondorVersion`` (or ``condor_version``), dated with the commits
that changed them: before 7.7.6 condor_submit appended ``(TARGET.Disk >= DiskUsage)`` and
``((TARGET.Memory * 1024) >= ImageSize) && ((RequestMemory * 1024) >= ImageSize)`` (the real
7.x job ad of the fixtures shows it); before 8.6.11 IF_NEEDED put ``(TARGET.HasFileTransfer)``
first; before 8.7.10 only a memory request of 0 went without its clause; before 24.0 docker
and container jobs got no Arch clause; 25.2.1 changed the request defaults (``request_defaults``);
25.12 turned the vanilla disk clause into
``versionGE(split(TARGET.CondorVersion)[1], "25.12.0") || (TARGET.Disk >= RequestDisk)``.

Not modelled: ``APPEND_REQUIREMENTS``/``APPEND_REQ_VANILLA`` (site config: add it to the
expression), custom resources other than GPUs, transfer plugins and per-file encryption,
checkpoint-file version checks, grid and local universes.

>>> job = ClassAd({"JobUniverse": 5, "RequestCpus": 1, "RequestMemory": 1024,
...                "RequestDisk": 307200, "ShouldTransferFiles": "YES"})
>>> text = submit_requirements('TARGET.OpSysMajorVer == 9', job, SubmitHost("X86_64", "LINUX"))
>>> print(*text.split(" && "), sep=chr(10))
(TARGET.OpSysMajorVer == 9)
(TARGET.Arch == "X86_64")
(TARGET.OpSys == "LINUX")
(TARGET.Disk >= RequestDisk)
(TARGET.Memory >= RequestMemory)
(TARGET.HasFileTransfer)
"""

from __future__ import annotations

import dataclasses
import re
from typing import Optional, Set, Tuple

from simulator.jobs.expressions import parse_requirements
from simulator.model.condor import ClassAd, ExprTree, UnwritableValue, parse_whole, value_text
from simulator.model.errors import ProfileError
from simulator.model.text import read_text

VANILLA, JAVA, VM = 5, 10, 13
UNIVERSES = {"vanilla": 5, "standard": 1, "scheduler": 7, "local": 12, "grid": 9,
             "java": 10, "parallel": 11, "vm": 13, "docker": 5, "container": 5}
OPSYS_NAMES = ("opsys", "opsysandver", "opsyslongname", "opsysshortname", "opsysname",
               "opsyslegacy")
# Job attributes condor_submit defines before it looks for references (GetExprReferences).
_JOB_DUMMIES = ("RequestMemory", "VM_CkptMac", "Requirements")


@dataclasses.dataclass(frozen=True)
class SubmitHost:
    """The machine ``condor_submit`` runs on: its ``Arch`` and ``OpSys`` go into the job."""

    arch: str = "X86_64"
    opsys: str = "LINUX"

    @classmethod
    def parse(cls, text: str) -> SubmitHost:
        """``ARCH/OPSYS``, e.g. ``X86_64/LINUX``."""
        arch, slash, opsys = str(text).partition("/")
        if not slash or not arch.strip() or not opsys.strip():
            raise ProfileError(f"--submit-host {text!r}: give ARCH/OPSYS, e.g. X86_64/LINUX")
        return cls(arch.strip().upper(), opsys.strip().upper())


def condor_version(job: ClassAd, given: Optional[str] = None) -> Tuple[int, int, int]:
    """The HTCondor version whose rules apply: ``given``, else the job's CondorVersion."""
    text = given
    if text is None and "CondorVersion" in job:
        value = job.eval("CondorVersion")
        text = value if isinstance(value, str) else None
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if not found:
        if given is not None:
            raise ProfileError(f"--condor-version {given!r}: give a version such as 24.0.1")
        return (24, 0, 0)
    return tuple(int(part or 0) for part in found.groups())  # type: ignore[return-value]


def machine_refs(text: str) -> Set[str]:
    """Lower-case names the expression reads from the machine (TARGET.x or a bare x)."""
    probe = ClassAd({name: 0 for name in _JOB_DUMMIES})
    refs = set()
    for ref in probe.externalRefs(ExprTree(text)):
        if not ref:
            continue
        name = ref.split(".", 1)[1] if ref.lower().startswith("target.") else ref
        refs.add(name.split(".", 1)[0].lower())
    return refs


def _job_refs(text: str) -> Set[str]:
    """Lower-case names the expression reads from the job itself (MY.x, or a job dummy)."""
    probe = ClassAd({name: 0 for name in _JOB_DUMMIES})
    return {ref.split(".")[-1].lower() for ref in probe.internalRefs(ExprTree(text)) if ref}


def _literal_number(job: ClassAd, attr: str) -> Optional[float]:
    expr = job.lookup(attr) if attr in job else None
    if expr is None:
        return None
    try:
        value = ExprTree(str(expr)).eval()
    except Exception:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _string(job: ClassAd, attr: str) -> Optional[str]:
    if attr not in job:
        return None
    value = job.eval(attr)
    return value if isinstance(value, str) else None


def _bool(job: ClassAd, attr: str) -> bool:
    return attr in job and job.eval(attr) is True


def image_clause(image: str) -> str:
    """The clause a container image adds, by its kind (``image_type_from_string``)."""
    if image.startswith("docker://") or "://" in image and image.split("://")[0] == "docker":
        return "TARGET.HasDockerURL"
    if image.endswith(".sif"):
        return "TARGET.HasSIF"
    if image.endswith("/") or "." not in image.rsplit("/", 1)[-1]:
        return "TARGET.HasSandboxImage"
    raise ProfileError(f"container_image {image!r} must be a directory, have a docker:// "
                       "prefix, or end in .sif")


def _universe_clauses(job: ClassAd, refs: Set[str], host: SubmitHost, version) -> list:
    universe = int(_literal_number(job, "JobUniverse") or VANILLA)
    arch = [] if "arch" in refs else [f'(TARGET.Arch == "{host.arch}")']
    # Docker and container jobs got the Arch clause in 24.0 (none before).
    box_arch = arch if version >= (24, 0, 0) else []
    if universe == JAVA:
        return ["TARGET.HasJava"]
    if universe == VM:
        out = list(arch)
        out += [] if "hasvm" in refs else ["(TARGET.HasVM =?= true)"]
        out += [] if "vm_type" in refs else ["(TARGET.VM_Type == MY.JobVMType)"]
        out += [] if "vm_availnum" in refs else ["(TARGET.VM_AvailNum > 0)"]
        return out
    if _bool(job, "WantDocker"):
        return box_arch + ["TARGET.HasDocker"]
    image = _string(job, "ContainerImage")
    if _bool(job, "WantContainer") or image is not None:
        clause = "TARGET.HasContainer"
        if "DockerImage" in job:
            clause += " && TARGET.HasDockerURL"
        elif image is not None:
            clause += f" && {image_clause(image)}"
        return box_arch + [clause]
    opsys = [] if refs & set(OPSYS_NAMES) else [f'(TARGET.OpSys == "{host.opsys}")']
    return arch + opsys


def _resource_clauses(job: ClassAd, refs: Set[str], version) -> list:
    universe = int(_literal_number(job, "JobUniverse") or VANILLA)
    out = []
    if version < (7, 7, 6):  # before 7.7.6/7.8: from the executable's sizes
        if "disk" not in refs:
            out.append("(TARGET.Disk >= DiskUsage)")
        out.append("((TARGET.Memory * 1024) >= ImageSize) && "
                   "((RequestMemory * 1024) >= ImageSize)")
        return out
    if "disk" not in refs:
        disk = _literal_number(job, "RequestDisk")
        if "RequestDisk" in job and (disk is None or disk > 0):
            if universe == VANILLA and version >= (25, 12, 0):
                out.append('(versionGE(split(TARGET.CondorVersion)[1], "25.12.0") || '
                           "(TARGET.Disk >= RequestDisk))")
            else:
                out.append("(TARGET.Disk >= RequestDisk)")
        elif "RequestDisk" not in job:
            out.append("(TARGET.TotalDisk >= DiskUsage)" if universe == VM
                       else "(TARGET.Disk >= DiskUsage)")
    elif "RequestDisk" in job and universe != VM:
        out.append("(TARGET.Disk >= RequestDisk)")
    if universe == VM:
        if (_string(job, "JobVMType") or "").lower() != "xen":
            out.append("(TARGET.TotalMemory >= MY.JobVMMemory)")
        if "vm_memory" not in refs:
            out.append("(TARGET.VM_Memory >= MY.JobVMMemory)")
    else:
        memory = _literal_number(job, "RequestMemory")
        # Before 8.7.10 only a request of 0 went without a clause; since, any literal <= 1.
        floor = 0.0 if version < (8, 7, 10) else 1.0
        if "RequestMemory" in job and (memory is None or memory > floor or
                                       (floor == 0.0 and memory < 0)):
            out.append("(TARGET.Memory >= RequestMemory)")
    cpus = _literal_number(job, "RequestCpus")
    if "cpus" not in refs and "RequestCpus" in job and (cpus is None or cpus > 1.0):
        out.append("(TARGET.Cpus >= RequestCpus)")
    gpus = _literal_number(job, "RequestGPUs")
    if "gpus" not in refs and "RequestGPUs" in job and (gpus is None or gpus > 0):
        out.append("(TARGET.GPUs >= RequestGPUs)")
    return out


def _transfer_clauses(job: ClassAd, refs: Set[str], version) -> list:
    universe = int(_literal_number(job, "JobUniverse") or VANILLA)
    if universe not in (VANILLA, JAVA, VM, 11):  # mightTransfer: vanilla, java, vm, parallel
        return []
    domain = "(TARGET.FileSystemDomain == MY.FileSystemDomain)"
    should = (_string(job, "ShouldTransferFiles") or "IF_NEEDED").upper()
    checks_fs = "filesystemdomain" in refs
    if should == "NO":
        return [] if checks_fs else [domain]
    if "hasfiletransfer" in refs or "hasjobtransferplugins" in refs:
        return []
    if version < (8, 6, 11) and should == "IF_NEEDED" and not checks_fs:  # the old order
        return [f"((TARGET.HasFileTransfer) || {domain})"]
    if should == "IF_NEEDED" and not checks_fs:
        return [f"({domain} || (TARGET.HasFileTransfer))"]
    return ["(TARGET.HasFileTransfer)"]


def submit_requirements(user: Optional[str], job: ClassAd, host: SubmitHost = SubmitHost(),
                        version: Optional[Tuple[int, int, int]] = None,
                        append: Optional[str] = None) -> str:
    """The Requirements ``condor_submit`` writes for a ``requirements = user`` line
    (``None``: no line) in a job like ``job``, submitted from ``host``; ``append`` is the
    site's ``APPEND_REQUIREMENTS``."""
    version = version or condor_version(job)
    parts = [f"({user})"] if user else []
    parts += [f"({append})"] if append else []
    refs = machine_refs(" && ".join(parts)) if parts else set()
    if "requirements" in refs | (_job_refs(" && ".join(parts)) if parts else set()):
        raise ProfileError(f"Requirements = {user} is circular (it reads Requirements)")
    parts += _universe_clauses(job, refs, host, version)
    parts += _resource_clauses(job, refs, version)
    parts += _transfer_clauses(job, refs, version)
    return " && ".join(parts)


@dataclasses.dataclass
class JobWriter:
    """Writes a user's Requirements into a job as condor_submit does, on one template."""

    template: ClassAd
    host: SubmitHost = SubmitHost()
    version: Optional[Tuple[int, int, int]] = None
    appends: bool = True  # False: the Requirements exactly as written (no condor_submit)

    def write(self, user: Optional[str], where: str = "") -> Tuple[ClassAd, str]:
        """(the job ad, its whole Requirements) for a ``requirements = user`` line
        (``None``: a description without one)."""
        if user is not None:
            parse_requirements(user, where)  # the user's own text parses, alone
        full = (submit_requirements(user, self.template, self.host, self.version)
                if self.appends else user)
        job = ClassAd(str(self.template))
        job["Requirements"] = parse_requirements(full, where, appended=self.appends)
        return job, full


# --- submit descriptions ----------------------------------------------------

# Keys this model turns into job attributes (everything else is reported, never dropped
# silently): key -> job attribute for plain copies.
_COPIED = {"executable": "Cmd", "arguments": "Args", "input": "In", "output": "Out",
           "error": "Err", "log": "UserLog", "initialdir": "Iwd",
           "when_to_transfer_output": "WhenToTransferOutput", "jar_files": "JarFiles",
           "java_vm_args": "JavaVMArgs", "transfer_input_files": "TransferInput"}
_HANDLED = {"universe", "requirements", "request_cpus", "request_memory", "request_disk",
            "request_gpus", "should_transfer_files", "container_image", "docker_image",
            "vm_type", "vm_memory", "queue", *_COPIED}
_UNITS = {"": None, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
_SIZE = re.compile(r"\s*(\d+)(?:\.(\d+))?\s*([kKmMgGtT]?)[bB]?\s*\Z")


@dataclasses.dataclass
class SubmitDescription:
    """A submit file read as condor_submit reads it: the job ad it queues and what it kept."""

    path: str
    job: ClassAd
    requirements: Optional[str]  # the requirements = line, as written
    full_requirements: str  # what condor_submit writes into the job
    warnings: list


def size_in(text: str, base: int) -> Optional[int]:
    """A request with an optional K/M/G/T suffix in units of ``base`` bytes, rounded up
    (``parse_int64_bytes``); None when it is not a plain size (an expression).

    >>> size_in("2GB", 1024 ** 2), size_in("300M", 1024), size_in("1500", 1024 ** 2)
    (2048, 307200, 1500)
    """
    found = _SIZE.match(text)
    if not found:
        return None
    whole, fraction, unit = found.groups()
    value = int(whole) + (int(fraction[:3].ljust(3, "0")) / 1000 if fraction else 0)
    mult = _UNITS[unit.lower()] or base
    return int((value * mult + base - 1) // base)


def _logical_lines(text: str):
    """(line number, text) of each statement: comments dropped, ``\\`` continuations joined."""
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        start = start or number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield start, pending + line
        pending, start = "", 0
    if pending:
        yield start, pending


# The longest a value may grow by expanding macros: each doubling $(A)$(A) of the one
# before took 40 lines to a terabyte.
MAX_EXPANDED = 1 << 20


def _expand(value: str, macros: dict, where: str) -> str:
    def substitute(match) -> str:
        nonlocal size
        text = macros.get(match.group(1).lower(), match.group(0))
        size += len(text) - len(match.group(0))
        if size > MAX_EXPANDED:
            raise ProfileError(f"{where}: the value expands to more than "
                               f"{MAX_EXPANDED:,} characters (macros of macros)")
        return text

    for _ in range(20):  # nested macros, without looping forever on a cycle
        size = len(value)
        expanded = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_.]*)\)", substitute, value)
        if expanded == value:
            break
        value = expanded
    left = re.findall(r"\$\(([^)]*)\)", value)
    if left:
        raise ProfileError(f"{where}: $({left[0]}) is not defined in the submit file "
                           "(only macros the file defines are expanded)")
    return value


def read_submit(path, template: ClassAd, host: SubmitHost = SubmitHost(),
                version: Optional[Tuple[int, int, int]] = None) -> SubmitDescription:
    """The job ad a submit description queues (its first item), built on ``template``:
    resources it does not request get condor_submit's defaults of that version."""
    from pathlib import Path

    source = Path(path)
    text = read_text(source, ProfileError)
    macros: dict = {}
    attrs: dict = {}
    warnings = []
    for number, line in _logical_lines(text):
        where = f"{source}: line {number}"
        if re.match(r"\s*queue\b", line, re.I):
            break
        key, eq, value = line.partition("=")
        if not eq:
            warnings.append(f"{where}: not modelled, kept as a comment: # {line.strip()}")
            continue
        key, value = key.strip(), _expand(value.strip(), macros, where)
        if key.startswith("+") or key.lower().startswith("my."):
            attrs[key.split(".", 1)[1] if "." in key else key[1:]] = value
            continue
        macros[key.lower()] = value
        if key.lower() not in _HANDLED:
            warnings.append(f"{where}: not modelled, kept as a comment: # {key} = {value}")
    job = ClassAd(str(template))
    version = version or condor_version(template)
    for attr, text in request_defaults(version).items():
        _set_expr(job, attr, text, str(source))
    _apply(job, macros, attrs, f"{source}")
    user = macros.get("requirements")
    if user is not None:  # the user's own text parses, alone, before anything is added
        parse_requirements(user, f"{source}: requirements")
    full = submit_requirements(user, job, host, version)
    job["Requirements"] = parse_requirements(full, f"{source}: requirements", appended=True)
    return SubmitDescription(str(source), job, user, full, warnings)


def request_defaults(version: Tuple[int, int, int]) -> dict:
    """What condor_submit writes for resources a description does not request
    (``JOB_DEFAULT_REQUESTMEMORY``/``…DISK``/``…CPUS`` in ``param_info.in``; their defaults
    changed in 25.2.1, HTCONDOR-3227)."""
    if version >= (25, 2, 1):
        return {"RequestCpus": "1", "RequestMemory": "128",
                "RequestDisk": "MAX({1024, (TransferInputSizeMB+1) * 1.25}) * 1024"}
    return {"RequestCpus": "1",
            "RequestMemory": "ifthenelse(MemoryUsage =!= UNDEFINED,MemoryUsage,"
                             "(ImageSize+1023)/1024)",
            "RequestDisk": "DiskUsage"}


def _set_expr(job: ClassAd, attr: str, text: str, where: str) -> None:
    try:
        job[attr] = parse_whole(text)  # all of it: the library alone stops at a stray "]"
    except ValueError:
        raise ProfileError(f"{where}: {attr} = {text!r} does not parse") from None
    try:
        value_text(job, attr)  # a job ad is copied through its text: it must read back
    except UnwritableValue as exc:
        raise ProfileError(f"{where}: {exc}") from None


def _apply(job: ClassAd, macros: dict, attrs: dict, where: str) -> None:
    universe = macros.get("universe", "vanilla").lower()
    if universe not in UNIVERSES:
        raise ProfileError(f"{where}: universe {universe!r} is not one of "
                           f"{', '.join(sorted(UNIVERSES))}")
    job["JobUniverse"] = UNIVERSES[universe]
    for key, attr in _COPIED.items():
        if key in macros:
            job[attr] = macros[key]
    for key, attr, base in (("request_memory", "RequestMemory", 1024 ** 2),
                            ("request_disk", "RequestDisk", 1024)):
        if key in macros:
            size = size_in(macros[key], base)
            if size is not None:
                job[attr] = size
            else:
                _set_expr(job, attr, macros[key], where)
    for key, attr in (("request_cpus", "RequestCpus"), ("request_gpus", "RequestGPUs")):
        if key in macros:
            _set_expr(job, attr, macros[key], where)
    if "should_transfer_files" in macros:
        job["ShouldTransferFiles"] = macros["should_transfer_files"].upper()
    if universe == "docker" or "docker_image" in macros:
        job["WantDocker"] = universe == "docker"
        job["DockerImage"] = macros.get("docker_image", "")
    if universe == "container" or "container_image" in macros:
        job["WantContainer"] = True
        if "container_image" in macros:
            job["ContainerImage"] = macros["container_image"]
    if universe == "vm":
        job["JobVMType"] = macros.get("vm_type", "kvm").lower()
        _set_expr(job, "JobVMMemory", macros.get("vm_memory", "512"), where)
    for name, value in attrs.items():
        _set_expr(job, name, value, where)

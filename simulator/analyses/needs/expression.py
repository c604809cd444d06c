"""The loosest Requirements that is still safe for a set of programs.

Each clause states one need the programs really have, over attributes the
execute nodes publish (HTCondor's own, and the ones tribes' startd cron adds):

- ``TARGET.OpSys == "LINUX"`` and ``TARGET.Arch == "X86_64"`` for ELF programs;
- ``versionGE(TARGET.glibc_base_version, "2.34")``: the highest glibc symbol version;
- ``versionGE(TARGET.kernel_version ?: TARGET.UtsnameRelease, "3.2.0")``: the ABI tag's
  kernel (kernel_version from the cron, else HTCondor's own ``uname -r``);
- ``TARGET.Microarch`` at or above the x86-64 level the program needs (its property
  note, else its instructions: any use counts);
- ``versionGE(TARGET.JavaSpecificationVersion, "1.8")`` for class files and JARs;
- for a container image: ``TARGET.HasContainer && TARGET.HasSIF`` (or
  ``HasSandboxImage``), with the image's Arch, kernel and level.

Nothing else: no release, no exact kernel, no exact glibc build. What a program
asks of libstdc++ and the other versioned libraries no slot attribute states;
:func:`optional_clauses` writes it over the OS release for the releases tribes
knows, beside the expression, not in it (see :mod:`simulator.analyses.needs.runtimes`).
``versionGE`` compares dotted versions as numbers, so "17" is above "1.8" and "2.14" above "2.5".

>>> from simulator.analyses.needs import Needs
>>> expression([Needs("a.out", "ELF executable", opsys="LINUX", arch="X86_64", glibc="2.14")])
'TARGET.OpSys == "LINUX" && TARGET.Arch == "X86_64" && versionGE(TARGET.glibc_base_version,"2.14")'
"""

from __future__ import annotations

from typing import Iterable, List, Optional

from simulator.analyses.needs import Needs, NeedsError, highest, read_program
from simulator.analyses.needs.runtimes import RuntimeNeed, runtime_needs
from simulator.model.condor import ExprTree, quote

KERNEL_ATTR = "(TARGET.kernel_version ?: TARGET.UtsnameRelease)"
MICROARCH_ORDER = ("x86_64-v1", "x86_64-v2", "x86_64-v3", "x86_64-v4")


def flatten(needs: Iterable[Needs]) -> List[Needs]:
    """Programs and the libraries they load, each once."""
    out: List[Needs] = []
    for item in needs:
        out.append(item)
        out.extend(flatten(item.libraries))
    return out


def read_programs(paths, *, search_path=None) -> List[Needs]:
    return [read_program(p, search_path=search_path) for p in paths]


def _one(values, what: str, needs: List[Needs]) -> Optional[str]:
    distinct = sorted({v for v in values if v is not None})
    if len(distinct) > 1:
        which = ", ".join(
            f"{getattr(n, what)} ({n.path})" for n in needs if getattr(n, what) is not None
        )
        raise NeedsError(f"the programs need different {what} values, no slot has them all: "
                         f"{which}")
    return distinct[0] if distinct else None


CONTAINER_CLAUSES = {"SIF": "TARGET.HasContainer && TARGET.HasSIF",
                     "sandbox": "TARGET.HasContainer && TARGET.HasSandboxImage"}


def clauses(needs: Iterable[Needs]) -> List[str]:
    """The clauses of the loosest safe Requirements, one per real need."""
    every = flatten(needs)
    images = [n for n in every if n.container]
    if images and len(images) < len(every):
        raise NeedsError(f"{images[0].path} is a container image: give it alone, since the "
                         "programs inside it run on the image's libraries, not the node's")
    if len({n.container for n in images}) > 1 or len(images) > 1:
        raise NeedsError("give one container image at a time: a job runs in one image")
    out = []
    if images:
        out.append(CONTAINER_CLAUSES[images[0].container])
    opsys = _one([n.opsys for n in every], "opsys", every)
    arch = _one([n.arch for n in every], "arch", every)
    if opsys:
        out.append(f"TARGET.OpSys == {quote(opsys)}")
    if arch:
        out.append(f"TARGET.Arch == {quote(arch)}")
    glibc = highest(n.glibc for n in every)
    if glibc:
        out.append(f"versionGE(TARGET.glibc_base_version,{quote(glibc)})")
    kernel = highest(n.kernel for n in every)
    if kernel:
        out.append(f"versionGE({KERNEL_ATTR},{quote(kernel)})")
    levels = [n.microarch for n in every if n.microarch in MICROARCH_ORDER]
    if levels:
        level = max(levels, key=MICROARCH_ORDER.index)
        allowed = MICROARCH_ORDER[MICROARCH_ORDER.index(level):]
        out.append("(" + " || ".join(f"TARGET.Microarch == {quote(a)}" for a in allowed) + ")")
    exact = [n.java for n in every if n.java and n.java_exact]
    java = highest(n.java for n in every)
    if exact:
        out.append(f"TARGET.JavaSpecificationVersion == {quote(highest(exact))}")
    elif java:
        out.append(f"versionGE(TARGET.JavaSpecificationVersion,{quote(java)})")
    return out


def expression(needs: Iterable[Needs]) -> str:
    """The clauses joined with ``&&``, as HTCondor's parser writes them (``true`` if none)."""
    parts = clauses(needs)
    if not parts:
        return "true"
    return str(ExprTree(" && ".join(parts)))


def submit_note(expr: str) -> Optional[str]:
    """What condor_submit will add to this expression (it appends the submit machine's
    Arch and OpSys when the Requirements name neither)."""
    low = expr.lower()
    missing = [a for a in ("Arch", "OpSys") if f"target.{a.lower()}" not in low]
    if not missing:
        return None
    return (f"condor_submit appends the submit machine's {' and '.join(missing)} unless "
            f"the Requirements name {'them' if len(missing) > 1 else 'it'}; for a portable "
            "program add e.g. TARGET.OpSys =!= undefined")


def runtimes(needs: Iterable[Needs]) -> List[RuntimeNeed]:
    """What the programs (and the libraries shipped with them) need of each versioned
    library the node provides, one per library; those shipped with the programs are left out."""
    every = flatten(needs)
    shipped = {_soname(n.path) for n in every if n.kind == "ELF shared library"}
    labels: dict = {}
    for item in every:
        for lib, names in item.versions.items():
            if lib not in shipped:
                labels.setdefault(lib, set()).update(names)
    out = []
    for lib in sorted(labels):
        need = runtime_needs(lib, sorted(labels[lib]))
        if need is not None:
            out.append(need)
    return out


def _soname(path: str) -> str:
    from pathlib import Path

    return Path(path).name


def optional_clauses(needs: Iterable[Needs]) -> List[tuple]:
    """(clause, why) for the needs no slot attribute states but the OS release tells
    (see :mod:`simulator.analyses.needs.runtimes`): not in the loosest safe expression."""
    out = []
    for need in runtimes(needs):
        clause = need.clause()
        if clause:
            out.append((clause, f"{need.library} with {need.label} ({need.provider}), by OS "
                                "release: keeps only the releases in tribes' table that have it"))
    return out


def facts(needs: Iterable[Needs]) -> List[str]:
    """Every program's facts, then which file sets each version the expression asks for."""
    needs = list(needs)
    every = flatten(needs)
    out = [fact for item in every for fact in item.facts]
    for need in runtimes(needs):
        out.append(f"needs {need.library} with {need.label}: {need.provider}; "
                   f"{need.releases_text()}")
    programs = {n.path for n in needs}
    for what, label in (("glibc", "glibc"), ("kernel", "kernel"), ("java", "Java")):
        top = highest(getattr(n, what) for n in every)
        if top is None:
            continue
        setters = [n.path for n in every if getattr(n, what) == top]
        if not programs.intersection(setters):
            out.append(f"{label} {top} is asked for because of {setters[0]}, a library the "
                       "programs load (the node's own copy may need less)")
    return out

"""What a program needs from the machine that runs it, read from the program itself.

One module per kind of program: ``elf`` (executables and shared libraries;
``isa`` reads the x86-64 level their instructions need, ``runtimes`` what they
ask of libstdc++ and the other versioned libraries), ``java`` (``.class``
files and JARs), ``script`` (``#!`` lines), ``image`` (a container image, SIF
file or sandbox directory, given instead of a program). Each returns a
``Needs``; ``expression`` turns several of them into the loosest Requirements
expression that is still safe.

>>> read_program("/no/such/program")
Traceback (most recent call last):
...
simulator.analyses.needs.NeedsError: /no/such/program: no such file
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Dict, List, Optional

from simulator.model.errors import TribesError, read_error
from simulator.model.text import check_regular


class NeedsError(TribesError, ValueError):
    """A program cannot be read: missing, truncated, or not a kind tribes knows."""


@dataclasses.dataclass
class Needs:
    """What one program (or library) needs. ``None`` means no need of that kind."""

    path: str
    kind: str  # "ELF executable", "ELF shared library", "static ELF executable", "JAR", ...
    opsys: Optional[str] = None  # HTCondor OpSys: "LINUX"
    arch: Optional[str] = None  # HTCondor Arch: "X86_64", "INTEL", "aarch64" ...
    glibc: Optional[str] = None  # highest GLIBC_x.y symbol version: "2.34"
    kernel: Optional[str] = None  # minimum kernel from .note.ABI-tag: "3.2.0"
    microarch: Optional[str] = None  # x86-64 ISA level it needs: "x86_64-v3"
    microarch_why: Optional[str] = None  # "GNU property note", "AVX2: vpaddd at 0x1139 in main"
    java: Optional[str] = None  # JavaSpecificationVersion: "1.8", "17"
    java_exact: bool = False  # class files with preview features run on one release only
    interpreter: Optional[str] = None  # a script's #! line
    # versioned libraries other than glibc: soname -> the version labels asked of it
    versions: Dict[str, List[str]] = dataclasses.field(default_factory=dict)
    container: Optional[str] = None  # a container image: "SIF" or "sandbox"
    os_release: Optional[Dict[str, str]] = None  # an image's etc/os-release
    facts: List[str] = dataclasses.field(default_factory=list)
    libraries: List[Needs] = dataclasses.field(default_factory=list)


def read_program(path, *, search_path: Optional[List[str]] = None) -> Needs:
    """Read one program, whatever its kind (told by its first bytes, not its name)."""
    path = Path(path)
    if path.is_dir():
        from simulator.analyses.needs import image

        return image.read_sandbox(path)
    try:
        check_regular(path, path.stat().st_mode, NeedsError)  # a FIFO blocks, a device never ends
        with open(path, "rb") as stream:
            head = stream.read(64)
    except OSError as exc:
        raise read_error(path, exc, NeedsError) from None
    if head.startswith(b"#!/usr/bin/env run-singularity"):
        from simulator.analyses.needs import image

        if image.is_sif(head):
            return image.read_sif(path)
        raise NeedsError(f"{path}: a SIF launch line without a SIF header: not a readable "
                         "container image")
    if head.startswith(b"\x7fELF"):
        from simulator.analyses.needs import elf

        return elf.read(path, search_path=search_path)
    if head.startswith(b"\xca\xfe\xba\xbe"):
        from simulator.analyses.needs import java

        return java.read_class_file(path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        from simulator.analyses.needs import java

        return java.read_jar(path)
    if head.startswith(b"#!"):
        from simulator.analyses.needs import script

        return script.read(path)
    if not head:
        raise NeedsError(f"{path}: empty file, not a program")
    raise NeedsError(
        f"{path}: not a program tribes can read (no ELF header, Java class, JAR or #! line)"
    )


def highest(versions) -> Optional[str]:
    """The highest of several version strings, compared by HTCondor's own ``versioncmp``.

    >>> highest(["2.2.5", "2.34", "2.4"])
    '2.34'
    """
    from simulator.model.condor import ExprTree, quote

    best = None
    for version in versions:
        if version is None:
            continue
        if best is None or ExprTree(f"versioncmp({quote(version)}, {quote(best)})").eval() > 0:
            best = version
    return best

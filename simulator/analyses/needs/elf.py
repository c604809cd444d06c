"""What an ELF executable or shared library needs, read with pyelftools.

- the highest ``GLIBC_x.y`` symbol version it asks for (``.gnu.version_r``):
  the dynamic loader refuses to start it on an older glibc;
- the minimum kernel in its ``.note.ABI-tag`` (glibc's startup code stops
  with "FATAL: kernel too old" below it, static binaries included);
- its architecture (``e_machine`` → HTCondor's ``Arch``; a machine HTCondor
  names no Arch for is an error) and, on x86-64, the ISA level it needs
  (``Microarch``): the level its GNU property note marks as needed where the
  toolchain marked one above the baseline (``-mneeded``), else the level its
  own instructions need (:mod:`simulator.analyses.needs.isa`);
- the versions it asks of other versioned libraries (``GLIBCXX_3.4.30``,
  ``CXXABI_1.3.9``, ``GFORTRAN_10``, ``OPENSSL_3.0.0``): ``Needs.versions``,
  turned into facts by :mod:`simulator.analyses.needs.runtimes`;
- whether it is static, and the libraries it names (``DT_NEEDED``). Those
  outside the C runtime are looked up as the loader would (RUNPATH/RPATH,
  LD_LIBRARY_PATH, the program's folder, the system's library folders). A
  library *shipped* with the program (in its folder, or on a RUNPATH/RPATH
  that is not a system folder) is read like the program, instructions
  included, and its needs are the program's too. A system library (or one on
  LD_LIBRARY_PATH) is the node's: the node runs the program with its own copy,
  so that copy's needs are the node's business (this machine's libstdc++
  needing glibc 2.36 says nothing about the program); what the program asks
  of it (its GLIBCXX versions) is what counts, and is read from the program.

>>> needs = read("/bin/sh")  # doctest: +SKIP
>>> needs.arch, needs.glibc  # doctest: +SKIP
('X86_64', '2.34')
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

from simulator.analyses.needs import Needs, NeedsError, highest

# e_machine → the Arch value HTCondor publishes for that machine.
ARCH = {
    "EM_X86_64": "X86_64",
    "EM_386": "INTEL",
    "EM_AARCH64": "aarch64",
    "EM_PPC64": "PPC64",  # "ppc64le" when little-endian, see _arch
    "EM_PPC": "PPC",
    "EM_IA_64": "IA64",
    "EM_ARM": "ARM",
    "EM_SPARCV9": "SUN4u",
    "EM_S390": "s390x",
    "EM_RISCV": "riscv64",
}

# glibc's own libraries: their symbol versions are already in the program's
# .gnu.version_r, and the node's copies come with its glibc.
C_RUNTIME = re.compile(
    r"^(libc|libm|libpthread|libdl|librt|libutil|libresolv|libanl|libmvec|libnsl|"
    r"libBrokenLocale|libthread_db|libcrypt|libmemusage|libnss_[a-z]+|libpcprofile)\.so(\.\d+)*$"
    r"|^ld-linux[-\w.]*\.so(\.\d+)*$|^ld64\.so(\.\d+)*$"
)

# The x86-64 ISA levels, as bits of GNU_PROPERTY_X86_ISA_1_NEEDED, and HTCondor's Microarch names.
ISA_LEVELS = ((8, "x86_64-v4"), (4, "x86_64-v3"), (2, "x86_64-v2"))

_GLIBC = re.compile(r"^GLIBC_(\d+(?:\.\d+)+)$")
# Marker versions that only newer glibc releases provide (from glibc's own Versions files).
_GLIBC_MARKERS = {"GLIBC_ABI_DT_RELR": "2.36", "GLIBC_ABI_GNU2_TLS": "2.42"}

_DF_1_PIE = 0x08000000

_MULTIARCH = {"EM_X86_64": "x86_64-linux-gnu", "EM_386": "i386-linux-gnu",
              "EM_AARCH64": "aarch64-linux-gnu", "EM_PPC64": "powerpc64le-linux-gnu"}


def system_library_dirs(machine: str = "EM_X86_64", elfclass: int = 64) -> List[str]:
    """The folders the dynamic loader searches by default, for one architecture."""
    multiarch = _MULTIARCH.get(machine)
    dirs = []
    if multiarch:
        dirs += [f"/lib/{multiarch}", f"/usr/lib/{multiarch}"]
    if elfclass == 64:
        dirs += ["/lib64", "/usr/lib64"]
    dirs += ["/lib", "/usr/lib", "/usr/local/lib"]
    return dirs


def read(path, *, search_path: Optional[List[str]] = None) -> Needs:
    """The needs of one ELF file and of the libraries shipped with it.

    ``search_path``: the system's library folders, searched after RUNPATH/RPATH,
    LD_LIBRARY_PATH and the program's folder (the default ones when None).
    """
    seen: Set[str] = set()
    return _read(Path(path), search_path, seen, top=True)


def _read(path: Path, search_path, seen: Set[str], top: bool, shipped: bool = True) -> Needs:
    seen.add(os.path.realpath(path))
    try:
        with open(path, "rb") as stream:
            elf = ELFFile(stream)
            info = _parse(elf)
            if shipped:
                info["scan"] = _scan(elf, info)
    except NeedsError as exc:
        raise NeedsError(f"{path}: {exc}") from None
    except Exception as exc:  # ELFError, and construct's errors on truncated or bad offsets
        raise NeedsError(f"{path}: not a readable ELF file ({_truncated(path) or _reason(exc)})"
                         ) from None

    needs = Needs(
        path=str(path),
        kind=info["kind"],
        opsys=info["opsys"],
        arch=info["arch"],
        glibc=info["glibc"],
        kernel=info["kernel"],
        microarch=info["microarch"],
        microarch_why="GNU property note" if info["microarch"] else None,
        versions={lib: sorted(set(n for n in names if not n.startswith("GLIBC_")))
                  for lib, names in info["versions"].items()
                  if any(not n.startswith("GLIBC_") for n in names)},
    )
    scan = info.get("scan")
    if scan is not None and scan.level and scan.unreadable is None:
        needs.microarch = scan.level
        needs.microarch_why = scan.why()
    _facts(needs, info)
    if not top:
        needs.facts[0] += f", shipped with the program at {path}"
        return needs
    dirs = _library_dirs(path, info, search_path)
    system = _system_dirs(info, search_path)
    queue = [(lib, needs.path, dirs) for lib in info["needed"] if not C_RUNTIME.match(lib)]
    while queue:
        lib, wanted_by, where = queue.pop(0)
        found = _find(lib, where, info["machine"], info["elfclass"])
        if found is None:
            needs.facts.append(
                f"library {lib} (needed by {Path(wanted_by).name}): not found here; "
                "the job must bring it or the execute node must have it"
            )
            continue
        found_path, how = found
        if os.path.realpath(found_path) in seen:
            continue
        beside = (os.path.realpath(found_path.parent) == os.path.realpath(path.parent)
                  and not _in(path.parent, system))
        if not beside and (how in ("system", "LD_LIBRARY_PATH") or _in(found_path.parent, system)):
            seen.add(os.path.realpath(found_path))
            needs.facts.append(_not_shipped(lib, found_path, how, wanted_by))
            continue
        sub = _read(found_path, search_path, seen, top=False)
        needs.libraries.append(sub)
        sub_needed, sub_runpath = _needed_of(found_path)
        sub_dirs = _runpath_dirs(found_path, sub_runpath) + where
        queue += [(n, str(found_path), sub_dirs) for n in sub_needed if not C_RUNTIME.match(n)]
    return needs


def _not_shipped(lib: str, path: Path, how: str, wanted_by: str) -> str:
    """The fact for a library the program does not bring: the node's copy is used."""
    glibc = None
    try:
        with open(path, "rb") as stream:
            glibc = _parse(ELFFile(stream))["glibc"]
    except Exception:
        pass
    own = f" (this machine's copy needs glibc {glibc})" if glibc else ""
    where = "on LD_LIBRARY_PATH" if how == "LD_LIBRARY_PATH" else "a system library"
    return (f"{lib} (needed by {Path(wanted_by).name}): {where} here, at {path}, not shipped "
            f"with the program: the execute node's own copy is used, so its needs{own} are "
            "the node's business; what the program asks of it is what counts")


def _scan(elf: ELFFile, info: Dict):
    """The instruction scan of an x86-64 file whose note marks no level above the baseline."""
    if info["machine"] != "EM_X86_64" or info["microarch"]:
        return None
    from simulator.analyses.needs import isa

    try:
        return isa.scan_elf(elf, static=info["static"] or info["kind"].startswith("static"))
    except Exception as exc:
        scan = isa.Scan()
        scan.unreadable = f"its code cannot be disassembled ({_reason(exc)})"
        return scan


def _truncated(path: Path) -> Optional[str]:
    """"truncated: …" when the file ends before the tables its own header points to."""
    try:
        size = path.stat().st_size
    except OSError:
        return None
    try:
        with open(path, "rb") as stream:
            header = ELFFile(stream).header
    except Exception:
        # 52 bytes is the 32-bit ELF header; a 64-bit one is 64.
        return f"truncated: {size} bytes, shorter than an ELF header" if size < 64 else None
    ends = max(header["e_shoff"] + header["e_shnum"] * header["e_shentsize"],
               header["e_phoff"] + header["e_phnum"] * header["e_phentsize"])
    if size < ends:
        return f"truncated: {size} bytes, its header points to byte {ends}"
    return None


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _parse(elf: ELFFile) -> Dict:
    machine = elf["e_machine"]
    versions: Dict[str, List[str]] = {}
    kernel = abi_os = None
    isa_needed = 0
    needed: List[str] = []
    runpath: List[str] = []
    interp = pie = False
    notes: List = []
    for segment in elf.iter_segments():
        if segment.header.p_type == "PT_INTERP":
            interp = True
        elif segment.header.p_type == "PT_DYNAMIC" and not elf.num_sections():
            # No section headers (sstrip): the loader's own view still names the libraries.
            needed += [t.needed for t in segment.iter_tags() if t.entry.d_tag == "DT_NEEDED"]
    for section in elf.iter_sections():
        if isinstance(section, GNUVerNeedSection):
            for verneed, auxiliaries in section.iter_versions():
                versions.setdefault(verneed.name, []).extend(a.name for a in auxiliaries)
        elif isinstance(section, DynamicSection):
            for tag in section.iter_tags():
                kind = tag.entry.d_tag
                if kind == "DT_NEEDED":
                    needed.append(tag.needed)
                elif kind == "DT_RUNPATH":
                    runpath += tag.runpath.split(":")
                elif kind == "DT_RPATH":
                    runpath += tag.rpath.split(":")
                elif kind == "DT_FLAGS_1":
                    pie = pie or bool(tag.entry.d_val & _DF_1_PIE)
        elif section["sh_type"] == "SHT_NOTE":
            notes.extend(section.iter_notes())
    if not elf.num_sections():
        for segment in elf.iter_segments():
            if segment.header.p_type == "PT_NOTE":
                notes.extend(segment.iter_notes())
    for note in notes:
        if note["n_type"] == "NT_GNU_ABI_TAG":
            desc = note["n_desc"]
            abi_os = desc["abi_os"]
            kernel = f"{desc['abi_major']}.{desc['abi_minor']}.{desc['abi_tiny']}"
        elif note["n_type"] == "NT_GNU_PROPERTY_TYPE_0":
            for prop in note["n_desc"]:
                if prop["pr_type"] == "GNU_PROPERTY_X86_ISA_1_NEEDED":
                    isa_needed |= int(prop["pr_data"])
    glibc_names = [n for names in versions.values() for n in names if n.startswith("GLIBC_")]
    glibc = highest(
        [m.group(1) for m in map(_GLIBC.match, glibc_names) if m]
        + [_GLIBC_MARKERS[n] for n in glibc_names if n in _GLIBC_MARKERS]
    )
    dynamic = bool(needed) or interp
    if elf["e_type"] == "ET_EXEC" or interp:
        kind = "ELF executable" if dynamic else "static ELF executable"
    elif elf["e_type"] == "ET_DYN":
        # A static-pie executable is ET_DYN too, but marks itself DF_1_PIE.
        kind = "static-pie ELF executable" if pie and not dynamic else "ELF shared library"
    else:
        kind = f"ELF {elf['e_type']}"
    osabi = elf["e_ident"]["EI_OSABI"]
    opsys = _opsys(osabi, abi_os, glibc)
    return {
        "kind": kind,
        "machine": machine,
        "elfclass": elf.elfclass,
        "arch": _arch(machine, elf.little_endian),
        "opsys": opsys,
        "osabi": osabi,
        "glibc": glibc,
        "glibc_names": sorted(set(glibc_names)),
        "versions": versions,
        "kernel": kernel,
        "microarch": next((name for bit, name in ISA_LEVELS if isa_needed & bit), None)
        if machine == "EM_X86_64" else None,
        "needed": needed,
        "runpath": [p for p in runpath if p],
        "static": not dynamic and kind != "ELF shared library",
        "no_sections": not elf.num_sections(),
    }


def _arch(machine: str, little_endian: bool) -> str:
    if machine == "EM_PPC64" and little_endian:
        return "ppc64le"
    if machine not in ARCH:
        raise NeedsError(f"an ELF file for {machine}, a machine no HTCondor Arch names "
                         f"(tribes knows {', '.join(sorted(set(ARCH.values())))})")
    return ARCH[machine]


def _opsys(osabi: str, abi_os: Optional[str], glibc: Optional[str]) -> Optional[str]:
    if abi_os == "ELF_NOTE_OS_LINUX" or osabi == "ELFOSABI_LINUX" or glibc:
        return "LINUX"
    if osabi == "ELFOSABI_FREEBSD" or abi_os == "ELF_NOTE_OS_FREEBSD":
        return "FREEBSD"
    if osabi == "ELFOSABI_SOLARIS" or abi_os == "ELF_NOTE_OS_SOLARIS2":
        return "SOLARIS"
    # A System V ELF with no glibc versions and no ABI tag (a bare static or musl binary):
    # ELF is what Linux runs, so Linux is the safe reading.
    return "LINUX"


def _facts(needs: Needs, info: Dict) -> None:
    name = Path(needs.path).name
    facts = needs.facts
    facts.append(f"{name}: {needs.kind}, {info['machine']} (Arch {needs.arch}), "
                 f"{info['elfclass']}-bit")
    if needs.glibc:
        count = len(info["glibc_names"])
        where = f"the highest of its {count} GLIBC_ symbol versions" if count > 1 else (
            "its GLIBC_ symbol version")
        facts.append(f"{name}: glibc {needs.glibc} or newer ({where})")
    elif info["static"]:
        facts.append(f"{name}: static: no glibc needed on the node")
    if info["no_sections"] and not info["static"]:
        facts.append(f"{name}: no section headers, so its symbol versions cannot be read: "
                     "the glibc it needs is unknown and not in the expression")
    if "GLIBC_PRIVATE" in info["glibc_names"]:
        facts.append(f"{name}: uses GLIBC_PRIVATE symbols: tied to one exact glibc build")
    if needs.kernel:
        facts.append(f"{name}: kernel {needs.kernel} or newer (.note.ABI-tag)")
    if needs.microarch and needs.microarch_why == "GNU property note":
        facts.append(f"{name}: needs x86-64 ISA level {needs.microarch} (GNU property note)")
    scan = info.get("scan")
    if scan is not None:
        facts.extend(f"{name}: {text}" for text in _scan_facts(scan))
    for lib, names in sorted(info["versions"].items()):
        others = [n for n in names if not n.startswith("GLIBC_")]
        if others:
            facts.append(f"{name}: needs {lib} with {', '.join(sorted(set(others)))}")
    if info["needed"]:
        facts.append(f"{name}: loads {', '.join(info['needed'])}")


def _scan_facts(scan) -> List[str]:
    from simulator.analyses.needs import isa

    size = (f"scanned {scan.scanned} of {scan.total} bytes of code: cut at "
            f"{isa.LIMIT:,} instructions" if scan.cut else f"{scan.total} bytes of code scanned")
    out = []
    if scan.unreadable:
        out.append(f"x86-64 level not read from the instructions: {scan.unreadable}")
    elif scan.level:
        out.append(f"needs {scan.level} ({scan.why()}), read from its instructions ({size})")
    else:
        out.append(f"x86-64 baseline: no instruction beyond it ({size})")
    if scan.skipped_libc:
        out.append(f"{scan.skipped_libc} instructions of the C library's CPU-specific variants "
                   "not counted (glibc picks one at run time)")
    if scan.outside:
        uses = ", ".join(f"{name} ({hit.mnemonic} at {hit.address:#x})"
                         for name, hit in scan.outside.items())
        out.append(f"also uses {uses}, which no x86-64 level includes: no Microarch clause "
                   "can ask for them")
    return out


def _needed_of(path: Path):
    """(DT_NEEDED, RUNPATH/RPATH) of a library."""
    try:
        with open(path, "rb") as stream:
            elf = ELFFile(stream)
            section = next((s for s in elf.iter_sections() if isinstance(s, DynamicSection)), None)
            if section is None:
                return [], []
            tags = list(section.iter_tags())
            runpath = [p for t in tags if t.entry.d_tag in ("DT_RUNPATH", "DT_RPATH")
                       for p in (t.runpath if t.entry.d_tag == "DT_RUNPATH" else t.rpath
                                 ).split(":") if p]
            return [t.needed for t in tags if t.entry.d_tag == "DT_NEEDED"], runpath
    except Exception:
        return [], []


def _runpath_dirs(path: Path, runpath: List[str]) -> List:
    origin = str(path.resolve().parent)
    return [(p.replace("$ORIGIN", origin).replace("${ORIGIN}", origin), "runpath")
            for p in runpath]


def _library_dirs(path: Path, info: Dict, search_path) -> List:
    """(folder, how it is searched) in the loader's order."""
    dirs = _runpath_dirs(path, info["runpath"])
    dirs += [(d, "LD_LIBRARY_PATH") for d in os.environ.get("LD_LIBRARY_PATH", "").split(":")
             if d]
    dirs.append((str(path.resolve().parent), "origin"))
    dirs += [(d, "system") for d in (search_path if search_path is not None
                                     else system_library_dirs(info["machine"], info["elfclass"]))]
    return dirs


def _system_dirs(info: Dict, search_path) -> Set[str]:
    """The system's library folders (resolved): a library found there is the node's own."""
    dirs = list(search_path or []) + system_library_dirs(info["machine"], info["elfclass"])
    return {os.path.realpath(d) for d in dirs}


def _in(folder: Path, dirs: Set[str]) -> bool:
    return os.path.realpath(folder) in dirs


def _find(lib: str, dirs: Iterable, machine: str, elfclass: int):
    """(the first file named ``lib`` built for the same machine and class, how it was found)."""
    for folder, how in dirs:
        candidate = Path(folder) / lib
        if not candidate.is_file():
            continue
        try:
            with open(candidate, "rb") as stream:
                elf = ELFFile(stream)
                if elf["e_machine"] == machine and elf.elfclass == elfclass:
                    return candidate, how
        except Exception:
            continue
    return None

"""What a program needs of the versioned runtime libraries beside glibc, and which releases have it.

A program linked against ``libstdc++.so.6`` names, in its ``.gnu.version_r``,
the newest ``GLIBCXX_3.4.N`` and ``CXXABI_1.3.N`` it uses; the dynamic loader
refuses to start it where the node's copy is older ("version `GLIBCXX_3.4.30'
not found"). The same holds for ``libgcc_s.so.1`` (``GCC_x.y``),
``libgfortran.so.5`` (``GFORTRAN_N``) and OpenSSL's ``libssl``/``libcrypto``
(``OPENSSL_1_1_0``, ``OPENSSL_3.0.0``).

No slot attribute publishes these libraries' versions, so they are facts, not
clauses of the loosest safe Requirements. Where the OS release tells them (a
release's system libstdc++ never changes its GCC series), :func:`needs` also
writes an *optional* clause over ``OpSysName`` and ``OpSysMajorVer`` that keeps
only the releases in ``RELEASES`` known to have the versions. It is optional
because it is exact only for those releases: it shuts out every OS tribes has
no row for (SUSE, Fedora, ...), whose libraries may well be new enough, and
it is wrong for a job that brings its own copy (``-static-libstdc++``, or the
library shipped beside the program, where tribes says so instead).

``GCC_RELEASES``: the first GCC release whose libstdc++ has each symbol
version, from the libstdc++ manual, "ABI Policy and Guidelines", section
"Symbol versioning on the libstdc++.so binary"
(libstdc++-v3/doc/xml/manual/abi.xml; 13.1, 13.2 and 14.1 from the commits
that added them to it). ``GFORTRAN_N`` labels are named after the GCC release
that added them (libgfortran/gfortran.map), ``GCC_x.y.z`` ones likewise
(libgcc/libgcc-std.ver).

``RELEASES``: each release's system libstdc++ (its ``libstdc++.so.6.0.N``
names the newest GLIBCXX_3.4.N it has): EL7 GCC 4.8.5, EL8 GCC 8.5, EL9
GCC 11, EL10 GCC 14, Debian 11 GCC 10.2, Debian 12 GCC 12.2 (checked on a
Debian 12 machine: libstdc++.so.6.0.30), Debian 13 GCC 14.2, Ubuntu 20.04
libstdc++6 from GCC 10, Ubuntu 22.04 and 24.04 libstdc++6 from GCC 12 and
14 (newer than their default compilers, 11 and 13).

>>> need = runtime_needs("libstdc++.so.6", ["GLIBCXX_3.4.30", "CXXABI_1.3.9", "GLIBCXX_3.4"])
>>> need.label, need.provider
('GLIBCXX_3.4.30, CXXABI_1.3.9', 'GCC 12.1 or newer')
>>> [r.name for r in need.have]
['EL10', 'Debian 12', 'Debian 13', 'Ubuntu 22.04', 'Ubuntu 24.04']
"""

from __future__ import annotations

import dataclasses
import re
from typing import Dict, List, Optional, Sequence, Tuple

from simulator.model.condor import quote

# libstdc++ symbol version -> first GCC release that has it (abi.xml).
GLIBCXX = {
    "3.4": "3.4.0", "3.4.1": "3.4.1", "3.4.2": "3.4.2", "3.4.3": "3.4.3", "3.4.4": "4.0.0",
    "3.4.5": "4.0.1", "3.4.6": "4.0.2", "3.4.7": "4.0.3", "3.4.8": "4.1.1", "3.4.9": "4.2.0",
    "3.4.10": "4.3.0", "3.4.11": "4.4.0", "3.4.12": "4.4.1", "3.4.13": "4.4.2",
    "3.4.14": "4.5.0", "3.4.15": "4.6.0", "3.4.16": "4.6.1", "3.4.17": "4.7.0",
    "3.4.18": "4.8.0", "3.4.19": "4.8.3", "3.4.20": "4.9.0", "3.4.21": "5.1.0",
    "3.4.22": "6.1.0", "3.4.23": "7.1.0", "3.4.24": "7.2.0", "3.4.25": "8.1.0",
    "3.4.26": "9.1.0", "3.4.27": "9.2.0", "3.4.28": "9.3.0", "3.4.29": "11.1.0",
    "3.4.30": "12.1.0", "3.4.31": "13.1.0", "3.4.32": "13.2.0", "3.4.33": "14.1.0",
}  # fmt: skip
CXXABI = {
    "1.3": "3.4.0", "1.3.1": "4.0.0", "1.3.2": "4.3.0", "1.3.3": "4.4.0", "1.3.4": "4.5.0",
    "1.3.5": "4.6.0", "1.3.6": "4.7.0", "1.3.7": "4.8.0", "1.3.8": "4.9.0", "1.3.9": "5.1.0",
    "1.3.10": "6.1.0", "1.3.11": "7.1.0", "1.3.12": "9.1.0", "1.3.13": "11.1.0",
    "1.3.14": "13.1.0", "1.3.15": "14.1.0",
}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Release:
    name: str
    family: str  # a key of OPSYS_NAMES
    major: int  # OpSysMajorVer
    glibcxx: str  # newest GLIBCXX_3.4.N of its system libstdc++
    cxxabi: str  # newest CXXABI_1.3.N
    gcc: str  # the GCC its system libgcc_s and libgfortran come from
    sonames: Tuple[str, ...]  # versioned sonames it ships whose presence matters here


_SSL3 = ("libssl.so.3", "libcrypto.so.3")
_SSL11 = ("libssl.so.1.1", "libcrypto.so.1.1")
_GF5 = ("libgfortran.so.5",)
RELEASES = (
    Release("EL7", "EL", 7, "3.4.19", "1.3.7", "4.8.5", ("libgfortran.so.3",)),
    Release("EL8", "EL", 8, "3.4.25", "1.3.11", "8.5.0", _GF5 + _SSL11),
    Release("EL9", "EL", 9, "3.4.29", "1.3.13", "11.1.0", _GF5 + _SSL3),
    Release("EL10", "EL", 10, "3.4.33", "1.3.15", "14.1.0", _GF5 + _SSL3),
    Release("Debian 11", "Debian", 11, "3.4.28", "1.3.12", "10.2.0", _GF5 + _SSL11),
    Release("Debian 12", "Debian", 12, "3.4.30", "1.3.13", "12.2.0", _GF5 + _SSL3),
    Release("Debian 13", "Debian", 13, "3.4.33", "1.3.15", "14.2.0", _GF5 + _SSL3),
    Release("Ubuntu 20.04", "Ubuntu", 20, "3.4.28", "1.3.12", "10.1.0", _GF5 + _SSL11),
    Release("Ubuntu 22.04", "Ubuntu", 22, "3.4.30", "1.3.13", "12.1.0", _GF5 + _SSL3),
    Release("Ubuntu 24.04", "Ubuntu", 24, "3.4.33", "1.3.15", "14.1.0", _GF5 + _SSL3),
)  # fmt: skip
# HTCondor's OpSysName for each family (the EL rebuilds share their majors).
OPSYS_NAMES = {"EL": ("RedHat", "CentOS", "Rocky", "AlmaLinux", "SL"),
               "Debian": ("Debian",), "Ubuntu": ("Ubuntu",)}

_LABEL = re.compile(r"^(GLIBCXX|CXXABI|GCC|GFORTRAN|OPENSSL)_(\d+(?:[._]\d+)*)$")


def _v(text: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in re.split(r"[._]", text) if p.isdigit())


@dataclasses.dataclass
class RuntimeNeed:
    """What a program needs of one versioned library, and which releases have it."""

    library: str  # the soname: "libstdc++.so.6"
    label: str  # the newest versions it asks for: "GLIBCXX_3.4.30, CXXABI_1.3.9"
    provider: str  # "GCC 12.1 or newer", "OpenSSL 3.0 or newer"
    have: List[Release]
    lack: List[Tuple[Release, str]]  # (release, what it has instead)
    known: bool = True  # False: releases cannot be told from tribes' tables

    def releases_text(self) -> str:
        if not self.known:
            return "which releases have it is not in tribes' tables"
        if not self.lack:
            return "every release in tribes' table has it"
        have = ", ".join(r.name for r in self.have) or "none of the releases tribes knows"
        lack = "; ".join(f"{r.name} ({why})" for r, why in self.lack)
        return f"on {have}" + (f"; not on {lack}" if lack else "")

    def clause(self) -> Optional[str]:
        """The optional clause on OpSysName/OpSysMajorVer that keeps only the releases with it."""
        if not self.known or not self.have or not self.lack:
            return None
        parts = []
        for family, names in OPSYS_NAMES.items():
            rows = sorted((r for r in RELEASES if r.family == family), key=lambda r: r.major)
            have = [r for r in rows if r in self.have]
            if not have:
                continue
            # The versions only grow with the release: keep from the first one that has them.
            first = min(r.major for r in have)
            if any(r.major > first and r not in self.have for r in rows):
                first = max(r.major for r in rows if r not in self.have) + 1
            name = " || ".join(f"TARGET.OpSysName == {quote(n)}" for n in names)
            name = f"({name})" if len(names) > 1 else name
            parts.append(f"({name} && TARGET.OpSysMajorVer >= {first})")
        return "(" + " || ".join(parts) + ")" if parts else None


def runtime_needs(library: str, labels: Sequence[str]) -> Optional[RuntimeNeed]:
    """The need for ``library`` from its version labels; None if tribes knows none of them."""
    found: Dict[str, str] = {}
    for label in labels:
        match = _LABEL.match(label)
        if not match:
            continue
        kind, version = match.groups()
        if kind not in found or _v(version) > _v(found[kind]):
            found[kind] = version
    if not found:
        return None
    if "GLIBCXX" in found or "CXXABI" in found:
        return _libstdcxx(library, found)
    if "GFORTRAN" in found:
        return _by_gcc(library, "GFORTRAN", found["GFORTRAN"])
    if "GCC" in found:
        return _by_gcc(library, "GCC", found["GCC"])
    return _openssl(library, found["OPENSSL"])


def _libstdcxx(library: str, found: Dict[str, str]) -> RuntimeNeed:
    glibcxx, cxxabi = found.get("GLIBCXX"), found.get("CXXABI")
    labels = ([f"GLIBCXX_{glibcxx}"] if glibcxx else []) + ([f"CXXABI_{cxxabi}"] if cxxabi
                                                            else [])
    firsts = []
    for version, table in ((glibcxx, GLIBCXX), (cxxabi, CXXABI)):
        if version is None:
            continue
        firsts.append(table.get(version))
    if any(f is None for f in firsts):
        newest = max(GLIBCXX.values(), key=_v)
        provider = f"a GCC newer than {_short(newest)} (the newest in tribes' table)"
    else:
        provider = f"GCC {_short(max(firsts, key=_v))} or newer"
    have, lack = [], []
    for release in RELEASES:
        short = []
        if glibcxx and _v(glibcxx) > _v(release.glibcxx):
            short.append(f"GLIBCXX_{release.glibcxx}")
        if cxxabi and _v(cxxabi) > _v(release.cxxabi):
            short.append(f"CXXABI_{release.cxxabi}")
        if short:
            lack.append((release, ", ".join(short)))
        else:
            have.append(release)
    return RuntimeNeed(library, ", ".join(labels), provider, have, lack)


def _by_gcc(library: str, kind: str, version: str) -> RuntimeNeed:
    have, lack = [], []
    for release in RELEASES:
        if kind == "GFORTRAN" and library.startswith("libgfortran.so.") and (
                library not in release.sonames):
            lack.append((release, f"no {library}"))
        elif _v(version) > _v(release.gcc):
            lack.append((release, f"GCC {_short(release.gcc)}"))
        else:
            have.append(release)
    return RuntimeNeed(library, f"{kind}_{version}",
                       f"the runtime of GCC {_short(version)} or newer", have, lack)


def _openssl(library: str, version: str) -> RuntimeNeed:
    series = ".".join(str(p) for p in _v(version)[:2])
    need = RuntimeNeed(library, f"OPENSSL_{version}", f"OpenSSL {series} or newer", [], [])
    baseline = {"1.1": _SSL11, "3.0": _SSL3}
    if series not in baseline or library not in baseline[series]:
        # OpenSSL 3.x updates within a release (EL9.x): not in tribes' tables.
        need.known = False
        return need
    for release in RELEASES:
        if library in release.sonames:
            need.have.append(release)
        else:
            need.lack.append((release, f"no {library}"))
    return need


def _short(version: str) -> str:
    """'12.1.0' -> '12.1'."""
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 and parts[2] == "0" else version

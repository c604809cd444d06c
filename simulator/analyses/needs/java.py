"""The Java release a class file or JAR needs: the highest class-file major version.

A JVM refuses class files newer than itself (UnsupportedClassVersionError),
so the highest major version in the program is the oldest Java that can run
it. HTCondor publishes the execute node's Java as ``JavaSpecificationVersion``:
"1.6", "1.7", "1.8" up to Java 8, then "9", "11", "17" ... so major 50 is
"1.6" and major 61 is "17". Classes under ``META-INF/versions/N/`` of a
multi-release JAR are loaded only by Java N or newer, so they do not raise
the minimum.

>>> spec_version(52), spec_version(61), spec_version(50)
('1.8', '17', '1.6')
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path
from typing import Dict, Optional

from simulator.analyses.needs import Needs, NeedsError

# Java 1.1 wrote major 45; every release since adds one.
FIRST_MAJOR = 45
PREVIEW_MINOR = 0xFFFF
_VERSIONED = re.compile(r"^META-INF/versions/(\d+)/")


def spec_version(major: int) -> str:
    """JavaSpecificationVersion of the release that introduced class-file ``major``."""
    release = major - 44
    return f"1.{release}" if release <= 8 else str(release)


def _header(data: bytes, where: str) -> tuple:
    """(minor, major) of a class file's first 8 bytes."""
    if len(data) < 8 or data[:4] != b"\xca\xfe\xba\xbe":
        raise NeedsError(f"{where}: not a Java class file (no 0xCAFEBABE header)")
    minor, major = struct.unpack(">HH", data[4:8])
    if major < FIRST_MAJOR:
        # Mach-O universal binaries start with the same magic; their next word is small.
        raise NeedsError(f"{where}: not a Java class file (major version {major}; "
                         "a Mach-O universal binary starts the same way)")
    return minor, major


def read_class_file(path) -> Needs:
    path = Path(path)
    with open(path, "rb") as stream:
        minor, major = _header(stream.read(8), str(path))
    needs = Needs(path=str(path), kind="Java class file")
    _set(needs, {path.name: (minor, major)}, path.name)
    return needs


def read_jar(path) -> Needs:
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NeedsError(f"{path}: not a readable zip/JAR file ({exc})") from None
    classes: Dict[str, tuple] = {}
    versioned: Dict[str, tuple] = {}
    main_class = None
    with archive:
        names = archive.namelist()
        try:
            for name in names:
                if name.endswith(".class"):
                    data = archive.open(name).read(8)
                    target = versioned if _VERSIONED.match(name) else classes
                    target[name] = _header(data, f"{path}!{name}")
            if "META-INF/MANIFEST.MF" in names:
                manifest = archive.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
                found = re.search(r"^Main-Class:\s*(\S+)", manifest, re.M)
                main_class = found.group(1) if found else None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise NeedsError(f"{path}: damaged zip/JAR file ({exc})") from None
    if not classes and not versioned:
        raise NeedsError(f"{path}: a zip file with no Java classes in it, not a JAR")
    needs = Needs(path=str(path), kind="JAR")
    _set(needs, classes or versioned, path.name)
    if main_class:
        needs.facts.append(f"{path.name}: Main-Class {main_class}")
    if versioned and classes:
        releases = sorted({int(_VERSIONED.match(n).group(1)) for n in versioned})
        needs.facts.append(f"{path.name}: multi-release JAR; classes for Java "
                           f"{', '.join(map(str, releases))} are used only there")
    return needs


def _set(needs: Needs, headers: Dict[str, tuple], name: str) -> None:
    newest: Optional[str] = None
    major = -1
    for entry, (_minor_v, major_v) in headers.items():
        if major_v > major:
            major, newest = major_v, entry
    preview = any(m == major and minor == PREVIEW_MINOR for minor, m in headers.values())
    needs.java = spec_version(major)
    needs.java_exact = preview
    count = len(headers)
    where = f", the highest of {count} class files: {newest}" if count > 1 else ""
    needs.facts.append(f"{name}: Java {needs.java} or newer (class-file major {major}{where})")
    if preview:
        needs.facts.append(f"{name}: compiled with preview features: runs on Java "
                           f"{needs.java} only")

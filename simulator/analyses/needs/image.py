"""A container image given instead of a program: a SIF file or a sandbox directory.

What runs inside an image runs on the image's own libraries, so what its
programs need of glibc or libstdc++ is the image's business. What the *node*
must offer is written:

- a container job's clause, as condor_submit writes it for the image's kind:
  ``TARGET.HasContainer && TARGET.HasSIF`` (a ``.sif`` file) or
  ``TARGET.HasContainer && TARGET.HasSandboxImage`` (a directory);
- the image's architecture (``Arch``): from the SIF header, else from its C
  library (or ``bin/sh``) as an ELF;
- the kernel its C library needs (``.note.ABI-tag``: the host's kernel runs it);
- the x86-64 level its C library is built for, where the library's GNU property
  note says so (RHEL 10's glibc marks x86-64-v3). Only the note is read: glibc
  carries AVX2 and AVX-512 variants of its own functions, picked at run time.

And the OS release inside (``etc/os-release``, else ``usr/lib/os-release``)
is reported. Links inside the image are followed inside the image, never
into the host's own files.

A SIF file is told by its header (``SIF_MAGIC`` after the 32-byte launch
line); its primary system partition (a squashfs file system) is read with
PySquashfsImage. A directory is an image when it has ``etc/os-release`` or
``bin/``; any other directory is a one-line error.

>>> read_os_release(b'NAME="AlmaLinux"\\nVERSION_ID="9.4"\\n# a comment\\nID=almalinux\\n')
{'NAME': 'AlmaLinux', 'VERSION_ID': '9.4', 'ID': 'almalinux'}
"""

from __future__ import annotations

import io
import os
import posixpath
import shlex
import stat
import struct
from pathlib import Path
from typing import Dict, Optional, Tuple

from simulator.analyses.needs import Needs, NeedsError

SIF_MAGIC = b"SIF_MAGIC"
SIF_HEADER = struct.Struct("<32s10s3s3s16s8q")  # launch, magic, version, arch, id, 8 int64
SIF_DESCRIPTOR = struct.Struct("<i?IIIqqqqqqq128s384s")  # sylabs/sif rawDescriptor
SIF_PARTITION = struct.Struct("<ii3s")  # fstype, parttype, arch
DATA_PARTITION, FS_SQUASH, PART_PRIMSYS = 0x4004, 1, 2
FS_TYPES = {1: "squashfs", 2: "ext3", 3: "immutable object archive", 4: "raw data",
            5: "encrypted squashfs"}
# The SIF arch code -> HTCondor's Arch.
SIF_ARCH = {"01": "INTEL", "02": "X86_64", "03": "ARM", "04": "aarch64", "05": "PPC64",
            "06": "ppc64le", "11": "s390x"}
OS_RELEASE = ("etc/os-release", "usr/lib/os-release")
C_LIBRARIES = (
    "lib64/libc.so.6", "usr/lib64/libc.so.6", "lib/x86_64-linux-gnu/libc.so.6",
    "usr/lib/x86_64-linux-gnu/libc.so.6", "lib/aarch64-linux-gnu/libc.so.6",
    "usr/lib/aarch64-linux-gnu/libc.so.6", "lib/powerpc64le-linux-gnu/libc.so.6",
    "usr/lib/powerpc64le-linux-gnu/libc.so.6", "lib/libc.so.6", "usr/lib/libc.so.6",
    "bin/sh", "usr/bin/sh", "bin/busybox",
)  # fmt: skip
MAX_FILE = 64 * 1024 * 1024
MAX_LINKS = 40


def is_sif(head: bytes) -> bool:
    return head[32:41] == SIF_MAGIC


def read_os_release(data: bytes) -> Dict[str, str]:
    """``KEY=value`` lines, values unquoted as the shell would (os-release(5))."""
    out = {}
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        try:
            words = shlex.split(value)
        except ValueError:
            words = [value.strip("\"'")]
        out[key.strip()] = words[0] if words else ""
    return out


class _Tree:
    """A file system inside an image: ``kind(path)`` and ``read``, links followed inside it."""

    def kind(self, path: str) -> Optional[str]:  # "dir", "file", "link", "other" or None
        raise NotImplementedError

    def readlink(self, path: str) -> str:
        raise NotImplementedError

    def read_bytes(self, path: str) -> bytes:
        raise NotImplementedError

    def resolve(self, path: str) -> Optional[str]:
        """The path with every link inside it followed, inside the image; None if missing."""
        parts = [p for p in path.split("/") if p]
        done: list = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                if done:
                    done.pop()
                continue
            here = "/".join(done + [part])
            kind = self.kind(here)
            if kind is None:
                return None
            if kind == "link":
                hops += 1
                if hops > MAX_LINKS:
                    return None
                target = self.readlink(here)
                if target.startswith("/"):
                    done = []
                parts = [p for p in target.split("/") if p] + parts
                continue
            done.append(part)
        return "/".join(done)

    def read(self, path: str, limit: int = MAX_FILE) -> Optional[Tuple[str, bytes]]:
        """(the resolved path, the bytes) of a regular file inside the image, or None."""
        real = self.resolve(path)
        if real is None or self.kind(real) != "file":
            return None
        data = self.read_bytes(real)
        return (real, data) if len(data) <= limit else None


class _Directory(_Tree):
    def __init__(self, root: Path):
        self.root = root

    def _path(self, path: str) -> Path:
        return self.root / posixpath.normpath("/" + path).lstrip("/")

    def kind(self, path):
        try:
            mode = os.lstat(self._path(path)).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return "link"
        if stat.S_ISDIR(mode):
            return "dir"
        return "file" if stat.S_ISREG(mode) else "other"

    def readlink(self, path):
        return os.readlink(self._path(path))

    def read_bytes(self, path):
        with open(self._path(path), "rb") as stream:
            return stream.read(MAX_FILE + 1)


class _Squashfs(_Tree):
    def __init__(self, path: Path, offset: int):
        from PySquashfsImage import SquashFsImage

        self.image = SquashFsImage.from_file(str(path), offset=offset)

    def _entry(self, path):
        return self.image.select("/" + path) if path else self.image.root

    def kind(self, path):
        entry = self._entry(path)
        if entry is None:
            return None
        if entry.is_symlink:
            return "link"
        if entry.is_dir:
            return "dir"
        return "file" if entry.is_file else "other"

    def readlink(self, path):
        target = self._entry(path).readlink()
        return target.decode("utf-8", "replace") if isinstance(target, bytes) else str(target)

    def read_bytes(self, path):
        # Block by block, up to one byte past the limit: a 9 KB image held 2 GB files
        # (zeros compress to nothing), read whole before being found too large.
        chunks, size = [], 0
        for block in self._entry(path).iter_bytes():
            chunks.append(block)
            size += len(block)
            if size > MAX_FILE:
                break
        return b"".join(chunks)[:MAX_FILE + 1]

    def close(self):
        self.image.close()


def read_sandbox(path) -> Needs:
    """A directory given as a program: a sandbox image, or a one-line error."""
    path = Path(path)
    tree = _Directory(path)
    if tree.read("etc/os-release") is None and tree.read("usr/lib/os-release") is None and (
            tree.resolve("bin") is None or tree.kind(tree.resolve("bin")) != "dir"):
        raise NeedsError(f"{path}: a directory, and not a container image (no etc/os-release, "
                         "no bin/)")
    needs = Needs(path=str(path), kind="sandbox container image", container="sandbox")
    needs.facts.append(f"{path.name}: sandbox container image (a directory): runs as a container "
                       "job on a node that runs sandbox images (HasContainer, HasSandboxImage)")
    _inside(needs, tree, None)
    return needs


def read_sif(path) -> Needs:
    """A SIF file: its header, descriptors and primary system partition."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as stream:
            header = stream.read(SIF_HEADER.size)
            if len(header) < SIF_HEADER.size:
                raise NeedsError(f"{path}: a SIF file cut short: {len(header)} bytes, shorter "
                                 f"than its {SIF_HEADER.size}-byte header")
            fields = SIF_HEADER.unpack(header)
            version, arch_code = _text(fields[2]), _text(fields[3])
            _, _, _, total, descr_off, _, _, _ = fields[5:]
            if not 0 <= total <= 4096 or descr_off + total * SIF_DESCRIPTOR.size > size:
                raise NeedsError(f"{path}: a SIF file cut short or damaged: its header points "
                                 f"to {total} descriptors at byte {descr_off}, the file has "
                                 f"{size} bytes")
            stream.seek(descr_off)
            table = stream.read(total * SIF_DESCRIPTOR.size)
    except OSError as exc:
        raise NeedsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    partition = None
    for i in range(total):
        d = SIF_DESCRIPTOR.unpack_from(table, i * SIF_DESCRIPTOR.size)
        datatype, used, offset, length, extra = d[0], d[1], d[5], d[6], d[13]
        if not used or datatype != DATA_PARTITION:
            continue
        fstype, parttype, part_arch = SIF_PARTITION.unpack_from(extra)
        if parttype == PART_PRIMSYS or partition is None:
            partition = (offset, length, fstype, _text(part_arch))
    arch = SIF_ARCH.get(arch_code) or (SIF_ARCH.get(partition[3]) if partition else None)
    needs = Needs(path=str(path), kind="SIF container image", container="SIF", arch=arch)
    needs.facts.append(f"{path.name}: SIF container image (format {version}, arch code "
                       f"{arch_code}: Arch {arch or 'unknown'}): runs as a container job on a "
                       "node that runs SIF images (HasContainer, HasSIF)")
    if partition is None:
        raise NeedsError(f"{path}: a SIF file with no file system partition")
    offset, length, fstype, _ = partition
    if offset + length > size:
        raise NeedsError(f"{path}: a SIF file cut short: its partition ends at byte "
                         f"{offset + length}, the file has {size} bytes")
    if fstype != FS_SQUASH:
        needs.facts.append(f"{path.name}: its system partition is "
                           f"{FS_TYPES.get(fstype, f'type {fstype}')}, which tribes does not "
                           "read: the OS release inside is unknown")
        return needs
    try:
        tree = _Squashfs(path, offset)
    except Exception as exc:
        needs.facts.append(f"{path.name}: its squashfs partition cannot be read "
                           f"({_reason(exc)}): the OS release inside is unknown")
        return needs
    try:
        _inside(needs, tree, arch)
    finally:
        tree.close()
    return needs


def _inside(needs: Needs, tree: _Tree, arch: Optional[str]) -> None:
    """The OS release and the C library inside an image."""
    name = Path(needs.path).name
    for where in OS_RELEASE:
        found = _read(tree, where, 64 * 1024)
        if found:
            needs.os_release = read_os_release(found[1])
            pretty = needs.os_release.get("PRETTY_NAME") or needs.os_release.get("NAME", "?")
            ids = ", ".join(f"{k}={needs.os_release[k]}" for k in ("ID", "VERSION_ID")
                            if k in needs.os_release)
            needs.facts.append(f"{name}: {pretty} ({where}{': ' + ids if ids else ''}); what "
                               "its programs need of its libraries is the image's business")
            break
    else:
        needs.facts.append(f"{name}: no etc/os-release: the OS inside is unknown")
    for where in C_LIBRARIES:
        found = _read(tree, where, MAX_FILE)
        if not found:
            continue
        info = _elf_info(found[1])
        if info is None:
            continue
        real = found[0]
        if needs.arch is None:
            needs.arch = info["arch"]
        elif info["arch"] != needs.arch:
            needs.facts.append(f"{name}: its header says Arch {needs.arch}, its {real} is "
                               f"built for {info['arch']}")
        needs.kernel = info["kernel"]
        needs.microarch = info["microarch"]
        if needs.microarch:
            needs.microarch_why = f"GNU property note of the image's {real}"
        said = [f"built for {info['machine']} (Arch {info['arch']})"]
        if info["glibc"]:
            said.append(f"glibc {info['glibc']} symbols")
        if info["kernel"]:
            said.append(f"kernel {info['kernel']} or newer (.note.ABI-tag): the node's kernel "
                        "runs it")
        if info["microarch"]:
            said.append(f"x86-64 level {info['microarch']} (GNU property note)")
        needs.facts.append(f"{name}: its /{real}: {'; '.join(said)}")
        break
    else:
        needs.facts.append(f"{name}: no C library or /bin/sh found inside: its architecture is "
                           f"{'from the header only' if needs.arch else 'unknown'}")


def _read(tree: _Tree, where: str, limit: int):
    try:
        return tree.read(where, limit)
    except Exception:
        return None


def _elf_info(data: bytes) -> Optional[Dict]:
    from elftools.elf.elffile import ELFFile

    from simulator.analyses.needs import elf

    if not data.startswith(b"\x7fELF"):
        return None
    try:
        return elf._parse(ELFFile(io.BytesIO(data)))
    except Exception:
        return None


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("ascii", "replace")


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]

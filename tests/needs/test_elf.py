"""ELF needs, on programs built here with gcc and checked against readelf's own reading."""

import re
import shutil
import subprocess

import pytest
from compilers import build

from simulator.analyses.needs import NeedsError, elf, read_program

GCC = shutil.which("gcc")
READELF = shutil.which("readelf")
pytestmark = pytest.mark.skipif(not (GCC and READELF), reason="needs gcc and readelf")

# getrandom() appeared in glibc 2.25; __libc_start_main of glibc >= 2.34 is GLIBC_2.34.
PROGRAM = r"""
#include <stdio.h>
#include <sys/random.h>
int main(void) { char b[4]; getrandom(b, sizeof b, 0); printf("%d\n", b[0]); return 0; }
"""
LIBRARY = r"""
#include <stdio.h>
int hello(void) { return puts("hello"); }
"""
USES_LIBRARY = r"""
int hello(void);
int main(void) { return hello(); }
"""




def _version(text):
    return tuple(int(p) for p in text.split("."))


def _readelf_glibc(path):
    """Highest GLIBC_x.y in readelf -V's "Version needs" section (None if none)."""
    out = subprocess.run([READELF, "-V", "-W", str(path)], capture_output=True, text=True).stdout
    needs = out.split("Version needs section", 1)
    names = re.findall(r"Name: GLIBC_(\d+(?:\.\d+)+)", needs[1]) if len(needs) > 1 else []
    return max(names, key=_version) if names else None


def _readelf_kernel(path):
    out = subprocess.run([READELF, "-n", "-W", str(path)], capture_output=True, text=True).stdout
    found = re.search(r"OS: Linux, ABI: (\d+\.\d+\.\d+)", out)
    return found.group(1) if found else None


def _readelf_machine(path):
    out = subprocess.run([READELF, "-h", "-W", str(path)], capture_output=True, text=True).stdout
    return re.search(r"Machine:\s+(.*)", out).group(1).strip()


def test_dynamic_program_glibc_kernel_and_arch_agree_with_readelf(tmp_path):
    program = build(tmp_path, "prog", PROGRAM)
    needs = read_program(program)
    assert needs.kind == "ELF executable"
    assert needs.glibc == _readelf_glibc(program)
    assert _version(needs.glibc) >= (2, 25)  # getrandom
    assert needs.kernel == _readelf_kernel(program)
    assert _readelf_machine(program) == "Advanced Micro Devices X86-64"
    assert needs.arch == "X86_64" and needs.opsys == "LINUX"
    assert any("loads libc.so.6" in f for f in needs.facts)


def test_static_program_needs_no_glibc_but_still_a_kernel(tmp_path):
    program = build(tmp_path, "static", PROGRAM, "-static")
    needs = read_program(program)
    assert _readelf_glibc(program) is None
    assert needs.kind == "static ELF executable" and needs.glibc is None
    assert needs.kernel == _readelf_kernel(program) is not None


def test_shared_library(tmp_path):
    lib = build(tmp_path, "libhello.so", LIBRARY, "-shared", "-fPIC")
    needs = read_program(lib)
    assert needs.kind == "ELF shared library"
    assert needs.glibc == _readelf_glibc(lib)
    assert needs.kernel == _readelf_kernel(lib)  # libraries carry no ABI tag: None


def test_libraries_outside_the_c_runtime_are_followed(tmp_path):
    lib = build(tmp_path, "libhello.so", LIBRARY, "-shared", "-fPIC")
    program = build(tmp_path, "uses", USES_LIBRARY, "-L.", "-lhello", "-Wl,-rpath,$ORIGIN")
    needs = read_program(program, search_path=[])
    assert [n.path for n in needs.libraries] == [str(lib)]
    assert needs.libraries[0].glibc == _readelf_glibc(lib)
    lib.unlink()
    needs = read_program(program, search_path=[])
    assert needs.libraries == []
    assert any("libhello.so" in f and "not found" in f for f in needs.facts)


def test_x86_64_isa_level_is_read_from_the_property_note(tmp_path):
    program = build(tmp_path, "v3", PROGRAM, "-march=x86-64-v3", "-mneeded")
    out = subprocess.run([READELF, "-n", str(program)], capture_output=True, text=True).stdout
    if "x86-64-v3" not in out:
        pytest.skip("this gcc does not mark the ISA level needed")
    assert read_program(program).microarch == "x86_64-v3"


@pytest.mark.parametrize("machine, arch", [(183, "aarch64"), (3, "INTEL"), (62, "X86_64")])
def test_e_machine_gives_htcondor_arch(tmp_path, machine, arch):
    program = build(tmp_path, "prog", PROGRAM)
    data = bytearray(program.read_bytes())
    data[18:20] = machine.to_bytes(2, "little")  # e_machine in a little-endian ELF header
    patched = tmp_path / "patched"
    patched.write_bytes(bytes(data))
    try:
        needs = elf.read(patched, search_path=[])
    except NeedsError:
        pytest.skip("pyelftools cannot read a 64-bit file with this e_machine")
    assert needs.arch == arch


def test_truncated_elf_is_one_line_error(tmp_path):
    program = build(tmp_path, "prog", PROGRAM)
    cut = tmp_path / "cut"
    cut.write_bytes(program.read_bytes()[:100])
    with pytest.raises(NeedsError) as err:
        read_program(cut)
    message = str(err.value)
    assert message.startswith(f"{cut}: not a readable ELF file (truncated: 100 bytes")
    assert "\n" not in message


@pytest.mark.parametrize("content, reason", [
    (b"just some text\n", "not a program tribes can read"),
    (b"", "empty file"),
    (b"\x7fELF", r"not a readable ELF file \(truncated: 4 bytes, shorter than an ELF header"),
])
def test_bad_input_is_one_line_error(tmp_path, content, reason):
    path = tmp_path / "input"
    path.write_bytes(content)
    with pytest.raises(NeedsError, match=reason):
        read_program(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(NeedsError, match="no such file"):
        read_program(tmp_path / "nothing")
    with pytest.raises(NeedsError, match="a directory, and not a container image"):
        read_program(tmp_path)


def test_c_runtime_libraries_are_not_followed():
    for name in ("libc.so.6", "libm.so.6", "libpthread.so.0", "ld-linux-x86-64.so.2",
                 "libdl.so.2"):
        assert elf.C_RUNTIME.match(name), name
    for name in ("libstdc++.so.6", "libz.so.1", "libhello.so", "libcurl.so.4"):
        assert not elf.C_RUNTIME.match(name), name


def test_without_section_headers_the_loader_view_is_read_and_the_gap_said(tmp_path):
    program = build(tmp_path, "prog", PROGRAM)
    data = bytearray(program.read_bytes())
    data[0x28:0x30] = bytes(8)  # e_shoff
    data[0x3C:0x40] = bytes(4)  # e_shnum, e_shstrndx
    stripped = tmp_path / "sstripped"
    stripped.write_bytes(bytes(data))
    needs = read_program(stripped)
    assert needs.kind == "ELF executable"  # PT_INTERP and PT_DYNAMIC still there
    assert needs.kernel == _readelf_kernel(program)  # from the PT_NOTE segment
    assert needs.glibc is None
    assert any("symbol versions cannot be read" in f for f in needs.facts)

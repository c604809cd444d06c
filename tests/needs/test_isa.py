"""The x86-64 level read from a program's instructions, on programs built here with gcc."""

import re
import shutil
import subprocess

import pytest
from compilers import build

from simulator import cli
from simulator.analyses.needs import NeedsError, elf, isa, read_program
from simulator.analyses.needs.expression import clauses

GCC = shutil.which("gcc")
OBJDUMP = shutil.which("objdump")
READELF = shutil.which("readelf")
pytestmark = pytest.mark.skipif(not (GCC and OBJDUMP and READELF),
                                reason="needs gcc and binutils")

# A loop gcc vectorizes at -O3, and a popcount: SSE2 only for x86-64, ymm for v3,
# EVEX for v4, popcnt for v2.
LOOP = r"""
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    int *a = malloc(n * sizeof(int));
    long s = 0;
    for (int i = 0; i < n; i++) a[i] = i * 3;
    for (int i = 0; i < n; i++) s += a[i] + __builtin_popcount(a[i]);
    printf("%ld\n", s);
    return 0;
}
"""
# AVX2 only where the CPU says so: a binary cannot tell, so it counts.
DISPATCH = r"""
#include <stdio.h>
__attribute__((target("avx2"))) int sum8(const int *a) {
    int s = 0;
    for (int i = 0; i < 64; i++) s += a[i] * 7;
    return s;
}
int main(void) {
    int a[64] = {1};
    if (__builtin_cpu_supports("avx2")) printf("%d\n", sum8(a));
    return 0;
}
"""
AES = r"""
#include <stdio.h>
#include <wmmintrin.h>
int main(void) {
    __m128i k = _mm_set1_epi32(7), b = _mm_set1_epi32(1);
    b = _mm_aesenc_si128(b, k);
    printf("%d\n", _mm_cvtsi128_si32(b));
    return 0;
}
"""




def _objdump_at(path, address):
    """objdump's mnemonic for the instruction at ``address``."""
    out = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", "-M", "intel", str(path)],
                         capture_output=True, text=True).stdout
    found = re.search(rf"^\s*{address:x}:\s+(\S+)", out, re.M)
    return found.group(1) if found else None


def test_a_v3_build_without_a_note_is_v3_from_its_instructions(tmp_path):
    program = build(tmp_path, "v3", LOOP, "-O3", "-march=x86-64-v3")
    note = subprocess.run([READELF, "-n", str(program)], capture_output=True, text=True).stdout
    assert "x86-64-v3" not in note  # the toolchain marks only the baseline as needed
    needs = read_program(program, search_path=[])
    assert needs.microarch == "x86_64-v3"
    extension, mnemonic, address = re.match(r"(\S+): (\S+) at (0x[0-9a-f]+) in main",
                                            needs.microarch_why).groups()
    assert extension in ("AVX", "AVX2", "BMI1", "BMI2", "FMA", "LZCNT", "MOVBE", "F16C")
    assert _objdump_at(program, int(address, 16)) == mnemonic  # as binutils reads it
    fact = next(f for f in needs.facts if "read from its instructions" in f)
    assert fact.startswith(f"v3: needs x86_64-v3 ({extension}: {mnemonic} at {address}")
    assert clauses([needs])[-1] == ('(TARGET.Microarch == "x86_64-v3" || '
                                    'TARGET.Microarch == "x86_64-v4")')


def test_the_property_note_wins_where_the_toolchain_wrote_a_level(tmp_path):
    program = build(tmp_path, "v3n", LOOP, "-O3", "-march=x86-64-v3", "-mneeded")
    note = subprocess.run([READELF, "-n", str(program)], capture_output=True, text=True).stdout
    if "x86-64-v3" not in note:
        pytest.skip("this gcc does not mark the ISA level needed")
    needs = read_program(program, search_path=[])
    assert (needs.microarch, needs.microarch_why) == ("x86_64-v3", "GNU property note")
    assert not any("read from its instructions" in f for f in needs.facts)


@pytest.mark.parametrize("march, level, extension", [
    ("x86-64", None, None),
    ("x86-64-v2", "x86_64-v2", "POPCNT"),
    ("x86-64-v4", "x86_64-v4", "AVX-512"),
])
def test_each_level_from_its_own_build(tmp_path, march, level, extension):
    program = build(tmp_path, "prog", LOOP, "-O3", f"-march={march}")
    needs = read_program(program, search_path=[])
    assert needs.microarch == level
    if level is None:
        assert any("x86-64 baseline: no instruction beyond it" in f for f in needs.facts)
    else:
        assert needs.microarch_why.startswith(extension)


def test_code_run_only_after_asking_the_cpu_still_counts(tmp_path):
    program = build(tmp_path, "dispatch", DISPATCH, "-O3")
    needs = read_program(program, search_path=[])
    assert needs.microarch == "x86_64-v3"
    assert " in sum8" in needs.microarch_why


def test_extensions_outside_the_levels_are_facts_only(tmp_path):
    program = build(tmp_path, "aes", AES, "-O2", "-maes")
    needs = read_program(program, search_path=[])
    assert needs.microarch is None
    assert any("also uses AES-NI (aesenc at 0x" in f and "no x86-64 level includes" in f
               for f in needs.facts)


def test_a_static_program_does_not_inherit_glibc_s_avx512_variants(tmp_path):
    program = build(tmp_path, "static", LOOP, "-O2", "-static")
    needs = read_program(program, search_path=[])
    assert needs.microarch is None
    assert any("instructions of the C library's CPU-specific variants not counted" in f
               for f in needs.facts)
    stripped = build(tmp_path, "stripped", LOOP, "-O2", "-static", "-s")
    needs = read_program(stripped, search_path=[])
    assert needs.microarch is None
    assert any("not read from the instructions: static, with no symbol table" in f
               for f in needs.facts)


def test_a_large_binary_is_cut_and_says_so(tmp_path, monkeypatch):
    program = build(tmp_path, "v3", LOOP, "-O3", "-march=x86-64-v3")
    monkeypatch.setattr(isa, "LIMIT", 20)
    needs = read_program(program, search_path=[])
    fact = next(f for f in needs.facts if "x86-64" in f or "x86_64" in f)
    assert re.search(r"scanned \d+ of \d+ bytes of code: cut at 20 instructions", fact)


def test_a_non_x86_elf_is_not_disassembled(tmp_path):
    program = build(tmp_path, "v3", LOOP, "-O3", "-march=x86-64-v3")
    data = bytearray(program.read_bytes())
    data[18:20] = (183).to_bytes(2, "little")  # EM_AARCH64
    arm = tmp_path / "arm"
    arm.write_bytes(bytes(data))
    needs = elf.read(arm, search_path=[])
    assert needs.arch == "aarch64" and needs.microarch is None
    assert not any("instructions" in f for f in needs.facts)


def test_an_elf_for_a_machine_htcondor_has_no_arch_for_is_one_line_error(tmp_path, capsys):
    program = build(tmp_path, "prog", LOOP)
    data = bytearray(program.read_bytes())
    data[18:20] = (8).to_bytes(2, "little")  # EM_MIPS
    mips = tmp_path / "mips"
    mips.write_bytes(bytes(data))
    with pytest.raises(NeedsError, match="EM_MIPS, a machine no HTCondor Arch names"):
        read_program(mips)
    assert cli.main(["requirements", str(mips)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"tribes: error: {mips}: an ELF file for EM_MIPS") and (
        err.count("\n") == 1)


def test_truncated_inside_its_code_is_one_line_error(tmp_path, capsys):
    program = build(tmp_path, "v3", LOOP, "-O3", "-march=x86-64-v3")
    cut = tmp_path / "cut"
    cut.write_bytes(program.read_bytes()[:5000])
    assert cli.main(["requirements", str(cut)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"tribes: error: {cut}: not a readable ELF file (truncated: 5000 "
                          "bytes") and err.count("\n") == 1


def test_cli_says_the_level_and_why(tmp_path, capsys):
    program = build(tmp_path, "v3", LOOP, "-O3", "-march=x86-64-v3")
    assert cli.main(["requirements", str(program)]) == 0
    out = capsys.readouterr().out
    assert '(TARGET.Microarch == "x86_64-v3" || TARGET.Microarch == "x86_64-v4")' in out
    assert re.search(r"v3: needs x86_64-v3 \(\S+: \S+ at 0x[0-9a-f]+ in main", out)

"""The x86-64 level an ELF's own instructions need, read with the capstone disassembler.

Used when the program carries no GNU property note that marks a level above
the baseline (most toolchains write none, or one that says "baseline" only:
objects built without ``-mneeded`` add nothing to it). Every executable
section (``SHF_EXECINSTR``; the ``PF_X`` segments of a file without section
headers) is disassembled in 64-bit mode, and each instruction's extension
(capstone's instruction groups, with detail on, and a few mnemonics that
carry no group) is mapped to the level that brings it. The sets are the ones
HTCondor's ``Microarch`` uses (``src/condor_sysapi/processor_flags.cpp``; the
hook's ``startd_cron/probes/microarch.py`` lists them):

* ``x86_64-v2``: SSE3, SSSE3, SSE4.1, SSE4.2 (with CRC32), POPCNT, CX16 (``cmpxchg16b``),
  LAHF/SAHF;
* ``x86_64-v3``: AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE, XSAVE;
* ``x86_64-v4``: AVX-512 (F, BW, CD, DQ, VL; any EVEX-encoded instruction).

The highest level any instruction needs is the program's, and the first
instruction (by address) that needs it is named: "x86_64-v3 (AVX2: vpaddd at
0x1139 in main)". This is conservative: code the program only runs after
asking the CPU (``__builtin_cpu_supports``, ``target_clones``, an ifunc, a
BLAS kernel for each CPU) counts as a need, since a binary cannot say which
paths are guarded. Two encodings do not count: ``tzcnt`` (GCC writes
``rep bsf`` for any x86-64, which runs as ``bsf`` where BMI1 is missing) and
``xgetbv`` (how a program asks whether AVX may be used). Extensions that no
level includes (AES-NI, PCLMULQDQ, SHA, ADX, RTM, FMA4, XOP, ...) are reported
as facts: no ``Microarch`` clause can ask for them.

Only the file's own code is read: the C library's CPU-specific string
functions live in the node's libc, not in a dynamic program. A static
program carries them inside; there the functions named as glibc names its
run-time variants (``__memcpy_avx_unaligned_erms``, ``__strchr_evex``,
``_dl_runtime_resolve_xsave``, ...) are skipped, and a static program without a
symbol table cannot be read this way (said, and no level is taken from it).

The work is bounded: at most ``LIMIT`` instructions per file ("scanned N of M
bytes" when cut). Instructions are disassembled with ``disasm_lite``, and the
groups of each kind of instruction (mnemonic, encoding, operand shape) are
looked up with detail on once.

>>> found = scan_code(bytes.fromhex("c5fdfec1"), 0x1139)  # vpaddd ymm0, ymm0, ymm1
>>> found.level, found.why()
('x86_64-v3', 'AVX2: vpaddd at 0x1139')
>>> scan_code(bytes.fromhex("f3480fbcc0"), 0).level is None  # tzcnt rax, rax (rep bsf)
True
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Dict, List, Optional, Tuple

from capstone import CS_ARCH_X86, CS_MODE_64, Cs
from capstone import x86_const as X

LIMIT = 5_000_000  # instructions per file
LEVELS = ("x86_64-v1", "x86_64-v2", "x86_64-v3", "x86_64-v4")

_V2, _V3, _V4 = "x86_64-v2", "x86_64-v3", "x86_64-v4"
GROUPS = {
    X.X86_GRP_SSE3: (_V2, "SSE3"), X.X86_GRP_SSSE3: (_V2, "SSSE3"),
    X.X86_GRP_SSE41: (_V2, "SSE4.1"), X.X86_GRP_SSE42: (_V2, "SSE4.2"),
    X.X86_GRP_AVX: (_V3, "AVX"), X.X86_GRP_AVX2: (_V3, "AVX2"), X.X86_GRP_BMI: (_V3, "BMI1"),
    X.X86_GRP_BMI2: (_V3, "BMI2"), X.X86_GRP_F16C: (_V3, "F16C"), X.X86_GRP_FMA: (_V3, "FMA"),
    X.X86_GRP_AVX512: (_V4, "AVX-512F"), X.X86_GRP_BWI: (_V4, "AVX-512BW"),
    X.X86_GRP_CDI: (_V4, "AVX-512CD"), X.X86_GRP_DQI: (_V4, "AVX-512DQ"),
    X.X86_GRP_VLX: (_V4, "AVX-512VL"), X.X86_GRP_ERI: (_V4, "AVX-512ER"),
    X.X86_GRP_PFI: (_V4, "AVX-512PF"),
}  # fmt: skip
# Instructions capstone puts in no group.
MNEMONICS = {
    "popcnt": (_V2, "POPCNT"), "cmpxchg16b": (_V2, "CX16"), "lahf": (_V2, "LAHF-SAHF"),
    "sahf": (_V2, "LAHF-SAHF"), "lzcnt": (_V3, "LZCNT"), "movbe": (_V3, "MOVBE"),
    "xsave": (_V3, "XSAVE"), "xsave64": (_V3, "XSAVE"), "xrstor": (_V3, "XSAVE"),
    "xrstor64": (_V3, "XSAVE"), "xsaveopt": (_V3, "XSAVE"), "xsaveopt64": (_V3, "XSAVE"),
}  # fmt: skip
_FMA3 = re.compile(r"^vf(n)?m(add|sub|addsub|subadd)(132|213|231)")
IGNORED = {"tzcnt", "xgetbv"}
# Extensions no x86-64 level includes: facts only.
OUTSIDE = {
    X.X86_GRP_AES: "AES-NI", X.X86_GRP_PCLMUL: "PCLMULQDQ", X.X86_GRP_SHA: "SHA",
    X.X86_GRP_ADX: "ADX", X.X86_GRP_RTM: "RTM", X.X86_GRP_HLE: "HLE", X.X86_GRP_FMA4: "FMA4",
    X.X86_GRP_XOP: "XOP", X.X86_GRP_TBM: "TBM", X.X86_GRP_SSE4A: "SSE4a",
    X.X86_GRP_3DNOW: "3DNow!", X.X86_GRP_SGX: "SGX",
}  # fmt: skip

_PREFIXES = frozenset((0x66, 0x67, 0xF2, 0xF3, 0x2E, 0x3E, 0x26, 0x64, 0x65, 0x36, 0xF0))
# glibc's run-time variants, as named in a static program's symbol table.
_LIBC_VARIANT = re.compile(
    r"^(__|_dl_)\w*?_(sse2|sse3|ssse3|sse4_1|sse4_2|sse42|avx|avx2|avx512\w*|evex\w*|fma4?|"
    r"rtm|movbe|xsave|xsavec|bmi2|x86_64_v[234]|elision)(_\w+)?$|^__lll_(un)?lock_elision$"
)


@dataclasses.dataclass
class Hit:
    level: str
    extension: str
    mnemonic: str
    address: int
    function: Optional[str] = None

    def text(self) -> str:
        where = f" in {self.function}" if self.function else ""
        return f"{self.extension}: {self.mnemonic} at {self.address:#x}{where}"


@dataclasses.dataclass
class Scan:
    """What the instructions of one file need."""

    level: Optional[str] = None  # the highest level needed; None: the x86-64 baseline
    first: Optional[Hit] = None  # the first instruction (lowest address) needing ``level``
    extensions: Dict[str, str] = dataclasses.field(default_factory=dict)  # extension -> level
    outside: Dict[str, Hit] = dataclasses.field(default_factory=dict)  # extension -> first hit
    instructions: int = 0
    scanned: int = 0  # bytes
    total: int = 0  # bytes of executable code
    skipped_libc: int = 0  # instructions in the C library's run-time variants (static programs)
    unreadable: Optional[str] = None  # why no level can be taken from the instructions

    def why(self) -> str:
        if self.first is None:
            return "no instruction beyond the x86-64 baseline"
        others = sorted(e for e, lv in self.extensions.items()
                        if e != self.first.extension and lv == self.level)
        also = f"; also {', '.join(others)}" if others else ""
        return self.first.text() + also

    @property
    def cut(self) -> bool:
        return self.scanned < self.total


class _Classifier:
    """(level, extension) or an outside extension for each kind of instruction, looked up once."""

    def __init__(self):
        self.detail = Cs(CS_ARCH_X86, CS_MODE_64)
        self.detail.detail = True
        self.cache: Dict[Tuple, Tuple] = {}

    def classify(self, code: bytes, mnemonic: str, op_str: str) -> Tuple:
        encoding = _encoding(code)
        key = (mnemonic, encoding, "ymm" in op_str, "zmm" in op_str, "{" in op_str,
               "[" in op_str)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._lookup(code, mnemonic, encoding)
        return found

    def _lookup(self, code: bytes, mnemonic: str, encoding: int) -> Tuple:
        if mnemonic in IGNORED:
            return (None, None, None)
        groups = ()
        for insn in self.detail.disasm(code, 0, 1):
            groups = insn.groups
        best = None
        outside = None
        for group in groups:
            if group in GROUPS:
                level, name = GROUPS[group]
                if best is None or LEVELS.index(level) > LEVELS.index(best[0]):
                    best = (level, name)
            elif group in OUTSIDE and outside is None:
                outside = OUTSIDE[group]
        if best is None and mnemonic in MNEMONICS:
            best = MNEMONICS[mnemonic]
        if encoding == 0x62 and (best is None or best[0] != _V4):
            best = (_V4, "AVX-512F")  # every EVEX encoding is AVX-512
        if best is None and encoding in (0xC4, 0xC5) and outside is None:
            # VEX-encoded with no group capstone names (its FMA3 forms have none).
            best = (_V3, "FMA") if _FMA3.match(mnemonic) else (_V3, "AVX")
        if best is None:
            return (None, None, outside)
        return (best[0], best[1], outside)


def _encoding(code: bytes) -> int:
    """0xC4/0xC5 (VEX), 0x62 (EVEX), 0x8F (XOP or pop) after the legacy and REX prefixes; else 0."""
    i = 0
    while i < len(code) and code[i] in _PREFIXES:
        i += 1
    if i < len(code) and 0x40 <= code[i] <= 0x4F:
        i += 1
    first = code[i] if i < len(code) else 0
    return first if first in (0xC4, 0xC5, 0x62, 0x8F) else 0


class _Functions:
    """Function names by address, from a symbol table."""

    def __init__(self, symbols: List[Tuple[int, int, str]]):
        self.symbols = sorted(symbols)
        self.starts = [s[0] for s in self.symbols]

    def at(self, address: int) -> Optional[str]:
        i = bisect.bisect_right(self.starts, address) - 1
        if i >= 0 and address < self.symbols[i][0] + max(self.symbols[i][1], 1):
            return self.symbols[i][2]
        return None


def scan_code(code: bytes, address: int, *, scan: Optional[Scan] = None,
              functions: Optional[_Functions] = None, skip_libc: bool = False,
              limit: int = LIMIT, classifier: Optional[_Classifier] = None) -> Scan:
    """Scan one block of x86-64 code loaded at ``address`` (added to ``scan`` if given)."""
    scan = scan if scan is not None else Scan()
    scan.total += len(code)
    if scan.instructions >= limit:
        return scan
    classifier = classifier or _Classifier()
    lite = Cs(CS_ARCH_X86, CS_MODE_64)
    lite.skipdata = True
    end = address
    cut = False
    for at, size, mnemonic, op_str in lite.disasm_lite(code, address):
        if scan.instructions >= limit:
            cut = True
            break
        scan.instructions += 1
        end = at + size
        if mnemonic == ".byte":
            continue
        offset = at - address
        level, name, outside = classifier.classify(code[offset:offset + size], mnemonic,
                                                   op_str)
        if level is None and outside is None:
            continue
        function = functions.at(at) if functions is not None else None
        if skip_libc and function is not None and _LIBC_VARIANT.match(function):
            scan.skipped_libc += 1
            continue
        if outside is not None and outside not in scan.outside:
            scan.outside[outside] = Hit("", outside, mnemonic, at, function)
        if level is None:
            continue
        scan.extensions.setdefault(name, level)
        better = scan.level is None or LEVELS.index(level) > LEVELS.index(scan.level)
        earlier = (level == scan.level and scan.first is not None and at < scan.first.address)
        if better or earlier:
            scan.level = level
            scan.first = Hit(level, name, mnemonic, at, function)
    scan.scanned += (end - address) if cut else len(code)
    return scan


def scan_elf(elf, *, static: bool = False, limit: Optional[int] = None) -> Scan:
    """Scan every executable section of an x86-64 ``ELFFile`` (segments if it has no sections).

    ``static``: the program carries the C library inside; its run-time variants are skipped.
    """
    limit = LIMIT if limit is None else limit
    functions = _functions(elf)
    scan = Scan()
    if static and functions is None:
        scan.unreadable = ("static, with no symbol table: the C library's own AVX and AVX-512 "
                           "variants inside it cannot be told from the program's code")
        return scan
    classifier = _Classifier()
    for address, code in _code_blocks(elf):
        scan_code(code, address, scan=scan, functions=functions, skip_libc=static,
                  limit=limit, classifier=classifier)
    return scan


def _code_blocks(elf):
    if elf.num_sections():
        for section in elf.iter_sections():
            if section["sh_type"] == "SHT_NOBITS" or not section["sh_flags"] & 0x4:
                continue
            yield section["sh_addr"], section.data()
        return
    for segment in elf.iter_segments():
        if segment["p_type"] == "PT_LOAD" and segment["p_flags"] & 0x1:
            yield segment["p_vaddr"], segment.data()


def _functions(elf) -> Optional[_Functions]:
    table = elf.get_section_by_name(".symtab") if elf.num_sections() else None
    if table is None or not hasattr(table, "iter_symbols"):
        return None
    symbols = [(s["st_value"], s["st_size"], s.name) for s in table.iter_symbols()
               if s["st_info"]["type"] in ("STT_FUNC", "STT_GNU_IFUNC") and s["st_value"]]
    return _Functions(symbols) if symbols else None

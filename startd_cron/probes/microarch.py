"""Microarch: the x86-64 micro-architecture level, from the CPU flags in /proc/cpuinfo.

The names and flag sets are HTCondor's own, so that this ``Microarch`` equals
the one a startd of 9.12 or later publishes (see HTCondor's
``src/condor_sysapi/processor_flags.cpp: cpuflags_to_microarch_string``):

* ``x86_64-v4``: avx512f avx512bw avx512cd avx512dq avx512vl
* ``x86_64-v3``: avx avx2 bmi1 bmi2 f16c fma abm movbe xsave
* ``x86_64-v2``: cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3
* ``x86_64-v1``: any other x86-64 CPU

As there, the first level (v4, then v3, then v2) whose flags are *all* present
wins, each set checked on its own: v4 does not also require the v3 flags.
These are the psABI levels as the kernel names the flags (``abm`` stands for
LZCNT, ``xsave`` for OSXSAVE), except that HTCondor's v2 leaves out SSE3
(``pni``), which every x86-64 CPU that has SSSE3 has anyway.

HTCondor decides "is this x86-64" when it is compiled; this probe, which runs
from source anywhere, decides it from the flags: no ``flags`` line (ARM, POWER,
s390x print ``Features`` or nothing) or no ``lm`` (long mode, so not a 64-bit
CPU) publishes nothing.  One difference: HTCondor splits the flags line at
single spaces and keeps the line's newline on its last flag, so it misses a
level flag printed last (the 2.6.18 kernel ends the line with ``lahf_lm``);
this probe splits at any white space.

>>> microarch_level(set("lm cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3".split()))
'x86_64-v2'
>>> microarch_level({"fp", "asimd"}) is None
True
"""

from startd_cron.probes.virt import CPUINFO, parse_cpuinfo_flags

NAME = "microarch"
LONG_MODE = "lm"
# Highest first: the first set found whole names the level.
LEVELS = (
    ("x86_64-v4", frozenset(("avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"))),
    ("x86_64-v3", frozenset(("avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe",
                             "xsave"))),
    ("x86_64-v2", frozenset(("cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"))),
)
BASELINE = "x86_64-v1"


def microarch_level(flags):
    """The level's name for a set of x86 CPU flags; None for a CPU that is not x86-64."""
    if flags is None or LONG_MODE not in flags:
        return None
    for name, required in LEVELS:
        if required <= flags:
            return name
    return BASELINE


def read(ctx):
    cpuinfo = ctx.read_optional(NAME, CPUINFO)
    if cpuinfo is None:
        return {}
    level = microarch_level(parse_cpuinfo_flags(cpuinfo))
    return {"Microarch": level} if level else {}
